// Reads typed values out of YAML nodes, recording located diagnostics instead of stopping at the first.
import BakeryYAML
import Foundation

/// Collects diagnostics while the config types decode themselves from YAML nodes.
///
///     let reader = ConfigReader(file: "bakery.yaml")
///     if let fields = reader.object(node, at: path, keys: ["name", "primary"]) {
///         let name = fields.string("name", required: true)
///     }
///     reader.diagnostics   // every problem, in the order found
final class ConfigReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func location(_ node: YAMLNode) -> SourceLocation {
        let mark = node.reportMark
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func report(_ severity: Diagnostic.Severity, _ code: BakeryError.Code, _ node: YAMLNode?, _ path: ConfigPath,
                _ message: String, hint: String? = nil) {
        // Every diagnostic gets a location; one about the document as a whole points at its start.
        let where_ = node.map(location) ?? SourceLocation(file: file, line: 1, column: 1)
        diagnostics.append(Diagnostic(severity, message, code: code, location: where_, path: path, hint: hint))
    }

    func error(_ node: YAMLNode?, _ path: ConfigPath, _ message: String, hint: String? = nil, code: BakeryError.Code = .invalidValue) {
        report(.error, code, node, path, message, hint: hint)
    }

    func warning(_ node: YAMLNode?, _ path: ConfigPath, _ message: String, hint: String? = nil, code: BakeryError.Code = .invalidValue) {
        report(.warning, code, node, path, message, hint: hint)
    }

    func info(_ node: YAMLNode?, _ path: ConfigPath, _ message: String) {
        report(.info, .notice, node, path, message)
    }

    var errorCount: Int { diagnostics.reduce(0) { $0 + ($1.severity == .error ? 1 : 0) } }

    /// What a node is, for "expected X, found Y" messages.
    static func describe(_ node: YAMLNode) -> String {
        switch node.kind {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar:
            guard let value = node.resolved else { return "a value" }
            switch value {
            case .null: return "nothing (null)"
            case .string(let s): return "the string '\(s)'"
            case .bool(let b): return "the boolean \(b)"
            case .int(let text, _): return "the integer \(text)"
            case .float(let text): return "the number \(text)"
            }
        }
    }

    /// Opens a mapping and checks its keys. Unknown keys are warnings (errors where the reference
    /// forbids extra keys), with a did-you-mean suggestion.
    func object(_ node: YAMLNode, at path: ConfigPath, keys: [String], forbidUnknown: Bool = false,
                what: String) -> Fields? {
        guard node.kind == .mapping else {
            error(node, path, "expected \(what) (a mapping of keys), found \(Self.describe(node))",
                  hint: node.kind == .scalar && node.resolved == .null
                      ? "fill in its keys or remove the entry" : "write it as 'key: value' lines", code: .invalidType)
            return nil
        }
        for pair in node.pairs {
            guard let key = pair.key.scalar, pair.key.kind == .scalar else {
                error(pair.key, path, "keys must be plain names, found \(Self.describe(pair.key))", code: .invalidType)
                continue
            }
            if keys.contains(key) { continue }
            let keyPath = path.key(key)
            let hint = Self.suggestion(for: key, among: keys).map { "did you mean '\($0)'?" }
                ?? "known keys: \(keys.joined(separator: ", "))"
            if forbidUnknown {
                error(pair.key, keyPath, "unknown key '\(key)' in \(what)", hint: hint, code: .unknownKey)
            } else {
                warning(pair.key, keyPath, "unknown key '\(key)' in \(what) is ignored", hint: hint, code: .unknownKey)
            }
        }
        return Fields(reader: self, node: node, path: path)
    }

    /// The closest known key within edit distance 2 (or equal ignoring case).
    static func suggestion(for key: String, among keys: [String]) -> String? {
        var best: (String, Int)?
        for candidate in keys {
            let distance = candidate.lowercased() == key.lowercased() ? 0 : editDistance(key, candidate)
            let limit = max(1, min(2, candidate.count / 3))
            if distance <= limit, best.map({ distance < $0.1 }) ?? true { best = (candidate, distance) }
        }
        return best?.0
    }

    /// Damerau–Levenshtein (optimal string alignment) distance: a swap of two letters counts once.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }

    // MARK: Scalars

    /// A strict string: quoted, or plain text that YAML does not read as a number, boolean or null.
    func string(_ node: YAMLNode, _ path: ConfigPath) -> String? {
        guard node.kind == .scalar, let value = node.resolved else {
            error(node, path, "expected a string, found \(Self.describe(node))", code: .invalidType)
            return nil
        }
        switch value {
        case .string(let s):
            return s
        case .int(let text, _), .float(let text):
            error(node, path, "expected a string, found \(Self.describe(node))",
                  hint: "YAML reads unquoted \(text) as a number; quote it: '\(text)'", code: .invalidType)
        case .bool:
            error(node, path, "expected a string, found \(Self.describe(node))",
                  hint: "quote it: '\(node.scalar ?? "")'", code: .invalidType)
        case .null:
            error(node, path, "expected a string, found nothing (null)", hint: "give a value or remove the key", code: .invalidType)
        }
        return nil
    }

    /// Booleans as the reference accepts them: YAML booleans, 0/1, and the strings
    /// true/false/yes/no/on/off/y/n/t/f/1/0 in any case.
    func bool(_ node: YAMLNode, _ path: ConfigPath) -> Bool? {
        if let value = node.resolved {
            switch value {
            case .bool(let b): return b
            case .int(_, let v) where v == 0 || v == 1: return v == 1
            case .string(let s):
                switch s.lowercased() {
                case "true", "yes", "on", "y", "t", "1": return true
                case "false", "no", "off", "n", "f", "0": return false
                default: break
                }
            default: break
            }
        }
        error(node, path, "expected true or false, found \(Self.describe(node))", hint: "write true or false", code: .invalidType)
        return nil
    }

    /// Integers (also integral floats and numeric strings, as the reference accepts them).
    func int(_ node: YAMLNode, _ path: ConfigPath) -> Int? {
        if let value = node.resolved {
            switch value {
            case .int(_, let v?): return v
            case .float(let text): if let d = Double(text.replacingOccurrences(of: "_", with: "")), d.rounded() == d, abs(d) < 1e15 { return Int(d) }
            case .string(let s): if let v = Int(s.trimmingCharacters(in: .whitespaces)) { return v }
            default: break
            }
        }
        error(node, path, "expected a whole number, found \(Self.describe(node))", code: .invalidType)
        return nil
    }

    /// A list; a single node that is not a list is an error (no implicit wrapping).
    func list(_ node: YAMLNode, _ path: ConfigPath, of what: String) -> [YAMLNode]? {
        guard node.kind == .sequence else {
            let hint = node.kind == .scalar && node.resolved != .null
                ? "write it as a list: '- \(node.scalar ?? "")'" : "write it as a list of \(what), one '- ' entry each, or remove the key"
            error(node, path, "expected a list of \(what), found \(Self.describe(node))", hint: hint, code: .invalidType)
            return nil
        }
        return node.items
    }
}

/// A checked mapping: typed accessors by key, each reporting under `path.key(name)`.
struct Fields {
    let reader: ConfigReader
    let node: YAMLNode
    let path: ConfigPath

    subscript(key: String) -> YAMLNode? { node[key] }

    func has(_ key: String) -> Bool { node[key] != nil }

    /// The value node, or nil. `required` reports a missing key at the mapping's position.
    func value(_ key: String, required: Bool = false, hint: String? = nil) -> YAMLNode? {
        if let v = node[key] { return v }
        if required {
            reader.error(node, path.key(key), "missing required key '\(key)'",
                         hint: hint ?? "add '\(key): …' to this entry", code: .missingKey)
        }
        return nil
    }

    func string(_ key: String, required: Bool = false, hint: String? = nil) -> String? {
        guard let v = value(key, required: required, hint: hint) else { return nil }
        return reader.string(v, path.key(key))
    }

    /// A string that may be null (YAML `~` or empty) meaning "not set".
    func optionalString(_ key: String) -> String? {
        guard let v = node[key], v.resolved != .null else { return nil }
        return reader.string(v, path.key(key))
    }

    func bool(_ key: String) -> Bool? {
        guard let v = node[key] else { return nil }
        return reader.bool(v, path.key(key))
    }

    func int(_ key: String) -> Int? {
        guard let v = node[key] else { return nil }
        return reader.int(v, path.key(key))
    }

    /// A decoded list item with the node and position it came from (for diagnostics about it later).
    struct Entry<T> {
        let index: Int
        let node: YAMLNode
        let value: T
    }

    /// Each item of a list decoded by `decode`, with its node and index; failed items are dropped (their errors are recorded).
    func entries<T>(_ key: String, of what: String, _ decode: (YAMLNode, ConfigPath) -> T?) -> [Entry<T>] {
        guard let v = node[key], let items = reader.list(v, path.key(key), of: what) else { return [] }
        return items.enumerated().compactMap { i, item in
            decode(item, path.key(key).index(i)).map { Entry(index: i, node: item, value: $0) }
        }
    }

    /// Each item of a list decoded by `decode`; failed items are dropped (their errors are recorded).
    func list<T>(_ key: String, of what: String, _ decode: (YAMLNode, ConfigPath) -> T?) -> [T] {
        entries(key, of: what, decode).map(\.value)
    }

    func stringList(_ key: String, of what: String) -> [String] {
        list(key, of: what) { reader.string($0, $1) }
    }

    /// A mapping of string keys to string values (`values:`).
    func stringMap(_ key: String) -> [(key: String, value: String)] {
        guard let v = node[key] else { return [] }
        guard v.kind == .mapping else {
            reader.error(v, path.key(key), "expected a mapping of names to strings, found \(ConfigReader.describe(v))",
                         hint: "write 'name: \"value\"' lines", code: .invalidType)
            return []
        }
        return v.pairs.compactMap { pair in
            guard let k = reader.string(pair.key, path.key(key)) else { return nil }
            guard let value = reader.string(pair.value, path.key(key).key(k)) else { return nil }
            return (k, value)
        }
    }

    /// A string that must match a pattern (e.g. an extension); `rule` explains the pattern to the user.
    func patterned(_ key: String, matches: (String) -> Bool, what: String, rule: String) -> String? {
        guard let v = node[key], let s = reader.string(v, path.key(key)) else { return nil }
        guard matches(s) else {
            reader.error(v, path.key(key), "'\(s)' is not a valid \(what)", hint: rule)
            return nil
        }
        return s
    }
}
