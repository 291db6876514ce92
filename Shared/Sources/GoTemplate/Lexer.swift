// Splits a Go template into text and actions (honouring trim markers and comments) and tokenises actions,
// on Unicode scalars as Go's lexer works on bytes, with Go's lexer errors.

struct RawAction {
    let tokens: [LocatedToken]
    let position: GoTemplatePosition
}

enum Segment {
    case text(String)
    case action(RawAction)
}

struct Lexer {
    let name: String
    let source: [Unicode.Scalar]
    private let lineStarts: [Int]
    /// UTF-8 offset of each scalar (and of the end), for Go's byte columns.
    private let byteOffsets: [Int]

    init(name: String, source: String) {
        self.name = name
        self.source = Array(source.unicodeScalars)
        var starts = [0]
        var offsets = [0]
        offsets.reserveCapacity(self.source.count + 1)
        for (i, c) in self.source.enumerated() {
            if c == "\n" { starts.append(i + 1) }
            offsets.append(offsets[i] + UTF8.width(c))
        }
        self.lineStarts = starts
        self.byteOffsets = offsets
    }

    func error(_ message: String, _ position: GoTemplatePosition) -> GoTemplateError {
        GoTemplateError.parse(name, position, message)
    }

    /// Line and columns of an index into `source`.
    func position(of index: Int) -> GoTemplatePosition {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= index { low = mid } else { high = mid - 1 }
        }
        let start = lineStarts[low]
        let end = min(index, source.count)
        return GoTemplatePosition(line: low + 1, column: index - start + 1, byteColumn: byteOffsets[end] - byteOffsets[start])
    }

    /// The last position of the source (where Go reports "unexpected EOF").
    var endPosition: GoTemplatePosition { position(of: source.count) }

    private static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    private static func isAlphaNumeric(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic || c.properties.numericType == .decimal
    }

    private func starts(with text: String, at index: Int) -> Bool {
        var i = index
        for c in text.unicodeScalars {
            guard i < source.count, source[i] == c else { return false }
            i += 1
        }
        return true
    }

    /// At a closing delimiter: `}}`, or ` -}}` which also trims the text after it. Returns its length.
    private func rightDelimiter(at i: Int) -> (length: Int, trims: Bool)? {
        if i + 1 < source.count, Self.isSpace(source[i]), source[i + 1] == "-", starts(with: "}}", at: i + 2) { return (4, true) }
        if starts(with: "}}", at: i) { return (2, false) }
        return nil
    }

    func segments() throws -> [Segment] {
        var result: [Segment] = []
        var text = String.UnicodeScalarView()
        var index = 0
        func flush() {
            if !text.isEmpty { result.append(.text(String(text))); text = String.UnicodeScalarView() }
        }
        while index < source.count {
            guard starts(with: "{{", at: index) else { text.append(source[index]); index += 1; continue }
            let open = position(of: index)
            var i = index + 2
            // "{{- " trims the whitespace before the action; the marker needs a space after it.
            if i + 1 < source.count, source[i] == "-", Self.isSpace(source[i + 1]) {
                while let last = text.last, Self.isSpace(last) { text.removeLast() }
                i += 2
            }
            flush()
            if starts(with: "/*", at: i) {
                // A comment runs to "*/", which must be followed by the closing delimiter.
                var j = i + 2
                while j < source.count, !starts(with: "*/", at: j) { j += 1 }
                guard j < source.count else { throw error("unclosed comment", open) }
                guard let close = rightDelimiter(at: j + 2) else { throw error("comment ends before closing delimiter", open) }
                index = j + 2 + close.length
                if close.trims { while index < source.count, Self.isSpace(source[index]) { index += 1 } }
                continue
            }
            let (tokens, end, trims) = try lexAction(from: i, open: open)
            result.append(.action(RawAction(tokens: tokens, position: open)))
            index = end
            if trims { while index < source.count, Self.isSpace(source[index]) { index += 1 } }
        }
        flush()
        return result
    }

    /// Tokens from `start` to the closing delimiter; returns them and the index after the delimiter.
    private func lexAction(from start: Int, open: GoTemplatePosition) throws -> ([LocatedToken], Int, Bool) {
        var tokens: [LocatedToken] = []
        var i = start
        var parenDepth = 0
        func add(_ token: Token, _ at: Int) { tokens.append(LocatedToken(token: token, position: position(of: at))) }
        func badCharacter(_ at: Int) -> GoTemplateError {
            error("bad character \(Self.describe(source[at]))", position(of: at))
        }
        while true {
            if let close = rightDelimiter(at: i) {
                if parenDepth > 0 { throw error("unclosed left paren", position(of: i)) }
                return (tokens, i + close.length, close.trims)
            }
            guard i < source.count else { throw error("unclosed action", open) }
            let c = source[i]
            let start = i
            if Self.isSpace(c) {
                // Stop before " -}}" so that the trim marker is seen.
                while i < source.count, Self.isSpace(source[i]), rightDelimiter(at: i) == nil { i += 1 }
                if i == start { i += 1 }
                continue
            }
            switch c {
            case "(": parenDepth += 1; add(.leftParen, i); i += 1
            case ")":
                parenDepth -= 1
                if parenDepth < 0 { throw error("unexpected right paren", position(of: i)) }
                add(.rightParen, i); i += 1
                let (names, next, chain) = fieldChain(i)
                if !names.isEmpty {
                    tokens.append(LocatedToken(token: .field(names), position: position(of: i), chainPosition: chain))
                    i = next
                }
            case "|": add(.pipe, i); i += 1
            case ",": add(.comma, i); i += 1
            case ":":
                guard i + 1 < source.count, source[i + 1] == "=" else { throw error("expected :=", position(of: i)) }
                add(.declare, i); i += 2
            case "=": add(.assign, i); i += 1
            case ".":
                if i + 1 < source.count, source[i + 1].properties.numericType == .decimal, source[i + 1].isASCII {
                    i = try number(from: i, into: &tokens)
                    continue
                }
                let (names, next, chain) = fieldChain(i)
                if names.isEmpty {
                    add(.dot, i); i += 1
                } else {
                    tokens.append(LocatedToken(token: .field(names), position: position(of: start), chainPosition: chain))
                    i = next
                }
                if i < source.count, !atTerminator(i) { throw badCharacter(i) }
            case "$":
                var j = i + 1
                while j < source.count, Self.isAlphaNumeric(source[j]) { j += 1 }
                let name = String(String.UnicodeScalarView(source[i..<j]))
                let (names, next, chain) = fieldChain(j, chainFrom: 0)
                tokens.append(LocatedToken(token: .variable(name, names), position: position(of: start), chainPosition: chain))
                i = next
                if i < source.count, !atTerminator(i) { throw badCharacter(i) }
            case "\"":
                var j = i + 1
                while true {
                    guard j < source.count, source[j] != "\n" else { throw error("unterminated quoted string", position(of: start)) }
                    if source[j] == "\\" { j += 2; continue }
                    if source[j] == "\"" { break }
                    j += 1
                }
                let text = String(String.UnicodeScalarView(source[i...j]))
                guard let value = Self.unquote(Array(source[(i + 1)..<j]), quote: "\"") else {
                    throw error("invalid syntax", position(of: start))
                }
                add(.string(value, text: text), start)
                i = j + 1
            case "`":
                var j = i + 1
                while j < source.count, source[j] != "`" { j += 1 }
                guard j < source.count else { throw error("unterminated raw quoted string", position(of: start)) }
                // Go drops carriage returns from raw strings.
                let raw = String(String.UnicodeScalarView(source[(i + 1)..<j].filter { $0 != "\r" }))
                add(.string(raw, text: String(String.UnicodeScalarView(source[i...j]))), start)
                i = j + 1
            case "'":
                var j = i + 1
                while true {
                    guard j < source.count, source[j] != "\n" else { throw error("unterminated character constant", position(of: start)) }
                    if source[j] == "\\" { j += 2; continue }
                    if source[j] == "'" { break }
                    j += 1
                }
                let text = String(String.UnicodeScalarView(source[i...j]))
                guard let value = Self.unquote(Array(source[(i + 1)..<j]), quote: "'"), value.unicodeScalars.count == 1,
                      let scalar = value.unicodeScalars.first else {
                    throw error("malformed character constant: \(text)", position(of: start))
                }
                add(.number(.int(Int(scalar.value)), text: text), start)
                i = j + 1
            default:
                if c.isASCII, c.properties.numericType == .decimal || ((c == "-" || c == "+") && i + 1 < source.count
                    && (source[i + 1].properties.numericType == .decimal || source[i + 1] == ".") && source[i + 1].isASCII) {
                    i = try number(from: i, into: &tokens)
                } else if Self.isAlphaNumeric(c) {
                    var j = i
                    while j < source.count, Self.isAlphaNumeric(source[j]) { j += 1 }
                    add(.identifier(String(String.UnicodeScalarView(source[i..<j]))), start)
                    i = j
                    if i < source.count, !atTerminator(i) { throw badCharacter(i) }
                } else {
                    throw error("unrecognized character in action: \(Self.describe(c))", position(of: start))
                }
            }
        }
    }

    /// Go's `%#U`: `U+0023 '#'`.
    static func describe(_ c: Unicode.Scalar) -> String {
        let hex = String(c.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return c.properties.generalCategory == .control ? code : "\(code) '\(c)'"
    }

    private func atTerminator(_ i: Int) -> Bool {
        let c = source[i]
        if Self.isSpace(c) { return true }
        if ".,|:)(".unicodeScalars.contains(c) { return true }
        return starts(with: "}}", at: i)
    }

    /// `.A.B…` from `start`: the names, the index after them, and where Go's chain starts (the second name of a
    /// field, the first name after a variable or a parenthesis: `.Env.FOO` at `.FOO`, `$v._0` at `._0`).
    private func fieldChain(_ start: Int, chainFrom: Int = 1) -> ([String], Int, GoTemplatePosition?) {
        var names: [String] = []
        var j = start
        var chain: GoTemplatePosition? = nil
        while j + 1 < source.count, source[j] == ".", Self.isAlphaNumeric(source[j + 1]) {
            if names.count == chainFrom { chain = position(of: j) }
            var k = j + 1
            while k < source.count, Self.isAlphaNumeric(source[k]) { k += 1 }
            names.append(String(String.UnicodeScalarView(source[(j + 1)..<k])))
            j = k
        }
        return (names, j, chain)
    }

    private func number(from start: Int, into tokens: inout [LocatedToken]) throws -> Int {
        var j = start
        if source[j] == "+" || source[j] == "-" { j += 1 }
        var previous: Unicode.Scalar = " "
        while j < source.count {
            let c = source[j]
            let isExponentSign = (c == "+" || c == "-") && "eEpP".unicodeScalars.contains(previous)
            guard (c.isASCII && Self.isAlphaNumeric(c)) || c == "." || isExponentSign else { break }
            previous = c
            j += 1
        }
        let text = String(String.UnicodeScalarView(source[start..<j]))
        guard let value = Self.numberValue(text) else { throw error("bad number syntax: \"\(text)\"", position(of: start)) }
        tokens.append(LocatedToken(token: .number(value, text: text), position: position(of: start)))
        return j
    }

    /// A Go number constant: decimal, 0x/0o/0b/leading-0 octal integers with `_`, or a float.
    static func numberValue(_ text: String) -> GoValue? {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("-") { negative = true; body = body.dropFirst() } else if body.hasPrefix("+") { body = body.dropFirst() }
        guard let first = body.first, first.isNumber || first == "." else { return nil }
        if body.hasPrefix("_") || body.hasSuffix("_") || body.contains("__") { return nil }
        let digits = body.replacingOccurrences(of: "_", with: "")
        let lower = digits.lowercased()
        var radix = 10
        var magnitude = Substring(lower)
        if lower.hasPrefix("0x") { radix = 16; magnitude = magnitude.dropFirst(2) }
        else if lower.hasPrefix("0o") { radix = 8; magnitude = magnitude.dropFirst(2) }
        else if lower.hasPrefix("0b") { radix = 2; magnitude = magnitude.dropFirst(2) }
        else if lower.count > 1, lower.hasPrefix("0"), lower.allSatisfy(\.isNumber) { radix = 8; magnitude = magnitude.dropFirst() }
        if !magnitude.isEmpty, let value = UInt64(magnitude, radix: radix) {
            if negative, value <= UInt64(Int64.max) + 1 { return .int(Int(truncatingIfNeeded: 0 &- value)) }
            if !negative, value <= UInt64(Int64.max) { return .int(Int(value)) }
        }
        if radix == 16 || radix == 2 || (radix == 8 && lower.hasPrefix("0o")) { return nil }
        // Floats: digits, optional fraction, optional exponent (no hex floats).
        guard lower.allSatisfy({ $0.isNumber || $0 == "." || $0 == "e" || $0 == "+" || $0 == "-" }),
              let double = Double(lower), double.isFinite else { return nil }
        // Go's constants: a float that is integral and fits stays usable as an int, but prints as a float
        // when written with '.', 'e' or 'E'.
        return .float(negative ? -double : double)
    }

    /// Go's unquoting of a string or character literal body.
    static func unquote(_ body: [Unicode.Scalar], quote: Unicode.Scalar) -> String? {
        var out = String.UnicodeScalarView()
        var i = 0
        func hexValue(_ count: Int) -> UInt32? {
            guard i + count <= body.count else { return nil }
            let text = String(String.UnicodeScalarView(body[i..<(i + count)]))
            guard text.allSatisfy(\.isHexDigit) else { return nil }
            i += count
            return UInt32(text, radix: 16)
        }
        while i < body.count {
            let c = body[i]
            if c == quote { return nil }
            guard c == "\\" else { out.append(c); i += 1; continue }
            guard i + 1 < body.count else { return nil }
            let e = body[i + 1]
            i += 2
            switch e {
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "\\": out.append("\\")
            case "\"" where quote == "\"": out.append("\"")
            case "'" where quote == "'": out.append("'")
            case "x":
                guard let value = hexValue(2), let scalar = Unicode.Scalar(value) else { return nil }
                out.append(scalar)
            case "u":
                guard let value = hexValue(4), let scalar = Unicode.Scalar(value) else { return nil }
                out.append(scalar)
            case "U":
                guard let value = hexValue(8), let scalar = Unicode.Scalar(value) else { return nil }
                out.append(scalar)
            case "0"..."7":
                guard i + 2 <= body.count else { return nil }
                let digits = [e, body[i], body[i + 1]]
                guard digits.allSatisfy({ $0 >= "0" && $0 <= "7" }) else { return nil }
                let value = digits.reduce(UInt32(0)) { $0 * 8 + ($1.value - 48) }
                guard value <= 255, let scalar = Unicode.Scalar(value) else { return nil }
                out.append(scalar)
                i += 2
            default: return nil
            }
        }
        return String(out)
    }
}
