// `bakery get tags --output uid`: each target's tags under its UID.
import OrderedCollections

/// Each target UID's tags, in target order; encoded as a JSON object of arrays.
///
///     try TagsByUID.make(targets, tagger: Tagger()).tags["connect-2026-03-1"]   // ["ghcr.io/…:2026.03.1", …]
public struct TagsByUID: Sendable, Equatable, Encodable {
    public var tags: OrderedDictionary<String, [String]>

    public init(tags: OrderedDictionary<String, [String]> = [:]) { self.tags = tags }

    /// The listing for `targets` (already in output order).
    public static func make(_ targets: [ImageTarget], tagger: Tagger) throws -> TagsByUID {
        var out = TagsByUID()
        for target in targets { out.tags[target.uid] = try tagger.tags(for: target) }
        return out
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        for (uid, tags) in tags { try c.encode(tags, forKey: JSONKey(uid)) }
    }
}
