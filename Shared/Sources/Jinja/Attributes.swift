import Foundation

/// Attribute and item access as Jinja2's `Environment.getattr`/`getitem` do it: Python attributes
/// (methods of str, dict and list) first for `x.y`, the item first for `x['y']`, and an undefined
/// value naming the object and key when neither exists.
enum Attributes {
    static func getattr(_ object: Value, _ name: String) throws -> Value {
        if case .undefined(let u) = object { throw u.error() }
        if let method = Methods.bound(object, name) { return method }
        switch object {
        case .dict(let d):
            if let v = d[string: name] { return v }
        case .module(let m):
            if let v = m.exports[string: name] { return v }
        case .namespace(let n):
            if let v = n.attributes[string: name] { return v }
        case .loop(let l):
            if let v = l.attribute(name) { return v }
        default: break
        }
        return missing(object, .name(name))
    }

    static func getitem(_ object: Value, _ key: Value) throws -> Value {
        if case .undefined(let u) = object { throw u.error() }
        switch object {
        case .list(let a), .tuple(let a):
            if let i = intIndex(key) {
                let j = i < 0 ? i + a.count : i
                if j >= 0 && j < a.count { return a[j] }
                return missing(object, .other(try Python.repr(key)))
            }
        case .string(let s), .markup(let s):
            if let i = intIndex(key) {
                let scalars = Array(s.unicodeScalars)
                let j = i < 0 ? i + scalars.count : i
                if j >= 0 && j < scalars.count {
                    let c = String(scalars[j])
                    if case .markup = object { return .markup(c) }
                    return .string(c)
                }
                return missing(object, .other(try Python.repr(key)))
            }
        case .dict(let d):
            if case .undefined(let u) = key, u.strict { throw u.error() }
            if let v = try? d.get(key) { return v }
        case .module(let m):
            if let name = key.stringValue, let v = m.exports[string: name] { return v }
        case .namespace(let n):
            if let v = try? n.attributes.get(key) { return v }
        case .loop(let l):
            if let name = key.stringValue, let v = l.attribute(name) { return v }
        default: break
        }
        if let name = key.stringValue {
            if let method = Methods.bound(object, name) { return method }
            return missing(object, .name(name))
        }
        // Like Jinja2, an unusable key (an undefined value, a list, …) yields an undefined value.
        let keyText = (try? Python.repr(key)) ?? "Undefined"
        return missing(object, .other(keyText))
    }

    static func missing(_ object: Value, _ key: Value.KeyDescription) -> Value {
        var u = Undefined()
        u.owner = object.objectTypeRepr
        u.key = key
        return .undefined(u)
    }

    static func intIndex(_ v: Value) -> Int? {
        switch v {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// Python slicing `obj[start:stop:step]`.
    static func slice(_ object: Value, _ start: Value?, _ stop: Value?, _ step: Value?) throws -> Value {
        if case .undefined(let u) = object { throw u.error() }
        func bound(_ v: Value?) throws -> Int? {
            guard let v, !v.isNone else { return nil }
            if case .undefined(let u) = v { throw u.error() }
            guard let i = intIndex(v) else {
                throw JinjaError(.type, "slice indices must be integers or None or have an __index__ method")
            }
            return i
        }
        let stepValue = try bound(step) ?? 1
        if stepValue == 0 { throw JinjaError(.value, "slice step cannot be zero") }
        func indices(_ count: Int) throws -> [Int] {
            var lo: Int, hi: Int
            if stepValue > 0 {
                lo = try bound(start).map { $0 < 0 ? max(0, $0 + count) : min($0, count) } ?? 0
                hi = try bound(stop).map { $0 < 0 ? max(0, $0 + count) : min($0, count) } ?? count
                return lo < hi ? Array(stride(from: lo, to: hi, by: stepValue)) : []
            }
            lo = try bound(start).map { $0 < 0 ? max(-1, $0 + count) : min($0, count - 1) } ?? (count - 1)
            hi = try bound(stop).map { $0 < 0 ? max(-1, $0 + count) : min($0, count - 1) } ?? -1
            return lo > hi ? Array(stride(from: lo, to: hi, by: stepValue)) : []
        }
        switch object {
        case .list(let a): return .list(try indices(a.count).map { a[$0] })
        case .tuple(let a): return .tuple(try indices(a.count).map { a[$0] })
        case .string(let s), .markup(let s):
            let scalars = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for i in try indices(scalars.count) { out.append(scalars[i]) }
            if case .markup = object { return .markup(String(out)) }
            return .string(String(out))
        case .dict:
            // Slices bypass Jinja2's getitem: Python's own error surfaces.
            throw JinjaError(.type, "unhashable type: 'slice'")
        default:
            throw JinjaError(.type, "'\(object.typeName)' object is not subscriptable")
        }
    }
}
