import BakeryYAML
import Foundation
import Jinja

/// Template context values built from YAML/JSON documents and `KEY=VALUE` assignments, with
/// located errors (`BakeryError`: `.invalidArgument` for a bad file or assignment, `.yamlSyntax`
/// and `.invalidValue` for a values file that is not a mapping of names to values).
public enum TemplateValues {
    /// The mapping in a YAML or JSON file (JSON is read as YAML 1.2), as template variables.
    public static func load(file path: String) throws -> [String: Value] {
        let data: Data
        switch RegularFile.kind(path) {
        case .missing: throw BakeryError(.invalidArgument, "\(path): no such file (give a YAML or JSON file of template values)")
        case .directory: throw BakeryError(.invalidArgument, "\(path): is a directory, not a values file")
        case .regular:
            do { data = try RegularFile.read(path) } catch { throw BakeryError(.invalidArgument, "\(path): cannot be read (check its permissions)") }
        case let kind:
            // A FIFO would block the render; a device is never a values file.
            throw BakeryError(.invalidArgument, "\(path): is \(kind.words), not a regular file (give a YAML or JSON file of template values)")
        }
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(bytes: Array(data))
        } catch {
            throw BakeryError(.yamlSyntax, "\(path):\(error.description)", cause: error)
        }
        guard let root else { return [:] }
        guard case .dict(let d) = try value(root, path: path) else {
            throw BakeryError(.invalidValue, "\(path):\(root.start): the values file must hold a mapping of variable names to values, not a \(root.kind.rawValue)")
        }
        var out: [String: Value] = [:]
        for (k, v) in d.pairs { out[k.stringValue ?? ""] = v }
        return out
    }

    /// A YAML node as a template value: mappings become dicts (keys in file order), sequences lists,
    /// scalars YAML 1.2 core-schema typed (`true`, `1`, `1.5`, `null`; quoted text stays text).
    public static func value(_ node: YAMLNode, path: String = "<values>") throws -> Value {
        switch node.content {
        case .scalar:
            switch node.resolved {
            case .null?: return .none
            case .bool(let b)?: return .bool(b)
            case .int(let text, let v)?:
                guard let v else { throw BakeryError(.invalidValue, "\(path):\(node.start): integer \(text) does not fit in 64 bits; quote it to use it as text") }
                return .int(v)
            case .float(let text)?: return .float(floatValue(text))
            case .string(let s)?: return .string(s)
            case nil: return .string(node.scalar ?? "")
            }
        case .sequence:
            return .list(try node.items.map { try value($0, path: path) })
        case .mapping:
            var d = Dict()
            for pair in node.pairs {
                let key = try value(pair.key, path: path)
                guard key.stringValue != nil else {
                    throw BakeryError(.invalidValue, "\(path):\(pair.key.start): template variable names must be strings; quote the key")
                }
                try d.set(key, try value(pair.value, path: path))
            }
            return .dict(d)
        }
    }

    static func floatValue(_ text: String) -> Double {
        let t = text.lowercased().replacingOccurrences(of: "_", with: "")
        switch t {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default: return Double(t) ?? .nan
        }
    }

    /// The most dotted names one `--value` key may have.
    public static let maxKeyDepth = 64

    /// Applies `KEY=VALUE` (dotted keys create nested mappings: `Image.Version=1.0`). The value is text.
    public static func assign(_ assignment: String, into values: inout [String: Value]) throws {
        guard let eq = assignment.unicodeScalars.firstIndex(of: "=") else {
            throw BakeryError(.invalidArgument, "--value \(assignment): expected KEY=VALUE, e.g. --value Image.Version=2026.03.1")
        }
        let key = String(assignment.unicodeScalars[..<eq])
        // Bounded before splitting: a key of 20,000 dotted parts must not recurse 20,000 levels.
        let dots = key.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: ".") ? 1 : 0) }
        guard dots < maxKeyDepth else {
            throw BakeryError(.invalidArgument, "--value: the key nests \(dots + 1) names deep; at most \(maxKeyDepth) are allowed (e.g. Image.Version)")
        }
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, !parts.contains(where: { $0.isEmpty }) else {
            throw BakeryError(.invalidArgument, "--value \(assignment): the key must be a name or dotted names, e.g. Image.Version")
        }
        let text = Value.string(String(assignment.unicodeScalars[assignment.unicodeScalars.index(after: eq)...]))
        values[parts[0]] = try set(values[parts[0]], Array(parts.dropFirst()), text, key: key)
    }

    private static func set(_ existing: Value?, _ path: [String], _ value: Value, key: String) throws -> Value {
        guard let head = path.first else { return value }
        var d = Dict()
        if let existing {
            guard case .dict(let current) = existing else {
                throw BakeryError(.invalidArgument, "--value \(key)=…: a part of \(key) is already set to a value that is not a mapping")
            }
            d = current
        }
        d[string: head] = try set(d[string: head], Array(path.dropFirst()), value, key: key)
        return .dict(d)
    }

    /// What bakery writes for a rendered file: trailing spaces and tabs removed from every line,
    /// exactly one final newline (empty output stays empty).
    public static func normalizeRendered(_ text: String) -> String {
        var lines = text.components(separatedBy: "\n").map { line -> String in
            var l = Substring(line)
            while let last = l.last, last == " " || last == "\t" { l = l.dropLast() }
            return String(l)
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
