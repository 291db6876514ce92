// A value to write into a YAML document, and how scalars are spelled so YAML reads them back unchanged.
import OrderedCollections

/// A value to write into a YAML document.
///
///     let entry: YAMLOut = .map(["name": .scalar("1.10"), "latest": .bool(true)])
///     YAMLOut.plainOrQuoted("1.10")     // "'1.10'" (plain 1.10 would read as a number)
public indirect enum YAMLOut: Sendable, Equatable {
    public typealias Map = OrderedDictionary<String, YAMLOut>

    case scalar(String)
    /// A number, written plain.
    case number(String)
    case bool(Bool)
    case list([YAMLOut])
    case map(Map)

    /// A node as a value to write back: aliases as their content, merged keys as keys of their own;
    /// plain numbers and booleans stay numbers and booleans, everything else is a string.
    public init(_ node: YAMLNode) {
        switch node.content {
        case .scalar(let s, let style):
            switch style == .plain ? node.resolved : nil {
            case .bool(let b)?: self = .bool(b)
            case .int?, .float?: self = .number(s)
            default: self = .scalar(s)
            }
        case .sequence(let items, _):
            self = .list(items.map(YAMLOut.init))
        case .mapping(let pairs, _):
            var map = Map()
            for pair in pairs { map[pair.key.scalar ?? ""] = YAMLOut(pair.value) }
            self = .map(map)
        }
    }

    // MARK: spelling scalars

    /// `s` plain when YAML reads it back as that string, else single-quoted (when it has no quote or
    /// backslash a reader could take for an escape), else double-quoted with escapes.
    public static func plainOrQuoted(_ s: String) -> String {
        if isPlainSafe(s) { return s }
        if !s.contains("'"), !s.contains("\\"), let quoted = singleQuoted(s) { return quoted }
        return doubleQuoted(s)
    }

    /// `s` in the given style when that style can hold it (plain: when it reads back as this string).
    public static func spelled(_ s: String, like style: YAMLScalarStyle) -> String {
        switch style {
        case .doubleQuoted: return doubleQuoted(s)
        case .singleQuoted: return singleQuoted(s) ?? doubleQuoted(s)
        case .plain, .literal, .folded: return plainOrQuoted(s)
        }
    }

    /// Whether `s` written plain reads back as the string `s` (not a number, boolean, null or other syntax).
    public static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.first else { return false }
        let safe = s.allSatisfy { $0.isLetter || $0.isNumber || "._-/+@()$~:#=,".contains($0) || $0 == " " }
            && !s.hasPrefix(" ") && !s.hasSuffix(" ") && !"-?@:#,".contains(first)
            && !s.contains(": ") && !s.contains(" #") && !s.hasSuffix(":")
        guard safe else { return false }
        if case .string = YAMLScalarValue.resolve(s, style: .plain, tag: nil) { return true }
        return false
    }

    /// Single quotes hold text YAML reads back unchanged only without line breaks (folded to spaces)
    /// and non-printable characters; nil when `s` has one.
    public static func singleQuoted(_ s: String) -> String? {
        guard s.unicodeScalars.allSatisfy({ isPrintable($0) && !isBreak($0) }) else { return nil }
        return "'" + s.replacingAll("'", with: "''") + "'"
    }

    public static func doubleQuoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{85}": out += "\\N"
            case "\u{2028}": out += "\\L"
            case "\u{2029}": out += "\\P"
            default:
                if isPrintable(c) {
                    out.unicodeScalars.append(c)
                } else if c.value <= 0xFF {
                    out += "\\x" + hex(c.value, width: 2)
                } else {
                    out += "\\u" + hex(c.value, width: 4)
                }
            }
        }
        return out + "\""
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// YAML's printable set without tab, LF and CR (and without the byte order mark).
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return (0x20...0x7E).contains(v) || v == 0x85 || (0xA0...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) && v != 0xFEFF
            || (0x10000...0x10FFFF).contains(v)
    }

    static func isBreak(_ c: Unicode.Scalar) -> Bool { c == "\n" || c == "\r" || c.value == 0x85 || c.value == 0x2028 || c.value == 0x2029 }
}

extension String {
    /// Every occurrence of `target` replaced (without Foundation).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
