// The numeric release part of a dependency version ("v4.3" → [4, 3]), compared zero-padded.

/// Numeric release components, ordered as PEP 440 orders releases (`4.3` == `4.3.0`).
///
///     ReleaseNumbers("4.4.1")! < ReleaseNumbers("4.5")!   // true
///     ReleaseNumbers("v3.13")                             // [3, 13]
public struct ReleaseNumbers: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let components: [Int]

    /// Parses `[v]N(.N)*` followed by anything (pre-release text is not part of the release).
    public init?(_ text: String) {
        var s = Substring(text.trimmingASCIIWhitespace())
        if s.first == "v" || s.first == "V" { s = s.dropFirst() }
        var parts: [Int] = []
        for piece in s.split(separator: ".", omittingEmptySubsequences: false) {
            let digits = piece.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let n = Int(digits) else { break }
            parts.append(n)
            if digits.count != piece.count { break }
        }
        guard !parts.isEmpty else { return nil }
        components = parts
    }

    public var description: String { components.map(String.init).joined(separator: ".") }

    public static func == (a: ReleaseNumbers, b: ReleaseNumbers) -> Bool { compare(a, b) == 0 }
    public func hash(into h: inout Hasher) {
        var c = components
        while c.last == 0 { c.removeLast() }
        h.combine(c)
    }
    public static func < (a: ReleaseNumbers, b: ReleaseNumbers) -> Bool { compare(a, b) < 0 }

    static func compare(_ a: ReleaseNumbers, _ b: ReleaseNumbers) -> Int {
        for i in 0..<max(a.components.count, b.components.count) {
            let x = i < a.components.count ? a.components[i] : 0
            let y = i < b.components.count ? b.components[i] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }
}
