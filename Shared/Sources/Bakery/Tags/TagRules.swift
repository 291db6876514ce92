// Character rules for tag text.
import Foundation

/// Character rules for tag text.
public enum TagRules {
    static func isTagCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "." || c == "-")
    }

    /// Code points outside `[a-zA-Z0-9_.-]` → `-`, then leading/trailing `-._` stripped.
    public static func sanitize(_ s: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            let v = scalar.value
            let allowed = (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) || v == 0x5F || v == 0x2E || v == 0x2D
            bytes.append(allowed ? UInt8(v) : UInt8(ascii: "-"))
        }
        var lo = 0, hi = bytes.count
        func edge(_ b: UInt8) -> Bool { b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") }
        while lo < hi, edge(bytes[lo]) { lo += 1 }
        while hi > lo, edge(bytes[hi - 1]) { hi -= 1 }
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    /// A rendered tag pattern: whitespace trimmed, leading/trailing `-._` stripped,
    /// then code points outside `[a-zA-Z0-9_.-]` replaced by `-` (in that order).
    public static func finishRenderedTag(_ rendered: String) -> String {
        let trimmed = rendered.utf8.contains(where: { $0 <= 32 }) ? rendered.trimmingCharacters(in: .whitespacesAndNewlines) : rendered
        let stripped = strip(trimmed)
        var out = String.UnicodeScalarView()
        for scalar in stripped.unicodeScalars {
            let v = scalar.value
            let allowed = (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) || v == 0x5F || v == 0x2E || v == 0x2D
            out.append(allowed ? scalar : "-")
        }
        return String(out)
    }

    /// Leading and trailing `-`, `.`, `_` removed.
    public static func strip(_ s: String) -> String {
        let isEdge: (Character) -> Bool = { $0 == "-" || $0 == "." || $0 == "_" }
        guard let first = s.firstIndex(where: { !isEdge($0) }), let last = s.lastIndex(where: { !isEdge($0) }) else { return "" }
        return String(s[first...last])
    }
}
