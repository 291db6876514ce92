// Go's fmt as templates use it: %v printing, Sprint/Sprintln spacing, Sprintf verbs with flags, width and precision,
// strconv.Quote, and byte-order string sorting.
import Foundation

enum GoFormat {
    /// Go's byte-wise string order (sort.Strings, map key order in fmt and range).
    static func less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// Width and precision above this are refused as Go refuses them (`%!(BADWIDTH)`).
    static let maxWidth = 1_000_000

    // MARK: Floats

    /// Shortest decimal digits of a finite non-zero magnitude, and the decimal point position:
    /// value = 0.d1d2… × 10^point.
    static func digits(_ f: Double) -> (digits: [UInt8], point: Int) {
        let text = abs(f).description.lowercased()
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts.first.map(String.init) ?? "0"
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let pieces = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integer = pieces.first.map(String.init) ?? ""
        let fraction = pieces.count > 1 ? String(pieces[1]) : ""
        var digits = Array((integer + fraction).utf8).map { $0 - 48 }
        var point = integer.count + exponent
        while let first = digits.first, first == 0 { digits.removeFirst(); point -= 1 }
        while let last = digits.last, last == 0 { digits.removeLast() }
        if digits.isEmpty { return ([0], 1) }
        return (digits, point)
    }

    private static func string(_ digits: ArraySlice<UInt8>) -> String { String(decoding: digits.map { $0 + 48 }, as: UTF8.self) }

    /// Go's `%v` / `strconv.FormatFloat(f, 'g', -1, 64)`: `1`, `0.5`, `100000`, `1e+06`, `1e-05`.
    static func shortest(_ f: Double) -> String {
        if f.isNaN { return "NaN" }
        if f.isInfinite { return f < 0 ? "-Inf" : "+Inf" }
        if f == 0 { return f.sign == .minus ? "-0" : "0" }
        let sign = f < 0 ? "-" : ""
        let (d, point) = digits(f)
        let exponent = point - 1
        if exponent < -4 || exponent >= 6 {
            return sign + exponential(d, exponent)
        }
        return sign + fixed(d, point)
    }

    static func exponential(_ d: [UInt8], _ exponent: Int) -> String {
        var out = string(d[0..<1])
        if d.count > 1 { out += "." + string(d[1...]) }
        let magnitude = abs(exponent)
        return out + "e" + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + String(magnitude)
    }

    static func fixed(_ d: [UInt8], _ point: Int) -> String {
        if point <= 0 { return "0." + String(repeating: "0", count: -point) + string(d[...]) }
        if point >= d.count { return string(d[...]) + String(repeating: "0", count: point - d.count) }
        return string(d[0..<point]) + "." + string(d[point...])
    }

    // MARK: Print

    /// `fmt.Sprint`: a space between operands when neither is a string.
    static func sprint(_ args: [GoValue]) -> String {
        var out = ""
        for (i, arg) in args.enumerated() {
            if i > 0, !isString(args[i - 1]), !isString(arg) { out += " " }
            out += arg.printed
        }
        return out
    }

    /// `fmt.Sprintln`: spaces between all operands and a final newline.
    static func sprintln(_ args: [GoValue]) -> String { args.map(\.printed).joined(separator: " ") + "\n" }

    static func isString(_ value: GoValue) -> Bool { if case .string = value { return true } else { return false } }

    // MARK: Quote

    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        if c == " " { return true }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    private static func hex(_ value: UInt32, _ width: Int, uppercase: Bool = false) -> String {
        let digits = String(value, radix: 16, uppercase: uppercase)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `strconv.Quote`: Go escapes for non-printable characters, printable Unicode kept.
    static func quote(_ text: String, quote mark: Unicode.Scalar = "\"") -> String {
        var out = String(mark)
        for c in text.unicodeScalars {
            switch c {
            case mark: out += "\\" + String(mark)
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                if isPrintable(c) { out.unicodeScalars.append(c) }
                else if c.value < 0x80 { out += "\\x" + hex(c.value, 2) }
                else if c.value < 0x10000 { out += "\\u" + hex(c.value, 4) }
                else { out += "\\U" + hex(c.value, 8) }
            }
        }
        out.unicodeScalars.append(mark)
        return out
    }

    // MARK: Sprintf

    struct Spec {
        var minus = false, plus = false, sharp = false, space = false, zero = false
        var width: Int? = nil
        var precision: Int? = nil
    }

    /// Go's `fmt.Sprintf` for the values a template has.
    static func sprintf(_ format: String, _ args: [GoValue]) -> String {
        let f = Array(format.unicodeScalars)
        var out = ""
        var argIndex = 0
        var i = 0
        func nextInt() -> Int? {
            guard argIndex < args.count else { argIndex += 1; return nil }
            defer { argIndex += 1 }
            if case .int(let n) = args[argIndex] { return n }
            return nil
        }
        while i < f.count {
            let c = f[i]
            guard c == "%" else { out.unicodeScalars.append(c); i += 1; continue }
            i += 1
            var spec = Spec()
            flags: while i < f.count {
                switch f[i] {
                case "-": spec.minus = true; spec.zero = false
                case "+": spec.plus = true
                case "#": spec.sharp = true
                case " ": spec.space = true
                case "0": spec.zero = !spec.minus
                default: break flags
                }
                i += 1
            }
            var bad = ""
            if i < f.count, f[i] == "*" {
                i += 1
                if let n = nextInt(), abs(n) <= maxWidth {
                    spec.width = abs(n)
                    if n < 0 { spec.minus = true; spec.zero = false }
                } else { bad += "%!(BADWIDTH)" }
            } else {
                var digits = 0, sawDigit = false
                while i < f.count, f[i] >= "0", f[i] <= "9" {
                    sawDigit = true
                    digits = min(digits * 10 + Int(f[i].value - 48), maxWidth + 1)
                    i += 1
                }
                if sawDigit { if digits > maxWidth { bad += "%!(BADWIDTH)" } else { spec.width = digits } }
            }
            if i < f.count, f[i] == "." {
                i += 1
                if i < f.count, f[i] == "*" {
                    i += 1
                    if let n = nextInt(), n >= 0, n <= maxWidth { spec.precision = n } else { bad += "%!(BADPREC)" }
                } else {
                    var digits = 0
                    while i < f.count, f[i] >= "0", f[i] <= "9" {
                        digits = min(digits * 10 + Int(f[i].value - 48), maxWidth + 1)
                        i += 1
                    }
                    if digits > maxWidth { bad += "%!(BADPREC)" } else { spec.precision = digits }
                }
            }
            out += bad
            guard i < f.count else { out += "%!(NOVERB)"; break }
            let verb = f[i]
            i += 1
            if verb == "%" { out += "%"; continue }
            guard argIndex < args.count else { out += "%!\(verb)(MISSING)"; continue }
            let arg = args[argIndex]
            argIndex += 1
            out += GoFormat.format(arg, verb, spec)
        }
        if argIndex < args.count {
            out += "%!(EXTRA " + args[argIndex...].map { $0 == .null ? "<nil>" : "\($0.typeName)=\($0.printed)" }.joined(separator: ", ") + ")"
        }
        return out
    }

    static func badVerb(_ verb: Unicode.Scalar, _ arg: GoValue) -> String {
        if arg == .null { return "%!\(verb)(<nil>)" }
        return "%!\(verb)(\(arg.typeName)=\(arg.printed))"
    }

    /// One operand with one verb.
    static func format(_ arg: GoValue, _ verb: Unicode.Scalar, _ spec: Spec) -> String {
        if verb == "T" { return pad(arg.typeName, spec) }
        switch arg {
        case .null:
            return verb == "v" ? pad("<nil>", spec) : badVerb(verb, arg)
        case .bool(let b):
            return verb == "v" || verb == "t" ? pad(b ? "true" : "false", spec) : badVerb(verb, arg)
        case .int(let n):
            return formatInt(n, verb, spec) ?? badVerb(verb, arg)
        case .float(let x):
            return formatFloat(x, verb, spec) ?? badVerb(verb, arg)
        case .string(let s):
            return formatString(s, verb, spec) ?? badVerb(verb, arg)
        case .list(let items):
            if verb == "v", spec.sharp { return pad(goSyntax(arg), spec) }
            return "[" + items.map { format($0, verb, spec) }.joined(separator: " ") + "]"
        case .map(let map):
            if verb == "v", spec.sharp { return pad(goSyntax(arg), spec) }
            return "map[" + map.sorted { less($0.key, $1.key) }
                .map { format(.string($0.key), verb, spec) + ":" + format($0.value, verb, spec) }.joined(separator: " ") + "]"
        }
    }

    /// `%#v`.
    static func goSyntax(_ value: GoValue) -> String {
        switch value {
        case .string(let s): return quote(s)
        case .null: return "interface {}(nil)"
        case .list(let items): return "[]interface {}{" + items.map(goSyntax).joined(separator: ", ") + "}"
        case .map(let map):
            return "map[string]interface {}{" + map.sorted { less($0.key, $1.key) }
                .map { quote($0.key) + ":" + goSyntax($0.value) }.joined(separator: ", ") + "}"
        default: return value.printed
        }
    }

    static func pad(_ text: String, _ spec: Spec, zeroAllowed: Bool = true) -> String {
        guard let width = spec.width else { return text }
        let length = text.unicodeScalars.count
        guard length < width else { return text }
        let fill = String(repeating: spec.zero && zeroAllowed ? "0" : " ", count: width - length)
        return spec.minus ? text + String(repeating: " ", count: width - length) : fill + text
    }

    /// Pads a number: zeros go after the sign.
    static func padNumber(sign: String, digits: String, _ spec: Spec, zeroAllowed: Bool = true) -> String {
        if let width = spec.width, spec.zero, zeroAllowed, !spec.minus {
            let length = sign.unicodeScalars.count + digits.unicodeScalars.count
            if length < width { return sign + String(repeating: "0", count: width - length) + digits }
        }
        var plain = spec
        plain.zero = false
        return pad(sign + digits, plain)
    }

    static func sign(negative: Bool, _ spec: Spec) -> String {
        negative ? "-" : spec.plus ? "+" : spec.space ? " " : ""
    }

    static func formatInt(_ n: Int, _ verb: Unicode.Scalar, _ spec: Spec) -> String? {
        let magnitude = n.magnitude
        var digits: String
        var prefix = ""
        switch verb {
        case "d", "v": digits = String(magnitude)
        case "b": digits = String(magnitude, radix: 2); if spec.sharp { prefix = "0b" }
        case "o": digits = String(magnitude, radix: 8); if spec.sharp { prefix = "0" }
        case "O": digits = String(magnitude, radix: 8); prefix = "0o"
        case "x": digits = String(magnitude, radix: 16); if spec.sharp { prefix = "0x" }
        case "X": digits = String(magnitude, radix: 16, uppercase: true); if spec.sharp { prefix = "0X" }
        case "c":
            let scalar = Unicode.Scalar(UInt32(clamping: n)) ?? "\u{FFFD}"
            return pad(String(scalar), spec)
        case "q":
            let scalar = Unicode.Scalar(UInt32(clamping: n)) ?? "\u{FFFD}"
            return pad(quote(String(scalar), quote: "'"), spec)
        case "U":
            let code = "U+" + hex(UInt32(clamping: n), 4, uppercase: true)
            let scalar = Unicode.Scalar(UInt32(clamping: n))
            if spec.sharp, let scalar, isPrintable(scalar) { return pad(code + " '\(scalar)'", spec) }
            return pad(code, spec)
        default: return nil
        }
        if let precision = spec.precision {
            if precision == 0, n == 0 { digits = "" }
            if digits.count < precision { digits = String(repeating: "0", count: precision - digits.count) + digits }
            return padNumber(sign: sign(negative: n < 0, spec) + prefix, digits: digits, spec, zeroAllowed: false)
        }
        return padNumber(sign: sign(negative: n < 0, spec) + prefix, digits: digits, spec)
    }

    static func formatFloat(_ x: Double, _ verb: Unicode.Scalar, _ spec: Spec) -> String? {
        guard "vgGeEfF".unicodeScalars.contains(verb) else { return nil }
        let negative = x.sign == .minus && !x.isNaN
        if x.isNaN || x.isInfinite {
            let text = x.isNaN ? (spec.plus ? "+NaN" : spec.space ? " NaN" : "NaN") : (negative ? "-Inf" : "+Inf")
            var plain = spec
            plain.zero = false
            return pad(text, plain)
        }
        let magnitude = abs(x)
        var body: String
        switch verb {
        case "v", "g", "G":
            if let precision = spec.precision {
                body = String(format: "%.\(max(precision, 1))g", magnitude)
            } else if magnitude == 0 {
                body = "0"
            } else {
                body = shortest(magnitude)
            }
            if verb == "G" { body = body.uppercased() }
        case "e", "E":
            body = String(format: "%.\(spec.precision ?? 6)e", magnitude)
            if verb == "E" { body = body.uppercased() }
        default:
            body = String(format: "%.\(spec.precision ?? 6)f", magnitude)
        }
        return padNumber(sign: sign(negative: negative, spec), digits: body, spec)
    }

    static func formatString(_ s: String, _ verb: Unicode.Scalar, _ spec: Spec) -> String? {
        var text = s
        if let precision = spec.precision, text.unicodeScalars.count > precision {
            text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(precision)))
        }
        switch verb {
        case "s": return pad(text, spec)
        case "v": return pad(spec.sharp ? quote(text) : text, spec)
        case "q":
            if spec.sharp, !text.contains("`"), text.unicodeScalars.allSatisfy({ isPrintable($0) || $0 == "\t" }) {
                return pad("`" + text + "`", spec)
            }
            return pad(quote(text), spec)
        case "x", "X":
            let digits = text.utf8.map { hex(UInt32($0), 2, uppercase: verb == "X") }
            var joined = spec.space ? digits.joined(separator: " ") : digits.joined()
            if spec.sharp { joined = (verb == "X" ? "0X" : "0x") + joined }
            return pad(joined, spec)
        default: return nil
        }
    }
}
