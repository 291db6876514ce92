// Tag patterns: Jinja templates for tag suffixes, each with the filters that decide which targets get it.
import BakeryYAML
import Foundation

/// One group of tag pattern strings and the targets they apply to.
///
///     TagPattern(patterns: ["{{ Version }}-{{ OS }}"], only: [.primaryVariant])
public struct TagPattern: Sendable, Hashable {
    public enum Filter: String, Sendable, Hashable, CaseIterable {
        case all, latest, latestPatch, primaryOS, primaryVariant, channelLatest
    }

    public var patterns: [String]
    public var only: [Filter]

    public init(patterns: [String], only: [Filter] = [.all]) {
        self.patterns = patterns
        self.only = only
    }

    /// `^([a-z0-9-_.]|\{\{.+?\}\})+$`: lower-case letters, digits and `-_.` outside `{{ … }}` expressions.
    ///
    /// Matched by hand, character by character as the regular expression would: an expression is
    /// `{{`, at least one character other than a line break, and a `}}` after which the rest of the
    /// pattern is valid (so `{{ a }}b}}` is one expression if `b}}` alone would not be valid).
    public static func isValidPattern(_ s: String) -> Bool {
        let chars = Array(s)
        guard !chars.isEmpty else { return false }
        // reachable[k]: chars[..<k] is a sequence of valid items. One pass: expressions opened at
        // reachable positions stay open (from the earliest content start) until a line break.
        var reachable = [Bool](repeating: false, count: chars.count + 1)
        reachable[0] = true
        var openContentStart: Int? = nil
        for k in chars.indices {
            let c = chars[k]
            let isBrace = { (i: Int, brace: Character) in i + 1 < chars.count && chars[i] == brace && chars[i + 1] == brace }
            if reachable[k] {
                if c.isASCII, c.isLowercase || c.isNumber || c == "-" || c == "_" || c == "." { reachable[k + 1] = true }
                if isBrace(k, "{"), openContentStart == nil { openContentStart = k + 2 }
            }
            // `}}` at k closes every open expression with at least one character of content.
            if let start = openContentStart, k >= start + 1, isBrace(k, "}") { reachable[k + 2] = true }
            if c.isNewline { openContentStart = nil }
        }
        return reachable[chars.count]
    }

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> TagPattern? {
        guard let f = reader.object(node, at: path, keys: ["patterns", "only"], what: "tag pattern") else { return nil }
        let before = reader.errorCount
        guard f.value("patterns", required: true, hint: "add 'patterns: [\"{{ Version }}\"]'") != nil else { return nil }
        let patterns = f.list("patterns", of: "pattern strings") { node, p -> String? in
            guard let s = reader.string(node, p) else { return nil }
            guard isValidPattern(s) else {
                reader.error(node, p, "'\(s)' is not a valid tag pattern",
                             hint: "outside '{{ … }}' only lower-case letters, digits, '-', '_' and '.' are allowed")
                return nil
            }
            return s
        }
        var only: [Filter] = [.all]
        if f.has("only") {
            only = f.list("only", of: "filters") { node, p -> Filter? in
                guard let s = reader.string(node, p) else { return nil }
                guard let filter = Filter(rawValue: s) else {
                    let hint = ConfigReader.suggestion(for: s, among: Filter.allCases.map(\.rawValue)).map { "did you mean '\($0)'? " } ?? ""
                    reader.error(node, p, "unknown tag filter '\(s)'",
                                 hint: hint + "one of: " + Filter.allCases.map(\.rawValue).joined(separator: ", "))
                    return nil
                }
                return filter
            }
        }
        guard reader.errorCount == before else { return nil }
        return TagPattern(patterns: patterns, only: only)
    }

    /// Defaults for images without a matrix.
    public static let defaultPatterns: [TagPattern] = [
        TagPattern(patterns: ["{{ Version }}-{{ OS }}-{{ Variant }}", "{{ Version | stripMetadata }}-{{ OS }}-{{ Variant }}"], only: [.all]),
        TagPattern(patterns: ["{{ Version }}-{{ Variant }}", "{{ Version | stripMetadata }}-{{ Variant }}"], only: [.primaryOS]),
        TagPattern(patterns: ["{{ Version }}-{{ OS }}", "{{ Version | stripMetadata }}-{{ OS }}"], only: [.primaryVariant]),
        TagPattern(patterns: ["{{ Version }}", "{{ Version | stripMetadata }}"], only: [.primaryOS, .primaryVariant]),
        TagPattern(patterns: ["{{ OS }}-{{ Variant }}"], only: [.latest]),
        TagPattern(patterns: ["{{ OS }}"], only: [.latest, .primaryVariant]),
        TagPattern(patterns: ["{{ Variant }}"], only: [.latest, .primaryOS]),
        TagPattern(patterns: ["latest"], only: [.latest, .primaryOS, .primaryVariant]),
        TagPattern(patterns: ["{{ Channel }}-{{ OS }}-{{ Variant }}"], only: [.channelLatest]),
        TagPattern(patterns: ["{{ Channel }}-{{ Variant }}"], only: [.channelLatest, .primaryOS]),
        TagPattern(patterns: ["{{ Channel }}-{{ OS }}"], only: [.channelLatest, .primaryVariant]),
        TagPattern(patterns: ["{{ Channel }}"], only: [.channelLatest, .primaryOS, .primaryVariant]),
    ]

    /// Defaults for images with a matrix.
    public static let defaultMatrixPatterns: [TagPattern] = [
        TagPattern(patterns: ["{{ Version }}-{{ OS }}-{{ Variant }}"], only: [.all]),
        TagPattern(patterns: ["{{ Version | stripPatch }}-{{ OS }}-{{ Variant }}"], only: [.latestPatch]),
        TagPattern(patterns: ["{{ Version }}-{{ Variant }}"], only: [.primaryOS]),
        TagPattern(patterns: ["{{ Version | stripPatch }}-{{ Variant }}"], only: [.latestPatch, .primaryOS]),
        TagPattern(patterns: ["{{ Version }}-{{ OS }}"], only: [.primaryVariant]),
        TagPattern(patterns: ["{{ Version | stripPatch }}-{{ OS }}"], only: [.latestPatch, .primaryVariant]),
        TagPattern(patterns: ["{{ Version }}"], only: [.primaryOS, .primaryVariant]),
        TagPattern(patterns: ["{{ Version | stripPatch }}"], only: [.latestPatch, .primaryOS, .primaryVariant]),
        TagPattern(patterns: ["{{ Channel }}-{{ Variant }}"], only: [.channelLatest, .primaryOS]),
        TagPattern(patterns: ["{{ Channel }}-{{ OS }}"], only: [.channelLatest, .primaryVariant]),
        TagPattern(patterns: ["{{ Channel }}"], only: [.channelLatest, .primaryOS, .primaryVariant]),
        TagPattern(patterns: ["{{ OS }}-{{ Variant }}"], only: [.latest]),
        TagPattern(patterns: ["{{ OS }}"], only: [.latest, .primaryVariant]),
        TagPattern(patterns: ["{{ Variant }}"], only: [.latest, .primaryOS]),
        TagPattern(patterns: ["latest"], only: [.latest, .primaryOS, .primaryVariant]),
    ]
}
