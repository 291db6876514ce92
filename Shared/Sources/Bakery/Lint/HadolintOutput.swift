// hadolint's JSON output: `[{code, column, file, level, line, message}]`, read strictly and without traps.
import Foundation

/// Reads hadolint's `--format json` output.
public enum HadolintOutput {
    /// What hadolint printed, understood: the findings, and the JSON as printed (its keys in
    /// hadolint's order, any keys bakery does not know kept) for the results file.
    public struct Parsed: Sendable {
        public var findings: [HadolintFinding]
        public var json: JSONValue

        /// The results file's bytes: indented by 2, non-ASCII escaped, no final newline (Python's `json.dump(indent=2)`).
        public var resultsFileData: Data { Data(json.text(.pretty).utf8) }
    }

    /// Nesting deeper than this is no hadolint output (which is two levels deep); refusing it
    /// keeps the recursive JSON reader far from the end of its stack, whatever a tool prints.
    static let maxDepth = 16

    /// The findings in `output`, or why it is not hadolint's JSON (for the log: "not valid JSON",
    /// "item 3: 'line' is missing or not a whole number", …).
    public static func parse(_ output: [UInt8]) -> Result<Parsed, ParseFailure> {
        if let problem = nestingProblem(output) { return .failure(ParseFailure(problem)) }
        let text = String(decoding: output, as: UTF8.self)
        guard let json = JSONValue.parse(text) else {
            let trimmed = text.trimmingWhitespace
            return .failure(ParseFailure(trimmed.isEmpty ? "the output is empty" : "the output is not valid JSON"))
        }
        guard case .array(let items) = json else {
            return .failure(ParseFailure("expected a JSON list of findings, found \(describe(json))"))
        }
        var findings: [HadolintFinding] = []
        for (index, item) in items.enumerated() {
            let position = "item \(index + 1)"
            guard case .object = item else {
                return .failure(ParseFailure("\(position): expected an object, found \(describe(item))"))
            }
            func string(_ key: String) -> String? { if case .string(let s)? = item[key] { return s } else { return nil } }
            func int(_ key: String) -> Int? { if case .int(let i)? = item[key] { return i } else { return nil } }
            guard let code = string("code") else { return .failure(ParseFailure("\(position): 'code' is missing or not a string")) }
            guard let file = string("file") else { return .failure(ParseFailure("\(position): 'file' is missing or not a string")) }
            guard let message = string("message") else { return .failure(ParseFailure("\(position): 'message' is missing or not a string")) }
            guard let line = int("line") else { return .failure(ParseFailure("\(position): 'line' is missing or not a whole number")) }
            guard let column = int("column") else { return .failure(ParseFailure("\(position): 'column' is missing or not a whole number")) }
            guard let levelName = string("level"), let level = HadolintFinding.Level(rawValue: levelName) else {
                return .failure(ParseFailure("\(position): 'level' is missing or not one of error, warning, info, style"))
            }
            findings.append(HadolintFinding(code: code, column: column, file: file, level: level, line: line, message: message))
        }
        return .success(Parsed(findings: findings, json: json))
    }

    /// Why the output cannot be read as JSON of sane depth, or nil. Counts brackets outside strings.
    static func nestingProblem(_ bytes: [UInt8]) -> String? {
        var depth = 0
        var inString = false
        var escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxDepth { return "the output nests more than \(maxDepth) levels deep, which hadolint's JSON never does" }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return nil
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// Why hadolint's output could not be read.
    public struct ParseFailure: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }
}
