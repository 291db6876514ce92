// Encodable values as JSONValue, keys in the order `encode(to:)` writes them.
import OrderedCollections

/// Encodes an `Encodable` value as a ``JSONValue`` whose objects keep the order in which the
/// value's `encode(to:)` wrote its keys (synthesized conformances write them in declaration
/// order). Foundation's `JSONEncoder` does not keep that order; the plan and tag outputs are
/// compared byte for byte with Python's `json.dumps`, so this one does.
///
///     let json = try JSONValueEncoder().encode(plan)
///     print(json.text(.plan))
///
/// `nil` optionals written with `encodeIfPresent` (what synthesized conformances do) leave the
/// key out; an explicit `encodeNil` writes `null`. Encoding the same key twice in one container
/// keeps the key's first position and the last value (see ``JSONValue``).
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode(_ value: some Encodable) throws -> JSONValue {
        let slot = JSONSlot()
        try slot.encode(value, codingPath: [])
        return slot.json
    }
}

/// One value being built: nothing yet, a finished value, or an array or object whose members are slots.
private final class JSONSlot {
    enum Content {
        case empty
        case value(JSONValue)
        case array([JSONSlot])
        case object(OrderedDictionary<String, JSONSlot>)
    }

    var content = Content.empty

    var json: JSONValue {
        switch content {
        // A value that encoded nothing at all (an empty `encode(to:)`) is written as an empty object.
        case .empty: return .object([:])
        case .value(let v): return v
        case .array(let items): return .array(items.map(\.json))
        case .object(let fields): return .object(fields.mapValues(\.json))
        }
    }

    func encode(_ value: some Encodable, codingPath: [any CodingKey]) throws {
        if let v = JSONSlot.primitive(value) {
            content = .value(v)
        } else {
            try value.encode(to: SlotEncoder(slot: self, codingPath: codingPath))
        }
    }

    /// Scalars written directly instead of through their own `encode(to:)` (which would ask for a single-value container anyway).
    static func primitive(_ value: some Encodable) -> JSONValue? {
        switch value {
        case let v as JSONValue: return v
        case let v as String: return .string(v)
        case let v as Bool: return .bool(v)
        case let v as Int: return .int(v)
        case let v as Double: return .double(v)
        default: return nil
        }
    }

    /// This slot as an object (made one if it was empty).
    func objectChild(_ key: String) -> JSONSlot {
        var fields: OrderedDictionary<String, JSONSlot>
        if case .object(let existing) = content { fields = existing } else { fields = [:] }
        if let child = fields[key] {
            child.content = .empty
            content = .object(fields)
            return child
        }
        let child = JSONSlot()
        fields[key] = child
        content = .object(fields)
        return child
    }

    func ensureObject() {
        if case .object = content { return }
        content = .object([:])
    }

    func appendChild() -> JSONSlot {
        var items: [JSONSlot]
        if case .array(let existing) = content { items = existing } else { items = [] }
        let child = JSONSlot()
        items.append(child)
        content = .array(items)
        return child
    }

    func ensureArray() {
        if case .array = content { return }
        content = .array([])
    }

    var count: Int {
        if case .array(let items) = content { return items.count }
        return 0
    }
}

private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String
    init(_ index: Int) {
        intValue = index
        stringValue = String(index)
    }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.init(intValue) }
}

private struct SlotEncoder: Encoder {
    let slot: JSONSlot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.ensureObject()
        return KeyedEncodingContainer(KeyedSlotContainer<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        slot.ensureArray()
        return UnkeyedSlotContainer(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleSlotContainer(slot: slot, codingPath: codingPath)
    }
}

private struct KeyedSlotContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: JSONSlot
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { slot.objectChild(key.stringValue).content = .value(.null) }

    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        try slot.objectChild(key.stringValue).encode(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = slot.objectChild(key.stringValue)
        child.ensureObject()
        return KeyedEncodingContainer(KeyedSlotContainer<NestedKey>(slot: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = slot.objectChild(key.stringValue)
        child.ensureArray()
        return UnkeyedSlotContainer(slot: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        SlotEncoder(slot: slot.objectChild("super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        SlotEncoder(slot: slot.objectChild(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedSlotContainer: UnkeyedEncodingContainer {
    let slot: JSONSlot
    let codingPath: [any CodingKey]
    var count: Int { slot.count }

    mutating func encodeNil() throws { slot.appendChild().content = .value(.null) }

    mutating func encode(_ value: some Encodable) throws {
        let key = IndexKey(slot.count)
        try slot.appendChild().encode(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let key = IndexKey(slot.count)
        let child = slot.appendChild()
        child.ensureObject()
        return KeyedEncodingContainer(KeyedSlotContainer<NestedKey>(slot: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = IndexKey(slot.count)
        let child = slot.appendChild()
        child.ensureArray()
        return UnkeyedSlotContainer(slot: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        let key = IndexKey(slot.count)
        return SlotEncoder(slot: slot.appendChild(), codingPath: codingPath + [key])
    }
}

private struct SingleSlotContainer: SingleValueEncodingContainer {
    let slot: JSONSlot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.content = .value(.null) }
    mutating func encode(_ value: Bool) throws { slot.content = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { slot.content = .value(.string(value)) }
    mutating func encode(_ value: Double) throws { slot.content = .value(.double(value)) }
    mutating func encode(_ value: Float) throws { slot.content = .value(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { slot.content = .value(.int(value)) }
    mutating func encode(_ value: Int8) throws { slot.content = .value(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { slot.content = .value(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { slot.content = .value(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { try encodeInteger(value) }
    mutating func encode(_ value: UInt) throws { try encodeInteger(value) }
    mutating func encode(_ value: UInt8) throws { slot.content = .value(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { slot.content = .value(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { try encodeInteger(value) }
    mutating func encode(_ value: UInt64) throws { try encodeInteger(value) }

    mutating func encode(_ value: some Encodable) throws {
        try slot.encode(value, codingPath: codingPath)
    }

    /// An integer that may not fit `Int` is an encoding error, not a trap.
    private mutating func encodeInteger(_ value: some BinaryInteger) throws {
        guard let int = Int(exactly: value) else {
            throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: codingPath, debugDescription: "\(value) does not fit a JSON integer here"))
        }
        slot.content = .value(.int(int))
    }
}
