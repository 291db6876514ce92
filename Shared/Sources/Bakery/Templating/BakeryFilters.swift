import Foundation
import Jinja

/// The filters and globals bakery adds to Jinja2's: available in tag
/// patterns, matrix name patterns and every image template.
public enum BakeryFilters {
    /// Registers `tagSafe`, `stripMetadata`, `stripPatch`, `condense`, `regexReplace`, `quote`,
    /// `split` and the global `raise(message)`.
    public static func install(into environment: inout Environment) {
        environment.filters["tagSafe"] = { v, a, _ in
            try a.check("tagSafe", names: [])
            return .string(tagSafe(try text(v, "tagSafe")))
        }
        environment.filters["stripMetadata"] = { v, a, _ in
            try a.check("stripMetadata", names: [])
            return .string(stripMetadata(try text(v, "stripMetadata")))
        }
        environment.filters["stripPatch"] = { v, a, _ in
            try a.check("stripPatch", names: [])
            return .string(stripPatch(try text(v, "stripPatch")))
        }
        environment.filters["condense"] = { v, a, _ in
            try a.check("condense", names: [])
            return .string(condense(try text(v, "condense")))
        }
        environment.filters["regexReplace"] = { v, a, _ in
            try a.check("regexReplace", names: ["find", "replace"])
            guard let find = a.value(0, "find"), let replace = a.value(1, "replace") else {
                throw JinjaError(.type, "regexReplace(find, replace) needs both a pattern and a replacement")
            }
            return .string(try regexReplace(try text(v, "regexReplace"), pattern: try text(find, "regexReplace pattern"),
                                            replacement: try text(replace, "regexReplace replacement")))
        }
        environment.filters["quote"] = { v, a, _ in
            try a.check("quote", names: [])
            return .string("\"" + (try render(v)) + "\"")
        }
        environment.filters["split"] = { v, a, _ in
            try a.check("split", names: ["sep"])
            let s = try text(v, "split")
            let separator = a.value(0, "sep").flatMap { $0.isNone ? nil : $0.stringValue }
            if let separator {
                guard !separator.isEmpty else { throw JinjaError(.value, "split: empty separator") }
                return .list(s.components(separatedBy: separator).map { .string($0) })
            }
            return .list(s.split(whereSeparator: { $0.isWhitespace }).map { .string(String($0)) })
        }
        environment.globals["raise"] = .function(Function(name: "raise") { args, _ in
            let message = try args.positional.first.map(render) ?? "raise() called"
            throw JinjaError(.raised, message)
        })
    }

    private static func text(_ v: Value, _ what: String) throws -> String {
        if let s = v.stringValue { return s }
        if case .undefined(let u) = v { throw JinjaError(.undefined, u.message) }
        return try render(v)
    }

    private static func render(_ v: Value) throws -> String {
        if let s = v.stringValue { return s }
        return try Environment().render(source: "{{ v }}", context: ["v": v])
    }

    static func isTagCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "." || c == "-")
    }

    /// Characters outside `[a-zA-Z0-9_.-]` become `-`; then leading and trailing `-`, `.`, `_` go.
    public static func tagSafe(_ s: String) -> String {
        let replaced = String(s.map { isTagCharacter($0) ? $0 : "-" })
        return String(replaced.drop(while: { "-._".contains($0) }).reversed().drop(while: { "-._".contains($0) }).reversed())
    }

    /// Drops everything from the last `+` or `-` on: `2025.05.1+513.pro3` → `2025.05.1`.
    public static func stripMetadata(_ s: String) -> String {
        guard let i = s.lastIndex(where: { $0 == "+" || $0 == "-" }) else { return s }
        return String(s[..<i])
    }

    /// Every `N.N.N[.N…]` run keeps its first two components: `R4.4.3-python3.13.12` → `R4.4-python3.13`.
    public static func stripPatch(_ s: String) -> String {
        // Scan runs of digits and dots: a run N.N.N… keeps its first two components.
        let chars = Array(s)
        var out = ""
        var i = 0
        while i < chars.count {
            guard chars[i].isASCII, chars[i].isNumber else { out.append(chars[i]); i += 1; continue }
            // Read components separated by single dots.
            var components: [String] = []
            var j = i
            while j < chars.count {
                var k = j
                while k < chars.count, chars[k].isASCII, chars[k].isNumber { k += 1 }
                guard k > j else { break }
                components.append(String(chars[j..<k]))
                j = k
                if j + 1 < chars.count, chars[j] == ".", chars[j + 1].isASCII, chars[j + 1].isNumber { j += 1 } else { break }
            }
            if components.count >= 3 {
                out += components[0] + "." + components[1]
            } else {
                out += components.joined(separator: ".")
            }
            i = j
        }
        return out
    }

    /// Removes spaces, `.` and `-`.
    public static func condense(_ s: String) -> String {
        String(s.filter { $0 != " " && $0 != "." && $0 != "-" })
    }

    /// Python `re.sub(pattern, replacement, s)`: `\1`, `\g<1>`, `\g<name>` in the replacement,
    /// `(?P<name>…)` and `(?P=name)` in the pattern.
    public static func regexReplace(_ s: String, pattern: String, replacement: String) throws -> String {
        let icuPattern = pattern
            .replacingOccurrences(of: "(?P<", with: "(?<")
            .replacingOccurrences(of: #"\(\?P=(\w+)\)"#, with: #"\\k<$1>"#, options: .regularExpression)
        let regex: NSRegularExpression
        if let problem = RegexSafety.problem(pattern) {
            throw JinjaError(.value, "regexReplace: the pattern \(Python.quoted(pattern)) is refused: \(problem)")
        }
        do {
            regex = try NSRegularExpression(pattern: icuPattern)
        } catch {
            throw JinjaError(.value, "regexReplace: invalid regular expression \(Python.quoted(pattern))")
        }
        let parts = try replacementParts(replacement)
        let ns = s as NSString
        var out = ""
        var last = 0
        for match in RegexWatchdog.run(pattern, what: "regexReplace", { regex.matches(in: s, range: NSRange(location: 0, length: ns.length)) }) {
            out += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            for part in parts {
                switch part {
                case .text(let t): out += t
                case .group(let n):
                    guard n < match.numberOfRanges else { throw JinjaError(.value, "regexReplace: invalid group reference \(n)") }
                    let r = match.range(at: n)
                    if r.location != NSNotFound { out += ns.substring(with: r) }
                case .named(let name):
                    let r = match.range(withName: name)
                    guard r.location != NSNotFound || icuPattern.contains("(?<\(name)>") else {
                        throw JinjaError(.value, "regexReplace: unknown group name '\(name)'")
                    }
                    if r.location != NSNotFound { out += ns.substring(with: r) }
                }
            }
            last = match.range.location + match.range.length
        }
        out += ns.substring(from: last)
        return out
    }

    enum ReplacementPart: Equatable {
        case text(String)
        case group(Int)
        case named(String)
    }

    /// Splits a Python `re` replacement string into text and group references.
    static func replacementParts(_ replacement: String) throws -> [ReplacementPart] {
        var parts: [ReplacementPart] = []
        var text = ""
        func flush() {
            if !text.isEmpty { parts.append(.text(text)); text = "" }
        }
        var chars = Array(replacement)[...]
        while let c = chars.popFirst() {
            guard c == "\\" else { text.append(c); continue }
            guard let next = chars.popFirst() else {
                throw JinjaError(.value, "regexReplace: bad escape (end of replacement)")
            }
            if next.isASCII, let d = next.wholeNumberValue {
                var n = d
                if let second = chars.first, second.isASCII, let d2 = second.wholeNumberValue {
                    n = n * 10 + d2
                    chars.removeFirst()
                }
                flush()
                parts.append(.group(n))
            } else if next == "g" {
                guard chars.first == "<", let close = chars.firstIndex(of: ">") else {
                    throw JinjaError(.value, "regexReplace: missing group name after \\g")
                }
                let name = String(chars[chars.index(after: chars.startIndex)..<close])
                chars = chars[chars.index(after: close)...]
                flush()
                if let n = Int(name) { parts.append(.group(n)) } else { parts.append(.named(name)) }
            } else {
                switch next {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "\\": text.append("\\")
                default: text.append("\\"); text.append(next)
                }
            }
        }
        flush()
        return parts
    }
}

private enum Python {
    static func quoted(_ s: String) -> String { "'" + s + "'" }
}
