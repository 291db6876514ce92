import Foundation

extension Arguments {
    /// The argument at position `index` or given by keyword `name`.
    public func value(_ index: Int, _ name: String) -> Value? {
        if index < positional.count { return positional[index] }
        return keyword(name)
    }

    /// Fails if more positional arguments than `count` or keywords outside `names` were given.
    public func check(_ function: String, names: [String]) throws {
        if positional.count > names.count {
            throw JinjaError(.type, "\(function)() takes at most \(names.count) argument(s) (\(positional.count) given)")
        }
        for (k, _) in keywords {
            guard let i = names.firstIndex(of: k) else {
                throw JinjaError(.type, "\(function)() got an unexpected keyword argument '\(k)'")
            }
            if i < positional.count {
                throw JinjaError(.type, "\(function)() got multiple values for argument '\(k)'")
            }
        }
    }
}

/// Values as Swift types, failing with Python's messages.
enum Coerce {
    static func string(_ v: Value, _ what: String) throws -> String {
        if let s = v.stringValue { return s }
        if case .undefined(let u) = v { throw u.error() }
        throw JinjaError(.type, "\(what) must be str, not \(v.typeName)")
    }

    static func int(_ v: Value, _ what: String) throws -> Int {
        if let i = Attributes.intIndex(v) { return i }
        if case .undefined(let u) = v { throw u.error() }
        throw JinjaError(.type, "'\(v.typeName)' object cannot be interpreted as an integer")
    }

    /// The largest width, length or count a filter or method builds text or lists from.
    static let maxSize = 10_000_000

    /// An integer that sizes what a filter builds (a width, a length, a count): bounded, so a huge
    /// value is a limit error at the template's line, never an allocation that aborts the process.
    static func size(_ v: Value, _ what: String) throws -> Int {
        let i = try int(v, what)
        guard i.magnitude <= UInt(maxSize) else { throw JinjaError(.limit, "\(what) \(i) is larger than the limit of \(maxSize)") }
        return i
    }

    static func optionalString(_ v: Value?, _ what: String) throws -> String? {
        guard let v, !v.isNone else { return nil }
        return try string(v, what)
    }
}

/// Methods of Python's str, dict and list that templates call (`version.split('.')`, `d.items()`).
enum Methods {
    static func bound(_ receiver: Value, _ name: String) -> Value? {
        switch receiver {
        case .string(let s), .markup(let s):
            guard stringMethods.contains(name) else { return nil }
            let markup: Bool = { if case .markup = receiver { return true }; return false }()
            return .function(Function(name: name) { args, renderer in
                let result = try stringMethod(s, name, args, renderer)
                if markup, case .string(let r) = result { return .markup(r) }
                return result
            })
        case .dict(let d):
            guard ["items", "keys", "values", "get", "copy"].contains(name) else { return nil }
            return .function(Function(name: name) { args, _ in try dictMethod(d, name, args) })
        case .list(let a), .tuple(let a):
            guard ["index", "count", "copy"].contains(name) else { return nil }
            if name == "copy", case .tuple = receiver { return nil }
            return .function(Function(name: name) { args, _ in try listMethod(a, name, args) })
        default:
            return nil
        }
    }

    static let stringMethods: Set<String> = [
        "split", "rsplit", "strip", "lstrip", "rstrip", "startswith", "endswith", "replace", "lower", "upper",
        "title", "capitalize", "format", "join", "find", "rfind", "index", "count", "isdigit", "isalpha",
        "isalnum", "isspace", "islower", "isupper", "zfill", "center", "ljust", "rjust", "splitlines",
        "casefold", "swapcase", "partition", "rpartition", "removeprefix", "removesuffix",
    ]

    static func stringMethod(_ s: String, _ name: String, _ args: Arguments, _ renderer: Renderer) throws -> Value {
        func str(_ i: Int, _ n: String) throws -> String? { try Coerce.optionalString(args.value(i, n), n) }
        switch name {
        case "split", "rsplit":
            try args.check(name, names: ["sep", "maxsplit"])
            let sep = try str(0, "sep")
            let max = try args.value(1, "maxsplit").map { try Coerce.int($0, "maxsplit") } ?? -1
            if name == "rsplit" && max >= 0 {
                let reversedParts = try Python.split(String(s.reversed()), separator: sep.map { String($0.reversed()) }, maxSplit: max)
                return .list(reversedParts.reversed().map { .string(String($0.reversed())) })
            }
            return .list(try Python.split(s, separator: sep, maxSplit: max).map { .string($0) })
        case "strip", "lstrip", "rstrip":
            try args.check(name, names: ["chars"])
            let chars = try str(0, "chars")
            return .string(Python.strip(s, chars: chars, leading: name != "rstrip", trailing: name != "lstrip"))
        case "startswith", "endswith":
            try args.check(name, names: ["prefix"])
            guard let p = args.value(0, "prefix") else { throw JinjaError(.type, "\(name)() takes at least 1 argument (0 given)") }
            let candidates: [String]
            if case .tuple(let t) = p { candidates = try t.map { try Coerce.string($0, name) } } else { candidates = [try Coerce.string(p, name)] }
            return .bool(candidates.contains { name == "startswith" ? s.unicodeScalars.starts(with: $0.unicodeScalars) : s.unicodeScalars.reversed().starts(with: $0.unicodeScalars.reversed()) })
        case "replace":
            try args.check(name, names: ["old", "new", "count"])
            guard let old = try str(0, "old"), let new = try str(1, "new") else { throw JinjaError(.type, "replace() takes at least 2 arguments") }
            let count = try args.value(2, "count").map { try Coerce.int($0, "count") } ?? -1
            return .string(replace(s, old, new, count: count))
        case "lower", "casefold": return .string(s.lowercased())
        case "upper": return .string(s.uppercased())
        case "swapcase": return .string(String(s.map { $0.isUppercase ? Character($0.lowercased()) : ($0.isLowercase ? Character($0.uppercased()) : $0) }))
        case "title": return .string(title(s))
        case "capitalize": return .string(capitalize(s))
        case "format":
            return .string(try BraceFormat.format(s, args) { object, key, isAttribute in
                isAttribute ? try Attributes.getattr(object, key.stringValue ?? "") : try Attributes.getitem(object, key)
            })
        case "join":
            try args.check(name, names: ["iterable"])
            guard let items = args.value(0, "iterable") else { throw JinjaError(.type, "join() takes exactly one argument (0 given)") }
            var out = ""
            for (i, v) in try Python.iterate(items).enumerated() {
                guard let t = v.stringValue else { throw JinjaError(.type, "sequence item \(i): expected str instance, \(v.typeName) found") }
                if i > 0 { out += s }
                out += t
                try Python.checkTextSize(out)
            }
            return .string(out)
        case "find", "rfind", "index", "count":
            guard let sub = try str(0, "sub") else { throw JinjaError(.type, "\(name)() takes at least 1 argument (0 given)") }
            // Searched as UTF-8 bytes in linear time; byte offsets are turned into code point positions.
            var positions: [Int] = []
            if sub.isEmpty {
                positions = Array(0...s.unicodeScalars.count)
            } else {
                let bytes = Array(s.utf8)
                let offsets = Python.occurrences(of: Array(sub.utf8), in: bytes, limit: name == "find" || name == "index" ? 1 : -1,
                                                 overlapping: name == "rfind")
                var scalar = 0, at = 0
                for offset in offsets {
                    while at < offset { if bytes[at] & 0xC0 != 0x80 { scalar += 1 }; at += 1 }
                    positions.append(scalar)
                }
            }
            switch name {
            case "count": return .int(positions.count)
            case "rfind": return .int(positions.last ?? -1)
            case "index":
                guard let p = positions.first else { throw JinjaError(.value, "substring not found") }
                return .int(p)
            default: return .int(positions.first ?? -1)
            }
        case "isdigit": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit })
        case "isalpha": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic })
        case "isalnum": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        case "isspace": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(Python.isSpace))
        case "islower": return .bool(s.contains { $0.isLowercase } && !s.contains { $0.isUppercase })
        case "isupper": return .bool(s.contains { $0.isUppercase } && !s.contains { $0.isLowercase })
        case "zfill":
            let width = try Coerce.size(args.value(0, "width") ?? .int(0), "width")
            let count = s.unicodeScalars.count
            guard width > count else { return .string(s) }
            var body = s
            var sign = ""
            if let f = body.first, f == "+" || f == "-" { sign = String(f); body.removeFirst() }
            return .string(sign + String(repeating: "0", count: width - count) + body)
        case "center", "ljust", "rjust":
            let width = try Coerce.size(args.value(0, "width") ?? .int(0), "width")
            let fill = try str(1, "fillchar") ?? " "
            guard fill.unicodeScalars.count == 1 else { throw JinjaError(.type, "The fill character must be exactly one character long") }
            if name == "center" { return .string(center(s, width, fill)) }
            let count = s.unicodeScalars.count
            guard width > count else { return .string(s) }
            let pad = String(repeating: fill, count: width - count)
            return .string(name == "ljust" ? s + pad : pad + s)
        case "splitlines": return .list(Python.splitLines(s).map { .string($0) })
        case "partition", "rpartition":
            guard let sep = try str(0, "sep"), !sep.isEmpty else { throw JinjaError(.value, "empty separator") }
            let range = name == "partition" ? s.range(of: sep, options: .literal) : s.range(of: sep, options: [.literal, .backwards])
            guard let r = range else {
                return name == "partition" ? .tuple([.string(s), "", ""]) : .tuple(["", "", .string(s)])
            }
            return .tuple([.string(String(s[..<r.lowerBound])), .string(sep), .string(String(s[r.upperBound...]))])
        case "removeprefix", "removesuffix":
            guard let p = try str(0, "prefix") else { throw JinjaError(.type, "\(name)() takes exactly one argument") }
            if name == "removeprefix", s.hasPrefix(p) { return .string(String(s.dropFirst(p.count))) }
            if name == "removesuffix", !p.isEmpty, s.hasSuffix(p) { return .string(String(s.dropLast(p.count))) }
            return .string(s)
        default:
            throw JinjaError(.type, "'str' object has no attribute '\(name)'")
        }
    }

    static func replace(_ s: String, _ old: String, _ new: String, count: Int) -> String {
        if count < 0 {
            if old.isEmpty {
                // Python inserts `new` between every character and at both ends.
                var out = new
                for c in s.unicodeScalars { out.unicodeScalars.append(c); out += new }
                return out
            }
            let bytes = Array(s.utf8)
            let found = Python.occurrences(of: Array(old.utf8), in: bytes)
            if found.isEmpty { return s }
            var out = ""
            out.reserveCapacity(bytes.count + found.count * max(0, new.utf8.count - old.utf8.count))
            var start = 0
            for offset in found {
                out += String(decoding: bytes[start..<offset], as: UTF8.self)
                out += new
                start = offset + old.utf8.count
            }
            out += String(decoding: bytes[start...], as: UTF8.self)
            return out
        }
        var out = ""
        var rest = Substring(s)
        var done = 0
        if old.isEmpty {
            var scalars = Array(s.unicodeScalars)[...]
            while done < count {
                out += new
                done += 1
                guard let c = scalars.popFirst() else { return out }
                out.unicodeScalars.append(c)
            }
            out.unicodeScalars.append(contentsOf: scalars)
            return out
        }
        while done < count, let r = rest.range(of: old, options: .literal) {
            out += rest[..<r.lowerBound]
            out += new
            rest = rest[r.upperBound...]
            done += 1
        }
        out += rest
        return out
    }

    /// Python's `str.title()`: a letter after a non-letter is upper-cased, other letters lower-cased.
    static func title(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for c in s {
            if c.isLetter {
                out += previousCased ? c.lowercased() : c.uppercased()
                previousCased = true
            } else {
                out.append(c)
                previousCased = false
            }
        }
        return out
    }

    static func capitalize(_ s: String) -> String {
        guard let first = s.first else { return s }
        return first.uppercased() + s.dropFirst().lowercased()
    }

    /// Python's `str.center`: extra padding goes left when the width is odd.
    static func center(_ s: String, _ width: Int, _ fill: String = " ") -> String {
        let count = s.unicodeScalars.count
        guard width > count else { return s }
        let marg = width - count
        let left = marg / 2 + (marg & width & 1)
        return String(repeating: fill, count: left) + s + String(repeating: fill, count: marg - left)
    }

    static func dictMethod(_ d: Dict, _ name: String, _ args: Arguments) throws -> Value {
        switch name {
        case "items": return .list(d.pairs.map { .tuple([$0.0, $0.1]) })
        case "keys": return .list(d.keys)
        case "values": return .list(d.values)
        case "copy": return .dict(d)
        default:
            guard let key = args.value(0, "key") else { throw JinjaError(.type, "get expected at least 1 argument, got 0") }
            return try d.get(key) ?? (args.value(1, "default") ?? .none)
        }
    }

    static func listMethod(_ a: [Value], _ name: String, _ args: Arguments) throws -> Value {
        switch name {
        case "copy": return .list(a)
        case "count":
            guard let x = args.value(0, "value") else { throw JinjaError(.type, "count() takes exactly one argument (0 given)") }
            return .int(try a.filter { try Python.equal($0, x) }.count)
        default:
            guard let x = args.value(0, "value") else { throw JinjaError(.type, "index expected at least 1 argument, got 0") }
            for (i, v) in a.enumerated() where try Python.equal(v, x) { return .int(i) }
            throw JinjaError(.value, "\(try Python.repr(x)) is not in list")
        }
    }
}
