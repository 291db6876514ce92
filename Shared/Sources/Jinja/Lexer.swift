/// A token of Jinja2 template source.
struct Token: Sendable {
    enum Kind: Equatable, Sendable {
        case data
        case variableBegin, variableEnd
        case blockBegin, blockEnd
        case name, string, integer, float
        case op
        case eof
    }

    var kind: Kind
    /// Text for data, names, strings (unescaped) and operators.
    var text: String = ""
    var int: Int = 0
    var float: Double = 0
    var line: Int

    /// Jinja2's `describe_token`, used in syntax error messages.
    var description: String {
        switch kind {
        case .name: return text
        case .op: return text
        case .data: return "template data / text"
        case .variableBegin: return "begin of print statement"
        case .variableEnd: return "end of print statement"
        case .blockBegin: return "begin of statement block"
        case .blockEnd: return "end of statement block"
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .eof: return "end of template"
        }
    }

    func isName(_ n: String) -> Bool { kind == .name && text == n }
    func isOp(_ o: String) -> Bool { kind == .op && text == o }
}

/// Splits template source into tokens with Jinja2's default delimiters and its whitespace control:
/// `{%-`/`{{-`/`{#-` strip whitespace before the tag, `-%}`/`-}}`/`-#}` after it; `{% raw %}` blocks
/// are data. trim_blocks and lstrip_blocks are off; `\r\n` and `\r` in data become `\n`.
struct Lexer {
    private let bytes: [UInt8]
    private let name: String
    private var pos = 0
    private var line = 1
    private(set) var tokens: [Token] = []

    init(source: String, name: String) {
        self.bytes = Array(source.utf8)
        self.name = name
    }

    static func tokenize(_ source: String, name: String) throws -> [Token] {
        var lexer = Lexer(source: source, name: name)
        try lexer.run()
        return lexer.tokens
    }

    private func error(_ message: String, line: Int? = nil) -> JinjaError {
        JinjaError(.syntax, message, template: name, line: line ?? self.line)
    }

    private mutating func run() throws {
        tokens.reserveCapacity(bytes.count / 4)
        let n = bytes.count
        var lstripNext = false
        while pos < n {
            // Find the next opening delimiter.
            var i = pos
            var found = -1
            while i + 1 < n {
                if bytes[i] == UInt8(ascii: "{") {
                    let c = bytes[i + 1]
                    if c == UInt8(ascii: "{") || c == UInt8(ascii: "%") || c == UInt8(ascii: "#") {
                        found = i
                        break
                    }
                }
                i += 1
            }
            let dataEnd = found < 0 ? n : found
            var stripBefore = false
            var afterOpen = dataEnd + 2
            if found >= 0, afterOpen < n, bytes[afterOpen] == UInt8(ascii: "-") {
                stripBefore = true
            }
            var data = String(decoding: bytes[pos..<dataEnd], as: UTF8.self)
            if lstripNext { data = Python.strip(data, trailing: false) }
            if stripBefore { data = Python.strip(data, leading: false) }
            let dataLine = line
            countLines(pos, dataEnd)
            emitData(data, line: dataLine)
            lstripNext = false
            pos = dataEnd
            if found < 0 { break }

            let opener = bytes[found + 1]
            if afterOpen < n, bytes[afterOpen] == UInt8(ascii: "-") || bytes[afterOpen] == UInt8(ascii: "+") {
                afterOpen += 1
            }
            if opener == UInt8(ascii: "#") {
                lstripNext = try skipComment(from: afterOpen)
            } else if opener == UInt8(ascii: "%"), let raw = rawBlockStart(afterOpen) {
                lstripNext = try lexRaw(contentStart: raw.end, stripLeading: raw.strip)
            } else {
                let isBlock = opener == UInt8(ascii: "%")
                tokens.append(Token(kind: isBlock ? .blockBegin : .variableBegin, line: line))
                pos = afterOpen
                lstripNext = try lexTag(block: isBlock)
            }
        }
        // Jinja2 reports the end of the template on the line of the last token.
        tokens.append(Token(kind: .eof, line: tokens.last?.line ?? 1))
    }

    private mutating func emitData(_ text: String, line: Int) {
        guard !text.isEmpty else { return }
        var t = text
        if t.utf8.contains(13) {
            t = t.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        }
        tokens.append(Token(kind: .data, text: t, line: line))
    }

    private mutating func countLines(_ from: Int, _ to: Int) {
        var i = from
        while i < to {
            if bytes[i] == 10 {
                line += 1
            } else if bytes[i] == 13 && (i + 1 >= to || bytes[i + 1] != 10) {
                line += 1
            }
            i += 1
        }
    }

    /// Skips whitespace (Unicode, as Python's `\s`) from `pos`, counting lines.
    private mutating func skipWhitespace() {
        while pos < bytes.count {
            let b = bytes[pos]
            if b < 0x80 {
                guard b == 32 || (b >= 9 && b <= 13) || (b >= 0x1C && b <= 0x1F) else { return }
                if b == 10 || (b == 13 && (pos + 1 >= bytes.count || bytes[pos + 1] != 10)) { line += 1 }
                pos += 1
            } else {
                guard let (scalar, length) = decodeScalar(at: pos), Python.isSpace(scalar) else { return }
                if scalar.value == 0x85 || scalar.value == 0x2028 || scalar.value == 0x2029 { /* not a line break for Jinja's lineno */ }
                pos += length
            }
        }
    }

    private func decodeScalar(at i: Int) -> (Unicode.Scalar, Int)? {
        var it = bytes[i...].makeIterator()
        var decoder = UTF8()
        switch decoder.decode(&it) {
        case .scalarValue(let s): return (s, String(s).utf8.count)
        default: return nil
        }
    }

    private mutating func skipComment(from start: Int) throws -> Bool {
        let startLine = line
        var i = start
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: "#") && bytes[i + 1] == UInt8(ascii: "}") {
                let strip = i > start && bytes[i - 1] == UInt8(ascii: "-")
                countLines(pos, i + 2)
                pos = i + 2
                return strip
            }
            i += 1
        }
        throw error("Missing end of comment tag", line: startLine)
    }

    /// If `{%` at `pos` opens `{% raw %}` (with optional whitespace control), the index after it.
    private func rawBlockStart(_ afterOpen: Int) -> (end: Int, strip: Bool)? {
        var i = afterOpen
        while i < bytes.count, isASCIISpace(bytes[i]) { i += 1 }
        guard matches("raw", at: i) else { return nil }
        i += 3
        while i < bytes.count, isASCIISpace(bytes[i]) { i += 1 }
        if matches("-%}", at: i) { return (i + 3, true) }
        if matches("%}", at: i) { return (i + 2, false) }
        return nil
    }

    private mutating func lexRaw(contentStart start: Int, stripLeading: Bool) throws -> Bool {
        let startLine = line
        countLines(pos, start)
        pos = start
        if stripLeading { skipWhitespace() }
        let contentStart = pos
        // Find {%[-+]? \s* endraw \s* [-]?%}
        var i = contentStart
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: "{") && bytes[i + 1] == UInt8(ascii: "%") {
                var j = i + 2
                var stripBefore = false
                if j < bytes.count, bytes[j] == UInt8(ascii: "-") { stripBefore = true; j += 1 } else if j < bytes.count, bytes[j] == UInt8(ascii: "+") { j += 1 }
                while j < bytes.count, isASCIISpace(bytes[j]) { j += 1 }
                if matches("endraw", at: j) {
                    var k = j + 6
                    while k < bytes.count, isASCIISpace(bytes[k]) { k += 1 }
                    var stripAfter = false
                    var end = -1
                    if matches("-%}", at: k) { stripAfter = true; end = k + 3 } else if matches("%}", at: k) { end = k + 2 }
                    if end >= 0 {
                        var data = String(decoding: bytes[contentStart..<i], as: UTF8.self)
                        if stripBefore { data = Python.strip(data, leading: false) }
                        let dataLine = line
                        countLines(contentStart, end)
                        emitData(data, line: dataLine)
                        pos = end
                        if stripAfter { skipWhitespace() }
                        return false
                    }
                }
            }
            i += 1
        }
        throw error("Missing end of raw directive", line: startLine)
    }

    private func matches(_ word: StaticString, at i: Int) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i + count <= bytes.count else { return false }
        let w = word.utf8Start
        for k in 0..<count where bytes[i + k] != w[k] { return false }
        return true
    }

    private func isASCIISpace(_ b: UInt8) -> Bool { b == 32 || (b >= 9 && b <= 13) }

    /// Lexes the inside of `{{ … }}` or `{% … %}`. Returns whether whitespace after the tag is stripped.
    private mutating func lexTag(block: Bool) throws -> Bool {
        var balance: [UInt8] = []
        let n = bytes.count
        while true {
            skipWhitespace()
            guard pos < n else {
                // Jinja2 reports the missing end as an unexpected end of template in the parser.
                return false
            }
            let b = bytes[pos]
            if balance.isEmpty {
                if block {
                    if matches("-%}", at: pos) {
                        tokens.append(Token(kind: .blockEnd, line: line))
                        pos += 3
                        skipWhitespace()
                        return true
                    }
                    if matches("+%}", at: pos) || matches("%}", at: pos) {
                        tokens.append(Token(kind: .blockEnd, line: line))
                        pos += b == UInt8(ascii: "+") ? 3 : 2
                        return false
                    }
                } else {
                    if matches("-}}", at: pos) {
                        tokens.append(Token(kind: .variableEnd, line: line))
                        pos += 3
                        skipWhitespace()
                        return true
                    }
                    if matches("}}", at: pos) {
                        tokens.append(Token(kind: .variableEnd, line: line))
                        pos += 2
                        return false
                    }
                }
            }
            if isDigit(b) {
                try lexNumber()
            } else if isNameStart(b) {
                lexName()
            } else if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
                try lexString(quote: b)
            } else {
                try lexOperator(&balance)
            }
        }
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    private func isNameStart(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b >= 0x80
    }

    private func isNameChar(_ b: UInt8) -> Bool { isNameStart(b) || isDigit(b) }

    private mutating func lexName() {
        let start = pos
        while pos < bytes.count, isNameChar(bytes[pos]) {
            if bytes[pos] >= 0x80 {
                guard let (s, len) = decodeScalar(at: pos), s.properties.isAlphabetic || s.properties.numericType != nil || s == "_" else { break }
                pos += len
            } else {
                pos += 1
            }
        }
        if pos == start {
            // A non-letter, non-ASCII character.
            pos += 1
        }
        tokens.append(Token(kind: .name, text: String(decoding: bytes[start..<pos], as: UTF8.self), line: line))
    }

    /// Digits with optional single underscores between them.
    private mutating func digitRun(_ valid: (UInt8) -> Bool) -> Bool {
        guard pos < bytes.count, valid(bytes[pos]) else { return false }
        pos += 1
        while pos < bytes.count {
            if valid(bytes[pos]) {
                pos += 1
            } else if bytes[pos] == UInt8(ascii: "_"), pos + 1 < bytes.count, valid(bytes[pos + 1]) {
                pos += 2
            } else {
                break
            }
        }
        return true
    }

    private mutating func lexNumber() throws {
        let start = pos
        let previousIsDot = start > 0 && bytes[start - 1] == UInt8(ascii: ".")
        // Prefixed integers.
        if bytes[pos] == UInt8(ascii: "0"), pos + 1 < bytes.count {
            let p = bytes[pos + 1] | 0x20
            let radix: Int? = p == UInt8(ascii: "b") ? 2 : (p == UInt8(ascii: "o") ? 8 : (p == UInt8(ascii: "x") ? 16 : nil))
            if let radix {
                let save = pos
                pos += 2
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "_") { pos += 1 }
                let valid: (UInt8) -> Bool = { b in
                    switch radix {
                    case 2: return b == 48 || b == 49
                    case 8: return b >= 48 && b <= 55
                    default: return (b >= 48 && b <= 57) || ((b | 0x20) >= 97 && (b | 0x20) <= 102)
                    }
                }
                if digitRun(valid) {
                    let text = String(decoding: bytes[(save + 2)..<pos], as: UTF8.self).filter { $0 != "_" }
                    guard let v = Int(text, radix: radix) else { throw error("integer literal too large") }
                    tokens.append(Token(kind: .integer, int: v, line: line))
                    return
                }
                pos = save
            }
        }
        // Float: digits ( . digits )? e[+-]digits | digits . digits   (not directly after a dot)
        if !previousIsDot {
            let save = pos
            _ = digitRun(isDigit)
            var isFloat = false
            var afterFraction = pos
            if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
                let dot = pos
                pos += 1
                if digitRun(isDigit) { isFloat = true; afterFraction = pos } else { pos = dot; afterFraction = dot }
            }
            pos = afterFraction
            if pos < bytes.count, bytes[pos] | 0x20 == UInt8(ascii: "e") {
                let e = pos
                pos += 1
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
                if digitRun(isDigit) { isFloat = true } else { pos = e }
            }
            if isFloat {
                let text = String(decoding: bytes[save..<pos], as: UTF8.self).filter { $0 != "_" }
                tokens.append(Token(kind: .float, float: Double(text) ?? .nan, line: line))
                return
            }
            pos = save
        }
        // Decimal integer: [1-9](_?\d)* | 0(_?0)*
        if bytes[pos] == UInt8(ascii: "0") {
            _ = digitRun { $0 == 48 }
        } else {
            _ = digitRun(isDigit)
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self).filter { $0 != "_" }
        guard let v = Int(text) else { throw error("integer literal too large") }
        tokens.append(Token(kind: .integer, int: v, line: line))
    }

    private mutating func lexString(quote: UInt8) throws {
        let start = pos
        let startLine = line
        var i = pos + 1
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") {
                i += 2
                continue
            }
            if bytes[i] == quote { break }
            i += 1
        }
        guard i < bytes.count else {
            throw error("unexpected char \(Python.stringRepr(String(UnicodeScalar(quote)))) at \(scalarOffset(start))", line: startLine)
        }
        let raw = String(decoding: bytes[(start + 1)..<i], as: UTF8.self)
        countLines(start, i + 1)
        pos = i + 1
        tokens.append(Token(kind: .string, text: try unescape(raw, line: startLine), line: startLine))
    }

    private func scalarOffset(_ byteIndex: Int) -> Int {
        String(decoding: bytes[0..<byteIndex], as: UTF8.self).unicodeScalars.count
    }

    /// Python's `unicode-escape` decoding as Jinja2 applies it to string literals.
    private func unescape(_ raw: String, line: Int) throws -> String {
        guard raw.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 13 }) else { return raw }
        let text = raw.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var out = String.UnicodeScalarView()
        let s = Array(text.unicodeScalars)
        var i = 0
        func hexValue(_ count: Int, _ label: String) throws -> Unicode.Scalar {
            guard i + count < s.count || i + count == s.count - 0 else { throw error("truncated \(label) escape", line: line) }
            var v: UInt32 = 0
            for k in 0..<count {
                guard i + 1 + k < s.count, let d = s[i + 1 + k].properties.numericType != nil || "abcdefABCDEF".unicodeScalars.contains(s[i + 1 + k]) ? UInt32(String(s[i + 1 + k]), radix: 16) : nil else {
                    throw error("truncated \(label) escape", line: line)
                }
                v = v * 16 + d
            }
            i += count
            guard let scalar = Unicode.Scalar(v) else { throw error("illegal Unicode character", line: line) }
            return scalar
        }
        while i < s.count {
            let c = s[i]
            guard c == "\\", i + 1 < s.count else {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            let e = s[i]
            switch e {
            case "\n": break
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "x": out.append(try hexValue(2, "\\xXX"))
            case "u": out.append(try hexValue(4, "\\uXXXX"))
            case "U": out.append(try hexValue(8, "\\UXXXXXXXX"))
            case "0"..."7":
                var v = UInt32(e.value - 48)
                var k = 1
                while k < 3, i + 1 < s.count, s[i + 1].value >= 48, s[i + 1].value <= 55 {
                    i += 1
                    v = v * 8 + (s[i].value - 48)
                    k += 1
                }
                out.append(Unicode.Scalar(v) ?? "?")
            default:
                out.append("\\")
                out.append(e)
            }
            i += 1
        }
        return String(out)
    }

    private static func twoCharOperator(_ a: UInt8, _ b: UInt8) -> String? {
        switch (a, b) {
        case (UInt8(ascii: "*"), UInt8(ascii: "*")): return "**"
        case (UInt8(ascii: "/"), UInt8(ascii: "/")): return "//"
        case (UInt8(ascii: "="), UInt8(ascii: "=")): return "=="
        case (UInt8(ascii: "!"), UInt8(ascii: "=")): return "!="
        case (UInt8(ascii: ">"), UInt8(ascii: "=")): return ">="
        case (UInt8(ascii: "<"), UInt8(ascii: "=")): return "<="
        default: return nil
        }
    }

    /// One-character operators, indexed by byte.
    private static let oneCharOperators: [String?] = {
        var table = [String?](repeating: nil, count: 128)
        for c in "+-/*%~[](){}.:|,;=<>" { table[Int(c.asciiValue!)] = String(c) }
        return table
    }()

    private mutating func lexOperator(_ balance: inout [UInt8]) throws {
        let b = bytes[pos]
        if pos + 1 < bytes.count, let two = Lexer.twoCharOperator(b, bytes[pos + 1]) {
            tokens.append(Token(kind: .op, text: two, line: line))
            pos += 2
            return
        }
        guard b < 128, let text = Lexer.oneCharOperators[Int(b)] else {
            let (scalar, _) = decodeScalar(at: pos) ?? (Unicode.Scalar(b), 1)
            throw error("unexpected char \(Python.stringRepr(String(scalar))) at \(scalarOffset(pos))")
        }
        switch b {
        case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
            balance.append(b)
        case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
            let expected: UInt8 = b == UInt8(ascii: ")") ? UInt8(ascii: "(") : (b == UInt8(ascii: "]") ? UInt8(ascii: "[") : UInt8(ascii: "{"))
            guard let open = balance.popLast() else {
                throw error("unexpected '\(Character(UnicodeScalar(b)))'")
            }
            if open != expected {
                let closer: Character = open == UInt8(ascii: "(") ? ")" : (open == UInt8(ascii: "[") ? "]" : "}")
                throw error("unexpected '\(Character(UnicodeScalar(b)))', expected '\(closer)'")
            }
        default: break
        }
        tokens.append(Token(kind: .op, text: text, line: line))
        pos += 1
    }
}
