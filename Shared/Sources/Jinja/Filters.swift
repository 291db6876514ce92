import Foundation

/// Jinja2 3.1's built-in filters. Filters that return generators in Jinja2 (`map`, `select`,
/// `unique`, `batch`, …) return lists here, so printing them shows the items.
enum BuiltinFilters {
    static let all: [String: FilterFunction] = {
        var f: [String: FilterFunction] = [:]
        f["default"] = defaultFilter
        f["d"] = defaultFilter
        f["join"] = { v, a, r in
            try a.check("join", names: ["d", "attribute"])
            let sep = try Python.str(a.value(0, "d") ?? "")
            var items = try Python.iterate(v)
            if let attribute = a.value(1, "attribute"), !attribute.isNone {
                let getter = try attributeGetter(attribute)
                items = try items.map(getter)
            }
            // Joined with a running total: the size limit stops it before the whole result is built.
            var out = ""
            for (i, item) in items.enumerated() {
                if i > 0 { out += sep }
                out += try Python.str(item)
                if out.utf8.count > r.environment.maxBytes { throw JinjaError(.limit, "a string grew past \(r.environment.maxBytes) bytes") }
            }
            return .string(out)
        }
        f["trim"] = { v, a, _ in
            try a.check("trim", names: ["chars"])
            return .string(Python.strip(try Python.str(v), chars: try Coerce.optionalString(a.value(0, "chars"), "chars")))
        }
        f["indent"] = indent
        f["replace"] = { v, a, _ in
            try a.check("replace", names: ["old", "new", "count"])
            guard let old = a.value(0, "old"), let new = a.value(1, "new") else {
                throw JinjaError(.type, "replace() missing required arguments 'old' and 'new'")
            }
            let count = try a.value(2, "count").flatMap { $0.isNone ? nil : try Coerce.int($0, "count") } ?? -1
            return .string(Methods.replace(try Python.str(v), try Python.str(old), try Python.str(new), count: count))
        }
        f["int"] = { v, a, _ in
            try a.check("int", names: ["default", "base"])
            let fallback = a.value(0, "default") ?? .int(0)
            let base = try a.value(1, "base").map { try Coerce.int($0, "base") } ?? 10
            return try toInt(v, base: base) ?? fallback
        }
        f["float"] = { v, a, _ in
            try a.check("float", names: ["default"])
            return try toFloat(v).map { .float($0) } ?? (a.value(0, "default") ?? .float(0))
        }
        f["string"] = { v, _, _ in
            if case .markup = v { return v }
            return .string(try Python.str(v))
        }
        f["lower"] = { v, _, _ in .string(try Python.str(v).lowercased()) }
        f["upper"] = { v, _, _ in .string(try Python.str(v).uppercased()) }
        f["title"] = { v, _, _ in .string(jinjaTitle(try Python.str(v))) }
        f["capitalize"] = { v, _, _ in .string(Methods.capitalize(try Python.str(v))) }
        f["length"] = { v, _, _ in .int(try Python.length(v)) }
        f["count"] = f["length"]
        f["list"] = { v, _, _ in .list(try Python.iterate(v)) }
        f["first"] = { v, _, _ in
            let items = try Python.iterate(v)
            return items.first ?? .undefined(Undefined(hint: "No first item, sequence was empty."))
        }
        f["last"] = { v, _, _ in
            let items = try Python.iterate(v)
            return items.last ?? .undefined(Undefined(hint: "No last item, sequence was empty."))
        }
        f["map"] = { v, a, r in
            guard try Python.truthy(v) else { return .list([]) }
            let items = try Python.iterate(v)
            if a.positional.isEmpty, let attribute = a.keyword("attribute") {
                let fallback = a.keyword("default")
                if let extra = a.keywords.first(where: { $0.0 != "attribute" && $0.0 != "default" }) {
                    throw JinjaError(.value, "Unexpected keyword argument '\(extra.0)'")
                }
                let getter = try attributeGetter(attribute, default: fallback)
                return .list(try items.map(getter))
            }
            guard let name = a.positional.first else { throw JinjaError(.value, "map requires a filter argument") }
            let filterName = try Coerce.string(name, "filter name")
            let rest = Arguments(Array(a.positional.dropFirst()), keywords: a.keywords)
            return .list(try items.map { try r.callFilter(filterName, $0, rest) })
        }
        f["select"] = { v, a, r in try selectOrReject(v, a, r, attribute: false, keep: true) }
        f["reject"] = { v, a, r in try selectOrReject(v, a, r, attribute: false, keep: false) }
        f["selectattr"] = { v, a, r in try selectOrReject(v, a, r, attribute: true, keep: true) }
        f["rejectattr"] = { v, a, r in try selectOrReject(v, a, r, attribute: true, keep: false) }
        f["sort"] = { v, a, _ in
            try a.check("sort", names: ["reverse", "case_sensitive", "attribute"])
            let reverse = try Python.truthy(a.value(0, "reverse") ?? false)
            let caseSensitive = try Python.truthy(a.value(1, "case_sensitive") ?? false)
            let attribute = a.value(2, "attribute")
            var keyFunctions: [(Value) throws -> Value] = []
            if let attribute, !attribute.isNone {
                let spec = try Python.str(attribute)
                for part in spec.split(separator: ",") {
                    keyFunctions.append(try attributeGetter(.string(String(part))))
                }
            }
            let key: (Value) throws -> Value = { item in
                let k: Value = keyFunctions.isEmpty ? item : (keyFunctions.count == 1 ? try keyFunctions[0](item) : .list(try keyFunctions.map { try $0(item) }))
                return caseSensitive ? k : ignoreCase(k)
            }
            return .list(try sorted(try Python.iterate(v), key: key, reverse: reverse))
        }
        f["unique"] = { v, a, _ in
            try a.check("unique", names: ["case_sensitive", "attribute"])
            let caseSensitive = try Python.truthy(a.value(0, "case_sensitive") ?? false)
            let getter = try (a.value(1, "attribute").flatMap { $0.isNone ? nil : $0 }).map { try attributeGetter($0) }
            var seen: [Value] = []
            var out: [Value] = []
            for item in try Python.iterate(v) {
                var k = try getter?(item) ?? item
                if !caseSensitive { k = ignoreCase(k) }
                if try seen.contains(where: { try Python.equal($0, k) }) { continue }
                seen.append(k)
                out.append(item)
            }
            return .list(out)
        }
        f["reverse"] = { v, _, _ in
            switch v {
            case .string(let s): return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed())))
            case .markup(let s): return .markup(String(String.UnicodeScalarView(s.unicodeScalars.reversed())))
            default: return .list(try Python.iterate(v).reversed())
            }
        }
        f["urlencode"] = { v, _, _ in
            switch v {
            case .dict(let d):
                return .string(try d.pairs.map { "\(urlQuote(try Python.str($0.0), forQuery: true))=\(urlQuote(try Python.str($0.1), forQuery: true))" }.joined(separator: "&"))
            case .list(let items), .tuple(let items):
                return .string(try items.map { pair in
                    guard let kv = pair.sequenceElements, kv.count == 2 else {
                        throw JinjaError(.type, "cannot unpack non-iterable \(pair.typeName) object (urlencode expects a mapping or (key, value) pairs)")
                    }
                    return "\(urlQuote(try Python.str(kv[0]), forQuery: true))=\(urlQuote(try Python.str(kv[1]), forQuery: true))"
                }.joined(separator: "&"))
            default:
                return .string(urlQuote(try Python.str(v), forQuery: false))
            }
        }
        f["tojson"] = { v, a, _ in
            try a.check("tojson", names: ["indent"])
            let indent = try a.value(0, "indent").flatMap { $0.isNone ? nil : try Coerce.size($0, "indent") }
            var out = ""
            try JSON.write(v, indent: indent, level: 0, into: &out)
            out = out.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
                .replacingOccurrences(of: "&", with: "\\u0026").replacingOccurrences(of: "'", with: "\\u0027")
            return .markup(out)
        }
        f["items"] = { v, _, _ in
            switch v {
            case .undefined: return .list([])
            case .dict(let d): return .list(d.pairs.map { .tuple([$0.0, $0.1]) })
            default: throw JinjaError(.type, "Can only get item pairs from a mapping.")
            }
        }
        f["dictsort"] = { v, a, _ in
            try a.check("dictsort", names: ["case_sensitive", "by", "reverse"])
            guard case .dict(let d) = v else {
                if case .undefined(let u) = v { throw u.error() }
                throw JinjaError(.type, "dictsort expects a mapping, not \(v.typeName)")
            }
            let caseSensitive = try Python.truthy(a.value(0, "case_sensitive") ?? false)
            let by = try Python.str(a.value(1, "by") ?? "key")
            let position: Int
            switch by {
            case "key": position = 0
            case "value": position = 1
            default: throw JinjaError(.value, "You can only sort by either \"key\" or \"value\"")
            }
            let reverse = try Python.truthy(a.value(2, "reverse") ?? false)
            let pairs: [Value] = d.pairs.map { .tuple([$0.0, $0.1]) }
            return .list(try sorted(pairs, key: { item in
                let k = item.sequenceElements![position]
                return caseSensitive ? k : ignoreCase(k)
            }, reverse: reverse))
        }
        f["batch"] = { v, a, _ in
            try a.check("batch", names: ["linecount", "fill_with"])
            let size = try Coerce.size(a.value(0, "linecount") ?? .none, "linecount")
            guard size > 0 else { throw JinjaError(.value, "batch size must be positive") }
            let fill = a.value(1, "fill_with").flatMap { $0.isNone ? nil : $0 }
            let items = try Python.iterate(v)
            var out: [Value] = []
            var i = 0
            while i < items.count {
                var chunk = Array(items[i..<min(i + size, items.count)])
                if chunk.count < size, let fill { chunk += Array(repeating: fill, count: size - chunk.count) }
                out.append(.list(chunk))
                i += size
            }
            return .list(out)
        }
        f["slice"] = { v, a, _ in
            try a.check("slice", names: ["slices", "fill_with"])
            let slices = try Coerce.size(a.value(0, "slices") ?? .none, "slices")
            guard slices > 0 else { throw JinjaError(.value, "slice count must be positive") }
            let fill = a.value(1, "fill_with").flatMap { $0.isNone ? nil : $0 }
            let seq = try Python.iterate(v)
            let per = seq.count / slices, extra = seq.count % slices
            var offset = 0
            var out: [Value] = []
            for n in 0..<slices {
                let start = offset + n * per
                if n < extra { offset += 1 }
                let end = offset + (n + 1) * per
                var chunk = Array(seq[start..<end])
                if let fill, n >= extra { chunk.append(fill) }
                out.append(.list(chunk))
            }
            return .list(out)
        }
        f["wordwrap"] = { v, a, _ in
            try a.check("wordwrap", names: ["width", "break_long_words", "wrapstring", "break_on_hyphens"])
            let width = try Coerce.size(a.value(0, "width") ?? 79, "width")
            let breakLong = try Python.truthy(a.value(1, "break_long_words") ?? true)
            let wrapString = try Coerce.optionalString(a.value(2, "wrapstring"), "wrapstring") ?? "\n"
            let hyphens = try Python.truthy(a.value(3, "break_on_hyphens") ?? true)
            guard width > 0 else { throw JinjaError(.value, "invalid width \(width) (must be > 0)") }
            guard let text = v.stringValue else {
                if case .undefined(let u) = v { throw u.error() }
                throw JinjaError(.type, "wordwrap expects a string, not \(v.typeName)")
            }
            return .string(Python.splitLines(text).map {
                TextWrap.wrap($0, width: width, breakLongWords: breakLong, breakOnHyphens: hyphens).joined(separator: wrapString)
            }.joined(separator: wrapString))
        }
        f["center"] = { v, a, _ in
            try a.check("center", names: ["width"])
            return .string(Methods.center(try Python.str(v), try Coerce.size(a.value(0, "width") ?? 80, "width")))
        }
        f["round"] = roundFilter
        f["abs"] = { v, _, _ in
            switch v {
            case .int(let i):
                if i == Int.min { throw Python.overflow() }
                return .int(abs(i))
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let d): return .float(abs(d))
            case .undefined(let u): throw u.error()
            default: throw JinjaError(.type, "bad operand type for abs(): '\(v.typeName)'")
            }
        }
        f["min"] = { v, a, _ in try minMax(v, a, wantMax: false) }
        f["max"] = { v, a, _ in try minMax(v, a, wantMax: true) }
        f["sum"] = { v, a, _ in
            try a.check("sum", names: ["attribute", "start"])
            var items = try Python.iterate(v)
            if let attribute = a.value(0, "attribute"), !attribute.isNone {
                let getter = try attributeGetter(attribute)
                items = try items.map(getter)
            }
            var total = a.value(1, "start") ?? .int(0)
            if total.stringValue != nil { throw JinjaError(.type, "sum() can't sum strings [use ''.join(seq) instead]") }
            for item in items { total = try Python.add(total, item) }
            return total
        }
        f["safe"] = { v, _, _ in
            if case .markup = v { return v }
            return .markup(try Python.str(v))
        }
        f["escape"] = { v, _, _ in
            if case .markup = v { return v }
            return .markup(Python.htmlEscape(try Python.str(v)))
        }
        f["e"] = f["escape"]
        f["forceescape"] = { v, _, _ in .markup(Python.htmlEscape(try Python.str(v))) }
        f["format"] = { v, a, _ in
            if !a.positional.isEmpty && !a.keywords.isEmpty {
                throw JinjaError(.type, "can't handle positional and keyword arguments at the same time")
            }
            let template = try Python.str(v)
            if !a.keywords.isEmpty {
                let d = Dict(a.keywords)
                return .string(try PercentFormat.format(template, [.dict(d)], mapping: d))
            }
            return .string(try PercentFormat.format(template, a.positional, mapping: nil))
        }
        f["truncate"] = { v, a, _ in
            try a.check("truncate", names: ["length", "killwords", "end", "leeway"])
            let s = try Python.str(v)
            let length = try Coerce.size(a.value(0, "length") ?? 255, "length")
            let killwords = try Python.truthy(a.value(1, "killwords") ?? false)
            let end = try Python.str(a.value(2, "end") ?? "...")
            let leeway = try a.value(3, "leeway").flatMap { $0.isNone ? nil : try Coerce.size($0, "leeway") } ?? 5
            let endCount = end.unicodeScalars.count
            guard length >= endCount else { throw JinjaError(.value, "expected length >= \(endCount), got \(length)") }
            guard leeway >= 0 else { throw JinjaError(.value, "expected leeway >= 0, got \(leeway)") }
            let scalars = Array(s.unicodeScalars)
            if scalars.count <= length + leeway { return .string(s) }
            let head = String(String.UnicodeScalarView(scalars.prefix(length - endCount)))
            if killwords { return .string(head + end) }
            if let space = head.range(of: " ", options: [.literal, .backwards]) {
                return .string(String(head[..<space.lowerBound]) + end)
            }
            return .string(head + end)
        }
        f["wordcount"] = { v, _, _ in
            let s = try Python.str(v)
            var count = 0
            var inWord = false
            for c in s.unicodeScalars {
                let word = c.properties.isAlphabetic || c.properties.numericType != nil || c == "_"
                if word && !inWord { count += 1 }
                inWord = word
            }
            return .int(count)
        }
        f["attr"] = { v, a, _ in
            guard let name = a.value(0, "name") else { throw JinjaError(.type, "attr() missing required argument 'name'") }
            let n = try Coerce.string(name, "name")
            if case .undefined(let u) = v { throw u.error() }
            if let method = Methods.bound(v, n) { return method }
            if case .namespace(let ns) = v, let value = ns.attributes[string: n] { return value }
            var u = Undefined()
            u.owner = v.objectTypeRepr
            u.key = .name(n)
            return .undefined(u)
        }
        f["filesizeformat"] = { v, a, _ in
            let binary = try Python.truthy(a.value(0, "binary") ?? false)
            guard let bytes = try toFloat(v) else { throw JinjaError(.value, "could not convert string to float") }
            let base = binary ? 1024.0 : 1000.0
            let prefixes = binary ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"] : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
            if bytes == 1 { return "1 Byte" }
            if bytes < base { return .string("\(Int(bytes)) Bytes") }
            var unit = base
            for (i, prefix) in prefixes.enumerated() {
                unit = pow(base, Double(i + 2))
                if bytes < unit { return .string(String(format: "%.1f %@", base * bytes / unit, prefix)) }
            }
            return .string(String(format: "%.1f %@", base * bytes / unit, prefixes.last!))
        }
        return f
    }()

    // MARK: helpers

    static let defaultFilter: FilterFunction = { v, a, _ in
        try a.check("default", names: ["default_value", "boolean"])
        let fallback = a.value(0, "default_value") ?? ""
        let boolean = try Python.truthy(a.value(1, "boolean") ?? false)
        if case .undefined = v { return fallback }
        if boolean, !(try Python.truthy(v)) { return fallback }
        return v
    }

    static let indent: FilterFunction = { v, a, _ in
        try a.check("indent", names: ["width", "first", "blank"])
        let widthValue = a.value(0, "width") ?? 4
        let indention: String
        if let s = widthValue.stringValue { indention = s } else { indention = String(repeating: " ", count: max(0, try Coerce.size(widthValue, "width"))) }
        let first = try Python.truthy(a.value(1, "first") ?? false)
        let blank = try Python.truthy(a.value(2, "blank") ?? false)
        guard let text = v.stringValue else {
            if case .undefined(let u) = v { throw u.error() }
            throw JinjaError(.type, "indent expects a string, not \(v.typeName)")
        }
        let s = text + "\n"
        var lines = Python.splitLines(s)
        var rv: String
        if blank {
            rv = lines.joined(separator: "\n" + indention)
        } else {
            rv = lines.isEmpty ? "" : lines.removeFirst()
            if !lines.isEmpty {
                rv += "\n" + lines.map { $0.isEmpty ? $0 : indention + $0 }.joined(separator: "\n")
            }
        }
        if first { rv = indention + rv }
        if case .markup = v { return .markup(rv) }
        return .string(rv)
    }

    static let roundFilter: FilterFunction = { v, a, _ in
        try a.check("round", names: ["precision", "method"])
        let precision = try Coerce.int(a.value(0, "precision") ?? 0, "precision")
        let method = try Python.str(a.value(1, "method") ?? "common")
        guard ["common", "ceil", "floor"].contains(method) else {
            throw JinjaError(.value, "method must be common, ceil or floor")
        }
        guard let number = Python.number(v) else {
            if case .undefined(let u) = v { throw u.error() }
            throw JinjaError(.type, "type \(v.typeName) doesn't define __round__ method")
        }
        let scale = pow(10.0, Double(precision))
        if method != "common" {
            let x = number.double * scale
            return .float((method == "ceil" ? x.rounded(.up) : x.rounded(.down)) / scale)
        }
        switch number {
        case .int(let i):
            guard precision < 0 else { return .int(i) }
            // 10**19 does not fit: every 64-bit integer rounds to 0 at that precision.
            guard precision > -19 else { return .int(0) }
            var factor = 1
            for _ in 0..<(-precision) { factor *= 10 }
            let q = (Double(i) / Double(factor)).rounded(.toNearestOrEven)
            guard let whole = Int(exactly: q), case (let result, false) = whole.multipliedReportingOverflow(by: factor) else { throw Python.overflow() }
            return .int(result)
        case .float(let d):
            guard d.isFinite else { return .float(d) }
            if precision >= 0 && precision <= 300 {
                return .float(Double(String(format: "%.\(precision)f", d)) ?? d)
            }
            return .float((d * scale).rounded(.toNearestOrEven) / scale)
        }
    }

    static func ignoreCase(_ v: Value) -> Value {
        if case .string(let s) = v { return .string(s.lowercased()) }
        return v
    }

    /// Jinja2's `make_attrgetter`: dotted paths, integer parts index sequences.
    static func attributeGetter(_ attribute: Value, default fallback: Value? = nil) throws -> (Value) throws -> Value {
        let parts: [Value]
        if let s = attribute.stringValue {
            parts = s.split(separator: ".", omittingEmptySubsequences: false).map { p in Int(p).map { .int($0) } ?? .string(String(p)) }
        } else {
            parts = [attribute]
        }
        return { item in
            var current = item
            for p in parts { current = try Attributes.getitem(current, p) }
            if let fallback, !fallback.isNone, case .undefined = current { return fallback }
            return current
        }
    }

    static func sorted(_ items: [Value], key: (Value) throws -> Value, reverse: Bool) throws -> [Value] {
        let keys = try items.map(key)
        var order = Array(items.indices)
        var failure: Error? = nil
        order.sort { i, j in
            if failure != nil { return i < j }
            do {
                let c = try Python.compare(keys[i], keys[j], op: "<")
                if c == .orderedSame || c == nil { return i < j }
                return reverse ? c == .orderedDescending : c == .orderedAscending
            } catch {
                failure = error
                return i < j
            }
        }
        if let failure { throw failure }
        return order.map { items[$0] }
    }

    static func selectOrReject(_ v: Value, _ a: Arguments, _ r: Renderer, attribute: Bool, keep: Bool) throws -> Value {
        var offset = 0
        var transform: (Value) throws -> Value = { $0 }
        if attribute {
            guard let attr = a.positional.first else { throw JinjaError(.value, "Missing parameter for attribute name") }
            transform = try attributeGetter(attr)
            offset = 1
        }
        let test: (Value) throws -> Bool
        if a.positional.count > offset {
            let name = try Coerce.string(a.positional[offset], "test name")
            let rest = Arguments(Array(a.positional.dropFirst(offset + 1)), keywords: a.keywords)
            test = { try r.callTest(name, $0, rest) }
        } else {
            test = { try Python.truthy($0) }
        }
        return .list(try Python.iterate(v).filter { try test(try transform($0)) == keep })
    }

    static func minMax(_ v: Value, _ a: Arguments, wantMax: Bool) throws -> Value {
        try a.check(wantMax ? "max" : "min", names: ["case_sensitive", "attribute"])
        let caseSensitive = try Python.truthy(a.value(0, "case_sensitive") ?? false)
        let getter = try (a.value(1, "attribute").flatMap { $0.isNone ? nil : $0 }).map { try attributeGetter($0) }
        let items = try Python.iterate(v)
        guard var best = items.first else {
            return .undefined(Undefined(hint: "No aggregated item, sequence was empty."))
        }
        func key(_ x: Value) throws -> Value {
            let k = try getter?(x) ?? x
            return caseSensitive ? k : ignoreCase(k)
        }
        var bestKey = try key(best)
        for item in items.dropFirst() {
            let k = try key(item)
            let c = try Python.compare(k, bestKey, op: wantMax ? ">" : "<")
            if c == (wantMax ? .orderedDescending : .orderedAscending) {
                best = item
                bestKey = k
            }
        }
        return best
    }

    /// Jinja2's `title` filter: upper-cases the first letter of each word (words start after
    /// whitespace, `-`, `(`, `{`, `[` or `<`) and lower-cases the rest.
    static func jinjaTitle(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for c in s {
            if c.isWhitespace || "-({[<".contains(c) {
                out.append(c)
                atWordStart = true
            } else if atWordStart {
                out += c.uppercased()
                atWordStart = false
            } else {
                out += c.lowercased()
            }
        }
        return out
    }

    /// Python's `int(value)` / `int(text, base)`, falling back to `int(float(value))`; nil if neither works.
    static func toInt(_ v: Value, base: Int) throws -> Value? {
        switch v {
        case .int(let i): return .int(i)
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d):
            guard d.isFinite else { throw JinjaError(.value, "cannot convert float \(Python.floatRepr(d)) to integer") }
            guard let i = Int(exactly: d.rounded(.towardZero)) else { throw Python.overflow() }
            return .int(i)
        case .string(let s), .markup(let s):
            if let i = parseInt(s, base: base) { return .int(i) }
            if let d = parseFloat(s), d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) { return .int(i) }
            return nil
        case .undefined(let u):
            throw u.error()
        default:
            return nil
        }
    }

    static func parseInt(_ text: String, base: Int) -> Int? {
        if base == 10, !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return Int(text) }
        var s = Python.strip(text)
        var negative = false
        if let f = s.first, f == "+" || f == "-" { negative = f == "-"; s.removeFirst() }
        var radix = base
        let lower = s.lowercased()
        for (prefix, r) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) && (base == r || base == 0) {
            s = String(s.dropFirst(2))
            if s.hasPrefix("_") { s.removeFirst() }
            radix = r
        }
        if radix == 0 { radix = 10 }
        guard !s.isEmpty, !s.hasPrefix("_"), !s.hasSuffix("_"), !s.contains("__"), radix >= 2, radix <= 36 else { return nil }
        guard let magnitude = Int(s.replacingOccurrences(of: "_", with: ""), radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }

    static func parseFloat(_ text: String) -> Double? {
        let s = Python.strip(text).lowercased()
        guard !s.isEmpty, !s.hasPrefix("_"), !s.contains("__") else { return nil }
        let body = s.hasPrefix("+") || s.hasPrefix("-") ? String(s.dropFirst()) : s
        switch body {
        case "inf", "infinity": return s.hasPrefix("-") ? -.infinity : .infinity
        case "nan": return .nan
        default: break
        }
        guard body.allSatisfy({ $0.isASCII && ($0.isNumber || "._e+-".contains($0)) }), !body.hasPrefix("0x") else { return nil }
        return Double(s.replacingOccurrences(of: "_", with: ""))
    }

    static func toFloat(_ v: Value) throws -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        case .float(let d): return d
        case .string(let s), .markup(let s): return parseFloat(s)
        case .undefined(let u): throw u.error()
        default: return nil
        }
    }

    /// Python's `urllib.parse.quote` as Jinja2's `url_quote` uses it.
    static func urlQuote(_ s: String, forQuery: Bool) -> String {
        var out = ""
        for byte in s.utf8 {
            let c = Character(UnicodeScalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || "_.-~".contains(c) || (!forQuery && c == "/")) {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return forQuery ? out.replacingOccurrences(of: "%20", with: "+") : out
    }
}

/// Python's `json.dumps(value, sort_keys=True[, indent=n])`.
enum JSON {
    static func write(_ v: Value, indent: Int?, level: Int, into out: inout String) throws {
        switch v {
        case .undefined(let u): throw u.error()
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else { out += Python.floatRepr(d) }
        case .string(let s), .markup(let s): out += quote(s)
        case .list(let a), .tuple(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in a.enumerated() {
                if i > 0 { out += indent == nil ? ", " : "," }
                newline(indent, level + 1, &out)
                try write(item, indent: indent, level: level + 1, into: &out)
            }
            newline(indent, level, &out)
            out += "]"
        case .dict(let d):
            try writeObject(d, indent: indent, level: level, into: &out)
        case .namespace(let n):
            try writeObject(n.attributes, indent: indent, level: level, into: &out)
        case .function, .module, .loop:
            throw JinjaError(.type, "Object of type \(v.typeName) is not JSON serializable")
        }
    }

    private static func writeObject(_ d: Dict, indent: Int?, level: Int, into out: inout String) throws {
        if d.isEmpty { out += "{}"; return }
        var entries: [(String, Value, Value)] = []
        for (k, value) in d.pairs {
            let key: String
            switch k {
            case .string(let s), .markup(let s): key = s
            case .int(let i): key = String(i)
            case .float(let f): key = Python.floatRepr(f)
            case .bool(let b): key = b ? "true" : "false"
            case .none: key = "null"
            default: throw JinjaError(.type, "keys must be str, int, float, bool or None, not \(k.typeName)")
            }
            entries.append((key, k, value))
        }
        let sorted = try BuiltinFilters.sorted(entries.indices.map { .int($0) }, key: { entries[Attributes.intIndex($0)!].1 }, reverse: false)
        out += "{"
        for (n, index) in sorted.enumerated() {
            let (key, _, value) = entries[Attributes.intIndex(index)!]
            if n > 0 { out += indent == nil ? ", " : "," }
            newline(indent, level + 1, &out)
            out += quote(key) + ": "
            try write(value, indent: indent, level: level + 1, into: &out)
        }
        newline(indent, level, &out)
        out += "}"
    }

    private static func newline(_ indent: Int?, _ level: Int, _ out: inout String) {
        guard let indent else { return }
        out += "\n" + String(repeating: " ", count: indent * level)
    }

    static func quote(_ s: String) -> String {
        var out = ""
        JSONString.quote(s, asciiOnly: true, into: &out)
        return out
    }
}

/// JSON string literals as Python's `json.dumps` writes them (also used by bakery's JSON output).
public enum JSONString {
    /// Appends `s` quoted: `"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f` escaped, other control characters
    /// and (with `asciiOnly`, Python's `ensure_ascii`) non-ASCII characters as `\uXXXX`.
    public static func quote(_ s: String, asciiOnly: Bool, into out: inout String) {
        out += "\""
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || (asciiOnly && $0 > 0x7E) }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += hex4(0xD800 + (v >> 10)) + hex4(0xDC00 + (v & 0x3FF))
                    } else {
                        out += hex4(scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    private static func hex4(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - h.count) + h
    }
}

/// Python's `textwrap.wrap` with the options Jinja2's `wordwrap` uses (no tab expansion, whitespace
/// kept inside lines, whitespace dropped at line ends).
enum TextWrap {
    static func wrap(_ text: String, width: Int, breakLongWords: Bool, breakOnHyphens: Bool) -> [String] {
        var chunks = split(text, breakOnHyphens: breakOnHyphens)
        chunks.reverse()
        var lines: [String] = []
        while !chunks.isEmpty {
            var line: [String] = []
            var length = 0
            if let last = chunks.last, Python.strip(last).isEmpty, !lines.isEmpty { chunks.removeLast() }
            while let last = chunks.last {
                let l = last.unicodeScalars.count
                if length + l <= width {
                    line.append(last)
                    length += l
                    chunks.removeLast()
                } else {
                    break
                }
            }
            if let last = chunks.last, last.unicodeScalars.count > width {
                let spaceLeft = max(width - length, 1)
                if breakLongWords {
                    let scalars = Array(last.unicodeScalars)
                    var end = spaceLeft
                    if breakOnHyphens && scalars.count > spaceLeft {
                        if let hyphen = scalars[0..<spaceLeft].lastIndex(of: "-"), hyphen > 0, scalars[0..<hyphen].contains(where: { $0 != "-" }) {
                            end = hyphen + 1
                        }
                    }
                    line.append(String(String.UnicodeScalarView(scalars[0..<end])))
                    chunks[chunks.count - 1] = String(String.UnicodeScalarView(scalars[end...]))
                } else if line.isEmpty {
                    line.append(chunks.removeLast())
                }
            }
            if let last = line.last, Python.strip(last).isEmpty {
                line.removeLast()
            }
            if !line.isEmpty { lines.append(line.joined()) }
        }
        return lines
    }

    /// Whitespace runs and words; with `breakOnHyphens`, words split after hyphens between letters.
    static func split(_ text: String, breakOnHyphens: Bool) -> [String] {
        var chunks: [String] = []
        var current = String.UnicodeScalarView()
        var inSpace: Bool? = nil
        for s in text.unicodeScalars {
            let space = Python.isSpace(s)
            if inSpace != nil && space != inSpace! {
                chunks.append(String(current))
                current = String.UnicodeScalarView()
            }
            current.append(s)
            inSpace = space
        }
        if !current.isEmpty { chunks.append(String(current)) }
        guard breakOnHyphens else { return chunks }
        var out: [String] = []
        for chunk in chunks {
            let scalars = Array(chunk.unicodeScalars)
            guard !Python.isSpace(scalars[0]) else { out.append(chunk); continue }
            var start = 0
            var i = 0
            while i < scalars.count {
                if scalars[i] == "-", i >= 2, scalars[i - 1].properties.isAlphabetic, scalars[i - 2].properties.isAlphabetic,
                   i + 1 < scalars.count, scalars[i + 1].properties.isAlphabetic {
                    out.append(String(String.UnicodeScalarView(scalars[start...i])))
                    start = i + 1
                }
                i += 1
            }
            out.append(String(String.UnicodeScalarView(scalars[start...])))
        }
        return out
    }
}
