// A PEP 440 version, enough to order dependency versions (`4.5.2`, `1.8.27`, `1.9.0rc1`).
import Foundation
import Jinja

/// A PEP 440 version, enough to order dependency versions (`4.5.2`, `1.8.27`, `1.9.0rc1`).
struct PEP440Version: Comparable {
    var release: [Int]
    /// Pre-release rank (a < b < rc), nil for a final release; dev releases sort before everything.
    var pre: (Int, Int)?
    var post: Int?
    var dev: Int?

    init?(_ text: String) {
        var s = Substring(text.lowercased().trimmingCharacters(in: .whitespaces))
        if s.hasPrefix("v") { s = s.dropFirst() }
        var numbers: [Int] = []
        while true {
            let digits = s.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let n = Int(digits) else { return nil }
            numbers.append(n)
            s = s.dropFirst(digits.count)
            if s.first == ".", s.dropFirst().first?.isNumber == true { s = s.dropFirst() } else { break }
        }
        release = numbers
        var t = s
        if t.first == "-" || t.first == "_" || t.first == "." { t = t.dropFirst() }
        for (label, rank) in [("alpha", 0), ("beta", 1), ("preview", 2), ("pre", 2), ("rc", 2), ("a", 0), ("b", 1), ("c", 2)] where t.hasPrefix(label) {
            t = t.dropFirst(label.count)
            if t.first == "-" || t.first == "_" || t.first == "." { t = t.dropFirst() }
            let digits = t.prefix { $0.isASCII && $0.isNumber }
            pre = (rank, Int(digits) ?? 0)
            s = t.dropFirst(digits.count)
            break
        }
        // Post-releases: "-N" (implicit) or "[.-_]post|rev|r N".
        if s.first == "-", s.dropFirst().first?.isNumber == true {
            s = s.dropFirst()
            let digits = s.prefix { $0.isASCII && $0.isNumber }
            post = Int(digits)
            s = s.dropFirst(digits.count)
        } else {
            var t = s
            if t.first == "-" || t.first == "_" || t.first == "." { t = t.dropFirst() }
            for label in ["post", "rev", "r"] where t.hasPrefix(label) {
                t = t.dropFirst(label.count)
                if t.first == "-" || t.first == "_" || t.first == "." { t = t.dropFirst() }
                let digits = t.prefix { $0.isASCII && $0.isNumber }
                post = Int(digits) ?? 0
                s = t.dropFirst(digits.count)
                break
            }
        }
        if s.first == "-" || s.first == "_" || s.first == "." { s = s.dropFirst() }
        if s.hasPrefix("dev") {
            s = s.dropFirst(3)
            let digits = s.prefix { $0.isASCII && $0.isNumber }
            dev = Int(digits) ?? 0
            s = s.dropFirst(digits.count)
        }
        guard s.isEmpty else { return nil }
    }

    static func == (a: PEP440Version, b: PEP440Version) -> Bool { !(a < b) && !(b < a) }

    static func < (a: PEP440Version, b: PEP440Version) -> Bool {
        let r = ParsedVersion.compareNumbers(a.release, b.release)
        if r != 0 { return r < 0 }
        func key(_ v: PEP440Version) -> (Int, Int, Int, Int, Int) {
            // dev-only < pre < final < post; within each, a dev release sorts first.
            let dev = v.dev ?? Int.max
            if let p = v.pre { return (1, p.0, p.1, v.post ?? -1, dev) }
            if let post = v.post { return (3, 0, 0, post, dev) }
            if v.dev != nil { return (0, 0, 0, 0, dev) }
            return (2, 0, 0, 0, dev)
        }
        return key(a) < key(b)
    }
}
