import Foundation

/// Python's printf-style `str % args`.
enum PercentFormat {

    static func format(_ template: String, _ args: [Value], mapping: Dict?, checkAllConverted: Bool = true) throws -> String {
        var out = ""
        let chars = Array(template.unicodeScalars)
        var i = 0
        var next = 0
        var usedMapping = false
        func take() throws -> Value {
            guard next < args.count else { throw JinjaError(.type, "not enough arguments for format string") }
            defer { next += 1 }
            return args[next]
        }
        while i < chars.count {
            let c = chars[i]
            guard c == "%" else {
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < chars.count else { throw JinjaError(.value, "incomplete format") }
            var key: String? = nil
            if chars[i] == "(" {
                var depth = 1
                var j = i + 1
                var name = String.UnicodeScalarView()
                while j < chars.count {
                    if chars[j] == "(" { depth += 1 }
                    if chars[j] == ")" { depth -= 1; if depth == 0 { break } }
                    name.append(chars[j])
                    j += 1
                }
                guard j < chars.count else { throw JinjaError(.value, "incomplete format key") }
                key = String(name)
                i = j + 1
            }
            var flags = Set<Unicode.Scalar>()
            while i < chars.count, "-+ #0".unicodeScalars.contains(chars[i]) {
                flags.insert(chars[i])
                i += 1
            }
            var width = 0
            while i < chars.count, let d = chars[i].properties.numericType != nil ? Int(String(chars[i])) : nil {
                width = width * 10 + d
                if width > 1_000_000 { throw JinjaError(.limit, "format width too large") }
                i += 1
            }
            var precision: Int? = nil
            if i < chars.count, chars[i] == "." {
                i += 1
                var p = 0
                while i < chars.count, let d = chars[i].properties.numericType != nil ? Int(String(chars[i])) : nil {
                    p = p * 10 + d
                    if p > 10_000 { throw JinjaError(.limit, "format precision too large") }
                    i += 1
                }
                precision = p
            }
            while i < chars.count, "hlL".unicodeScalars.contains(chars[i]) { i += 1 }
            guard i < chars.count else { throw JinjaError(.value, "incomplete format") }
            let type = chars[i]
            i += 1
            if type == "%" {
                out += "%"
                continue
            }
            let value: Value
            if let key {
                guard let mapping else { throw JinjaError(.type, "format requires a mapping") }
                usedMapping = true
                guard let v = try mapping.get(.string(key)) else { throw JinjaError(.value, "key '\(key)' not found") }
                value = v
            } else {
                value = try take()
            }
            out += try formatOne(value, type: type, flags: flags, width: width, precision: precision)
        }
        if checkAllConverted && next < args.count && !usedMapping && mapping == nil {
            throw JinjaError(.type, "not all arguments converted during string formatting")
        }
        return out
    }

    static func formatOne(_ value: Value, type: Unicode.Scalar, flags: Set<Unicode.Scalar>, width: Int, precision: Int?) throws -> String {
        let left = flags.contains("-")
        var body: String
        var numeric = false
        switch type {
        case "s":
            body = try Python.str(value)
            if let precision { body = String(body.unicodeScalars.prefix(precision)) }
        case "r", "a":
            body = try Python.repr(value)
            if let precision { body = String(body.unicodeScalars.prefix(precision)) }
        case "d", "i", "u", "x", "X", "o":
            numeric = true
            let n: Int
            switch value {
            case .int(let v): n = v
            case .bool(let b): n = b ? 1 : 0
            case .float(let d) where type == "d" || type == "i" || type == "u":
                guard d.isFinite, let v = Int(exactly: d.rounded(.towardZero)) else {
                    throw JinjaError(.value, "cannot convert float \(Python.floatRepr(d)) to integer")
                }
                n = v
            default:
                throw JinjaError(.type, "%\(type) format: a real number is required, not \(value.typeName)")
            }
            let radix = (type == "x" || type == "X") ? 16 : (type == "o" ? 8 : 10)
            var digits = String(n.magnitude, radix: radix)
            if type == "X" { digits = digits.uppercased() }
            if let precision, digits.count < precision { digits = String(repeating: "0", count: precision - digits.count) + digits }
            var prefix = ""
            if flags.contains("#") && radix != 10 { prefix = type == "o" ? "0o" : (type == "x" ? "0x" : "0X") }
            let sign = n < 0 ? "-" : (flags.contains("+") ? "+" : (flags.contains(" ") ? " " : ""))
            return pad(sign: sign + prefix, digits: digits, width: width, left: left, zero: flags.contains("0"))
        case "e", "E", "f", "F", "g", "G":
            numeric = true
            guard let num = Python.number(value) else {
                throw JinjaError(.type, "must be real number, not \(value.typeName)")
            }
            let d = num.double
            var spec = "%"
            if flags.contains("#") { spec += "#" }
            spec += ".\(precision ?? 6)\(Character(type))"
            var text = String(format: spec, abs(d))
            if !d.isFinite { text = d.isNaN ? "nan" : "inf"; if type.properties.isUppercase { text = text.uppercased() } }
            let sign = (d < 0 || (d == 0 && d.sign == .minus)) ? "-" : (flags.contains("+") ? "+" : (flags.contains(" ") ? " " : ""))
            return pad(sign: sign, digits: text, width: width, left: left, zero: flags.contains("0") && d.isFinite)
        case "c":
            switch value {
            case .int(let v):
                guard let s = Unicode.Scalar(UInt32(clamping: max(0, v))) else { throw JinjaError(.value, "%c arg not in range(0x110000)") }
                body = String(s)
            case .string(let s) where s.unicodeScalars.count == 1: body = s
            default: throw JinjaError(.type, "%c requires int or char")
            }
        default:
            throw JinjaError(.value, "unsupported format character '\(type)' (0x\(String(type.value, radix: 16)))")
        }
        _ = numeric
        let count = body.unicodeScalars.count
        if count >= width { return body }
        let fill = String(repeating: " ", count: width - count)
        return left ? body + fill : fill + body
    }

    private static func pad(sign: String, digits: String, width: Int, left: Bool, zero: Bool) -> String {
        let length = sign.count + digits.count
        if length >= width { return sign + digits }
        let fill = width - length
        if left { return sign + digits + String(repeating: " ", count: fill) }
        if zero { return sign + String(repeating: "0", count: fill) + digits }
        return String(repeating: " ", count: fill) + sign + digits
    }
}

/// Python's `str.format(*args, **kwargs)`.
enum BraceFormat {
    static func format(_ template: String, _ args: Arguments, lookup: (Value, Value, Bool) throws -> Value) throws -> String {
        var out = ""
        let chars = Array(template.unicodeScalars)
        var i = 0
        var auto = 0
        var usedManual = false
        while i < chars.count {
            let c = chars[i]
            if c == "{" {
                if i + 1 < chars.count, chars[i + 1] == "{" {
                    out += "{"
                    i += 2
                    continue
                }
                var j = i + 1
                var depth = 1
                var field = String.UnicodeScalarView()
                while j < chars.count {
                    if chars[j] == "{" { depth += 1 }
                    if chars[j] == "}" { depth -= 1; if depth == 0 { break } }
                    field.append(chars[j])
                    j += 1
                }
                guard j < chars.count else { throw JinjaError(.value, "expected '}' before end of string") }
                i = j + 1
                out += try replaceField(String(field), args, &auto, &usedManual, lookup)
            } else if c == "}" {
                guard i + 1 < chars.count, chars[i + 1] == "}" else {
                    throw JinjaError(.value, "Single '}' encountered in format string")
                }
                out += "}"
                i += 2
            } else {
                out.unicodeScalars.append(c)
                i += 1
            }
        }
        return out
    }

    private static func replaceField(
        _ field: String, _ args: Arguments, _ auto: inout Int, _ usedManual: inout Bool,
        _ lookup: (Value, Value, Bool) throws -> Value
    ) throws -> String {
        var name = field
        var spec = ""
        var conversion: Character? = nil
        if let colon = name.firstIndex(of: ":") {
            spec = String(name[name.index(after: colon)...])
            name = String(name[..<colon])
        }
        if let bang = name.firstIndex(of: "!") {
            let conv = name[name.index(after: bang)...]
            guard conv.count == 1 else { throw JinjaError(.value, "expected ':' after conversion specifier") }
            conversion = conv.first
            name = String(name[..<bang])
        }
        // Split the head from .attr and [key] parts.
        var head = ""
        var rest = Substring(name)
        while let c = rest.first, c != ".", c != "[" {
            head.append(c)
            rest = rest.dropFirst()
        }
        var value: Value
        if head.isEmpty {
            if usedManual { throw JinjaError(.value, "cannot switch from manual field specification to automatic field numbering") }
            guard auto < args.positional.count else {
                throw JinjaError(.value, "Replacement index \(auto) out of range for positional args tuple")
            }
            value = args.positional[auto]
            auto += 1
        } else if let index = Int(head) {
            usedManual = true
            guard index >= 0, index < args.positional.count else {
                throw JinjaError(.value, "Replacement index \(index) out of range for positional args tuple")
            }
            value = args.positional[index]
        } else {
            guard let v = args.keyword(head) else { throw JinjaError(.value, "KeyError: '\(head)'") }
            value = v
        }
        while let c = rest.first {
            rest = rest.dropFirst()
            if c == "." {
                var attr = ""
                while let d = rest.first, d != ".", d != "[" { attr.append(d); rest = rest.dropFirst() }
                value = try lookup(value, .string(attr), true)
            } else {
                var key = ""
                while let d = rest.first, d != "]" { key.append(d); rest = rest.dropFirst() }
                guard rest.first == "]" else { throw JinjaError(.value, "Missing ']' in format string") }
                rest = rest.dropFirst()
                value = try lookup(value, Int(key).map { .int($0) } ?? .string(key), false)
            }
        }
        switch conversion {
        case "r"?, "a"?: value = .string(try Python.repr(value))
        case "s"?: value = .string(try Python.str(value))
        case nil: break
        default: throw JinjaError(.value, "Unknown conversion specifier \(conversion!)")
        }
        return try formatSpec(value, spec)
    }

    /// `format(value, spec)` for the standard format-spec mini-language.
    static func formatSpec(_ value: Value, _ spec: String) throws -> String {
        if case .undefined(let u) = value, u.strict { throw u.error() }
        var s = Array(spec)
        var fill: Character = " "
        var align: Character? = nil
        if s.count >= 2, "<>=^".contains(s[1]) {
            fill = s[0]; align = s[1]; s.removeFirst(2)
        } else if let f = s.first, "<>=^".contains(f) {
            align = f; s.removeFirst()
        }
        var sign: Character = "-"
        if let f = s.first, "+- ".contains(f) { sign = f; s.removeFirst() }
        var alternate = false
        if s.first == "#" { alternate = true; s.removeFirst() }
        if s.first == "0" {
            if align == nil { fill = "0"; align = "=" }
            s.removeFirst()
        }
        var width = 0
        while let f = s.first, let d = f.wholeNumberValue, f.isASCII {
            width = width * 10 + d
            if width > 1_000_000 { throw JinjaError(.limit, "format width too large") }
            s.removeFirst()
        }
        var grouping: Character? = nil
        if let f = s.first, f == "," || f == "_" { grouping = f; s.removeFirst() }
        var precision: Int? = nil
        if s.first == "." {
            s.removeFirst()
            var p = 0
            var any = false
            while let f = s.first, let d = f.wholeNumberValue, f.isASCII {
                p = p * 10 + d; any = true
                if p > 10_000 { throw JinjaError(.limit, "format precision too large") }
                s.removeFirst()
            }
            guard any else { throw JinjaError(.value, "Format specifier missing precision") }
            precision = p
        }
        let type: Character? = s.first
        if s.count > 1 { throw JinjaError(.value, "Invalid format specifier '\(spec)' for object of type '\(value.typeName)'") }

        var body: String
        var signText = ""
        let isNumber = Python.number(value) != nil
        switch value {
        case .string(let text), .markup(let text):
            guard type == nil || type == "s" else {
                throw JinjaError(.value, "Unknown format code '\(type!)' for object of type 'str'")
            }
            body = text
            if let precision { body = String(body.unicodeScalars.prefix(precision)) }
        default:
            guard let number = Python.number(value) else {
                if spec.isEmpty { return try Python.str(value) }
                throw JinjaError(.type, "unsupported format string passed to \(value.typeName).__format__")
            }
            var t = type
            if case .int(let n) = number, t == nil || "dbxXonc".contains(t!) {
                if case .bool(let b) = value, t == nil { body = b ? "True" : "False"; break }
                let radix: Int = t == "b" ? 2 : (t == "o" ? 8 : ((t == "x" || t == "X") ? 16 : 10))
                if t == "c" {
                    guard let scalar = Unicode.Scalar(UInt32(clamping: max(0, n))) else { throw JinjaError(.value, "%c arg not in range(0x110000)") }
                    body = String(scalar)
                } else {
                    body = String(n.magnitude, radix: radix)
                    if t == "X" { body = body.uppercased() }
                    if let grouping, radix == 10 { body = group(body, grouping) }
                    if alternate && radix != 10 { body = (t == "b" ? "0b" : (t == "o" ? "0o" : (t == "X" ? "0X" : "0x"))) + body }
                }
                signText = n < 0 ? "-" : (sign == "+" ? "+" : (sign == " " ? " " : ""))
            } else {
                let d = number.double
                if t == nil && precision == nil {
                    body = Python.floatRepr(abs(d))
                    if case .int(let n) = number { body = String(n.magnitude) }
                } else {
                    if t == nil { t = "g" }
                    var formatted: String
                    if t == "%" {
                        formatted = String(format: "%.\(precision ?? 6)f", abs(d) * 100) + "%"
                    } else if "eEfFgGn".contains(t!) {
                        let c = t == "n" ? "g" : String(t!)
                        formatted = String(format: "%\(alternate ? "#" : "").\(precision ?? 6)\(c)", abs(d))
                    } else {
                        throw JinjaError(.value, "Unknown format code '\(t!)' for object of type '\(value.typeName)'")
                    }
                    if let grouping, let dot = formatted.firstIndex(where: { !$0.isNumber }) ?? Optional(formatted.endIndex) {
                        formatted = group(String(formatted[..<dot]), grouping) + formatted[dot...]
                    }
                    body = formatted
                }
                signText = (d < 0 || (d == 0 && d.sign == .minus)) ? "-" : (sign == "+" ? "+" : (sign == " " ? " " : ""))
            }
        }
        let length = signText.count + body.unicodeScalars.count
        guard width > length else { return signText + body }
        let padding = width - length
        let effectiveAlign = align ?? (isNumber ? ">" : "<")
        switch effectiveAlign {
        case "<": return signText + body + String(repeating: fill, count: padding)
        case "^":
            let leftPad = padding / 2
            return String(repeating: fill, count: leftPad) + signText + body + String(repeating: fill, count: padding - leftPad)
        case "=": return signText + String(repeating: fill, count: padding) + body
        default: return String(repeating: fill, count: padding) + signText + body
        }
    }

    private static func group(_ digits: String, _ separator: Character) -> String {
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(separator) }
            out.append(c)
        }
        return String(out.reversed())
    }
}
