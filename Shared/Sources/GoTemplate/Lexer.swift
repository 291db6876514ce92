// Splits a Go template into text and actions (honouring trim markers and comments) and tokenises actions.

struct RawAction {
    let body: [Character]
    let position: GoTemplatePosition
}

enum Segment {
    case text(String)
    case action(RawAction)
}

struct Lexer {
    let name: String
    let source: [Character]

    init(name: String, source: String) {
        self.name = name
        self.source = Array(source)
    }

    func error(_ message: String, _ position: GoTemplatePosition) -> GoTemplateError {
        GoTemplateError(name: name, position: position, message: message)
    }

    /// Line and column of an offset into `source`.
    func position(of offset: Int, from start: (offset: Int, line: Int, column: Int)) -> GoTemplatePosition {
        var line = start.line, column = start.column
        var index = start.offset
        while index < offset {
            if source[index] == "\n" { line += 1; column = 1 } else { column += 1 }
            index += 1
        }
        return GoTemplatePosition(line: line, column: column)
    }

    func segments() throws -> [Segment] {
        var result: [Segment] = []
        var text: [Character] = []
        var index = 0
        var cursor = (offset: 0, line: 1, column: 1)
        func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

        while index < source.count {
            guard source[index] == "{", index + 1 < source.count, source[index + 1] == "{" else {
                text.append(source[index]); index += 1; continue
            }
            let open = position(of: index, from: cursor)
            cursor = (index, open.line, open.column)
            var bodyStart = index + 2
            // "{{- " trims the whitespace before the action; the marker needs a space after it.
            if bodyStart + 1 < source.count, source[bodyStart] == "-", isSpace(source[bodyStart + 1]) {
                while let last = text.last, isSpace(last) { text.removeLast() }
                bodyStart += 2
            }
            // Find the closing "}}" outside string literals.
            var scan = bodyStart
            var quote: Character? = nil
            var closeAt: Int? = nil
            while scan < source.count {
                let c = source[scan]
                if let q = quote {
                    if c == "\\" && q == "\"" { scan += 2; continue }
                    if c == q { quote = nil }
                    if c == "\n" && q != "`" { throw error("unterminated quoted string", position(of: scan, from: cursor)) }
                } else if c == "\"" || c == "`" || c == "'" {
                    quote = c
                } else if c == "}", scan + 1 < source.count, source[scan + 1] == "}" {
                    closeAt = scan; break
                } else if c == "/", scan + 1 < source.count, source[scan + 1] == "*" {
                    // Comment: runs to "*/", which must be followed by "}}" (optionally " -}}").
                    guard let end = find("*/", from: scan + 2) else {
                        throw error("unclosed comment", open)
                    }
                    scan = end + 2
                    continue
                }
                scan += 1
            }
            if quote != nil { throw error("unterminated quoted string", open) }
            guard let close = closeAt else { throw error("unclosed action", open) }
            var bodyEnd = close
            var trimAfter = false
            if bodyEnd - 2 >= bodyStart, source[bodyEnd - 1] == "-", isSpace(source[bodyEnd - 2]) {
                trimAfter = true
                bodyEnd -= 1
            }
            if !text.isEmpty { result.append(.text(String(text))); text = [] }
            let body = Array(source[bodyStart..<bodyEnd])
            let bodyPosition = position(of: bodyStart, from: cursor)
            if !isComment(body) {
                result.append(.action(RawAction(body: body, position: bodyPosition)))
            }
            index = close + 2
            if trimAfter {
                while index < source.count, isSpace(source[index]) { index += 1 }
            }
        }
        if !text.isEmpty { result.append(.text(String(text))) }
        return result
    }

    private func find(_ needle: String, from start: Int) -> Int? {
        let chars = Array(needle)
        var i = start
        while i + chars.count <= source.count {
            if Array(source[i..<(i + chars.count)]) == chars { return i }
            i += 1
        }
        return nil
    }

    private func isComment(_ body: [Character]) -> Bool {
        let trimmed = String(body).trimmingCharacters(in: [" ", "\t", "\n", "\r"])
        return trimmed.hasPrefix("/*") && trimmed.hasSuffix("*/")
    }

    /// Tokens of one action body.
    func tokens(of action: RawAction) throws -> [LocatedToken] {
        let body = action.body
        var result: [LocatedToken] = []
        var i = 0
        func here(_ offset: Int) -> GoTemplatePosition {
            var line = action.position.line, column = action.position.column
            for c in body[0..<offset] { if c == "\n" { line += 1; column = 1 } else { column += 1 } }
            return GoTemplatePosition(line: line, column: column)
        }
        func isIdentChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        func fieldChain(_ start: Int) -> ([String], Int) {
            var names: [String] = []
            var j = start
            while j < body.count, body[j] == ".", j + 1 < body.count, isIdentChar(body[j + 1]) {
                var k = j + 1
                while k < body.count, isIdentChar(body[k]) { k += 1 }
                names.append(String(body[(j + 1)..<k]))
                j = k
            }
            return (names, j)
        }
        while i < body.count {
            let c = body[i]
            let start = i
            if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
            switch c {
            case "(": result.append(LocatedToken(token: .leftParen, position: here(start))); i += 1
            case ")":
                result.append(LocatedToken(token: .rightParen, position: here(start))); i += 1
                let (names, next) = fieldChain(i)
                if !names.isEmpty { result.append(LocatedToken(token: .field(names), position: here(i))); i = next }
            case "|": result.append(LocatedToken(token: .pipe, position: here(start))); i += 1
            case ",": result.append(LocatedToken(token: .comma, position: here(start))); i += 1
            case ":":
                guard i + 1 < body.count, body[i + 1] == "=" else { throw error("expected :=", here(start)) }
                result.append(LocatedToken(token: .declare, position: here(start))); i += 2
            case "=": result.append(LocatedToken(token: .assign, position: here(start))); i += 1
            case ".":
                let (names, next) = fieldChain(i)
                if names.isEmpty {
                    result.append(LocatedToken(token: .dot, position: here(start))); i += 1
                } else {
                    result.append(LocatedToken(token: .field(names), position: here(start))); i = next
                }
            case "$":
                var j = i + 1
                while j < body.count, isIdentChar(body[j]) { j += 1 }
                let name = String(body[i..<j])
                let (names, next) = fieldChain(j)
                result.append(LocatedToken(token: .variable(name, names), position: here(start)))
                i = next
            case "\"":
                var value = ""
                var j = i + 1
                var closed = false
                while j < body.count {
                    let d = body[j]
                    if d == "\"" { closed = true; j += 1; break }
                    if d == "\\" {
                        guard j + 1 < body.count else { break }
                        let e = body[j + 1]
                        switch e {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        case "r": value.append("\r")
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "'": value.append("'")
                        case "0": value.append("\0")
                        default: throw error("invalid escape sequence \\\(e) in string", here(j))
                        }
                        j += 2
                        continue
                    }
                    value.append(d); j += 1
                }
                guard closed else { throw error("unterminated quoted string", here(start)) }
                result.append(LocatedToken(token: .string(value), position: here(start))); i = j
            case "`":
                var j = i + 1
                while j < body.count, body[j] != "`" { j += 1 }
                guard j < body.count else { throw error("unterminated raw quoted string", here(start)) }
                result.append(LocatedToken(token: .string(String(body[(i + 1)..<j])), position: here(start))); i = j + 1
            case "'":
                guard i + 2 < body.count, body[i + 2] == "'" else { throw error("malformed character constant", here(start)) }
                let scalar = body[i + 1].unicodeScalars.first!.value
                result.append(LocatedToken(token: .number(.int(Int(scalar))), position: here(start))); i += 3
            default:
                if c.isNumber || ((c == "-" || c == "+") && i + 1 < body.count && body[i + 1].isNumber) {
                    var j = i + 1
                    while j < body.count, body[j].isNumber || body[j] == "." || body[j] == "_" || body[j] == "e" { j += 1 }
                    let literal = String(body[i..<j]).replacingOccurrences(of: "_", with: "")
                    if let int = Int(literal) {
                        result.append(LocatedToken(token: .number(.int(int)), position: here(start)))
                    } else if let double = Double(literal) {
                        result.append(LocatedToken(token: .number(.float(double)), position: here(start)))
                    } else {
                        throw error("bad number syntax: \"\(literal)\"", here(start))
                    }
                    i = j
                } else if isIdentChar(c) {
                    var j = i
                    while j < body.count, isIdentChar(body[j]) { j += 1 }
                    result.append(LocatedToken(token: .identifier(String(body[i..<j])), position: here(start))); i = j
                } else {
                    throw error("unexpected \"\(c)\" in command", here(start))
                }
            }
        }
        return result
    }
}

import Foundation
