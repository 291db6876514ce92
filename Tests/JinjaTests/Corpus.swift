import Foundation
import Jinja

/// The conformance corpus: `Fixtures/cases.txt` (templates, contexts, extra files) and
/// `Fixtures/expected.json` (what Python Jinja2 3.1 rendered for each, from `Fixtures/generate.py`).
struct CorpusCase: Sendable, CustomStringConvertible {
    var name: String
    var template: String
    var context: [String: Value]
    var files: [String: String]
    var description: String { name }
}

struct ExpectedError: Sendable {
    var kind: String
    var template: String?
    var line: Int?
    var message: String
}

enum Expected: Sendable {
    case output(String)
    case error(ExpectedError)
}

enum Corpus {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let cases: [CorpusCase] = {
        let text = (try? String(contentsOf: fixtures.appendingPathComponent("cases.txt"), encoding: .utf8)) ?? ""
        var cases: [CorpusCase] = []
        var current: CorpusCase? = nil
        var section: (kind: String, argument: String?) = ("template", nil)
        var buffer: [String] = []
        func close() {
            guard current != nil else { return }
            let body = buffer.joined(separator: "\n")
            switch section.kind {
            case "template": current!.template = body
            case "context":
                if case .dict(let d)? = try? MiniJSON.parse(body.isEmpty ? "{}" : body) {
                    for (k, v) in d.pairs { current!.context[k.stringValue!] = v }
                }
            case "file": current!.files[section.argument ?? ""] = body
            default: break
            }
            buffer = []
        }
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("=== ") {
                close()
                if let c = current { cases.append(c) }
                current = CorpusCase(name: String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces), template: "", context: [:], files: [:])
                section = ("template", nil)
            } else if line.hasPrefix("--- "), current != nil {
                close()
                let parts = line.dropFirst(4).split(separator: " ", maxSplits: 1).map(String.init)
                section = (parts[0], parts.count > 1 ? parts[1] : nil)
            } else if current != nil {
                buffer.append(line)
            }
        }
        close()
        if let c = current { cases.append(c) }
        return cases
    }()

    static let expected: [String: Expected] = {
        guard let data = try? Data(contentsOf: fixtures.appendingPathComponent("expected.json")),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let all = root["cases"] as? [String: [String: Any]] else { return [:] }
        var out: [String: Expected] = [:]
        for (name, entry) in all {
            if let o = entry["output"] as? String {
                out[name] = .output(o)
            } else if let e = entry["error"] as? [String: Any] {
                out[name] = .error(ExpectedError(kind: e["kind"] as? String ?? "", template: e["template"] as? String,
                                                 line: e["line"] as? Int, message: e["message"] as? String ?? ""))
            }
        }
        return out
    }()

    /// The environment the generator used: bakery's settings plus stand-ins for its `split` and `quote`.
    static func environment(files: [String: String]) -> Environment {
        var env = Environment(loader: DictionaryLoader(files))
        env.filters["split"] = { v, a, _ in
            guard let s = v.stringValue else { throw JinjaError(.type, "split expects a string") }
            let sep = a.value(0, "sep")?.stringValue
            if let sep { return .list(s.components(separatedBy: sep).map { .string($0) }) }
            return .list(s.split(whereSeparator: { $0.isWhitespace }).map { .string(String($0)) })
        }
        env.filters["quote"] = { v, _, _ in .string("\"\(v.stringValue ?? "")\"") }
        return env
    }

    static func render(_ c: CorpusCase) -> Result<String, JinjaError> {
        var files = c.files
        files["main.j2"] = c.template
        let env = environment(files: files)
        do {
            return .success(try env.template(named: "main.j2").render(c.context, environment: env))
        } catch let e as JinjaError {
            return .failure(e)
        } catch {
            return .failure(JinjaError(.value, "unexpected non-Jinja error: \(error)"))
        }
    }
}

/// A small JSON reader that keeps object key order (contexts iterate dicts in file order, as Python does).
enum MiniJSON {
    struct Failure: Error {}

    static func parse(_ text: String) throws -> Value {
        var p = Array(text.unicodeScalars)[...]
        let v = try value(&p)
        skip(&p)
        guard p.isEmpty else { throw Failure() }
        return v
    }

    private static func skip(_ p: inout ArraySlice<Unicode.Scalar>) {
        while let c = p.first, c == " " || c == "\n" || c == "\t" || c == "\r" { p.removeFirst() }
    }

    private static func value(_ p: inout ArraySlice<Unicode.Scalar>) throws -> Value {
        skip(&p)
        guard let c = p.first else { throw Failure() }
        switch c {
        case "{":
            p.removeFirst()
            var d = Dict()
            skip(&p)
            if p.first == "}" { p.removeFirst(); return .dict(d) }
            while true {
                skip(&p)
                let k = try string(&p)
                skip(&p)
                guard p.popFirst() == ":" else { throw Failure() }
                d[string: k] = try value(&p)
                skip(&p)
                let sep = p.popFirst()
                if sep == "}" { return .dict(d) }
                guard sep == "," else { throw Failure() }
            }
        case "[":
            p.removeFirst()
            var a: [Value] = []
            skip(&p)
            if p.first == "]" { p.removeFirst(); return .list(a) }
            while true {
                a.append(try value(&p))
                skip(&p)
                let sep = p.popFirst()
                if sep == "]" { return .list(a) }
                guard sep == "," else { throw Failure() }
            }
        case "\"":
            return .string(try string(&p))
        default:
            var token = ""
            while let d = p.first, !",]} \n\t\r".unicodeScalars.contains(d) { token.unicodeScalars.append(d); p.removeFirst() }
            switch token {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .none
            default:
                if let i = Int(token) { return .int(i) }
                if let d = Double(token) { return .float(d) }
                throw Failure()
            }
        }
    }

    private static func string(_ p: inout ArraySlice<Unicode.Scalar>) throws -> String {
        guard p.popFirst() == "\"" else { throw Failure() }
        var out = String.UnicodeScalarView()
        while let c = p.popFirst() {
            if c == "\"" { return String(out) }
            if c == "\\" {
                guard let e = p.popFirst() else { throw Failure() }
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "u":
                    let hex = String(String.UnicodeScalarView(p.prefix(4)))
                    p.removeFirst(4)
                    guard let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) else { throw Failure() }
                    out.append(s)
                default: out.append(e)
                }
            } else {
                out.append(c)
            }
        }
        throw Failure()
    }
}
