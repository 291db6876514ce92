// One target as `ci publish`, `ci merge` and `imagetools merge` see it: its tags, its labels (the index
// annotations), the per-platform images the build metadata names, and the order targets are pushed in.
import Foundation
import OCIRegistry

/// What publishing one target needs.
///
///     let targets = PublishTarget.make(selected, plan: plan, metadata: files).sortedForPush()
public struct PublishTarget: Sendable {
    public var uid: String
    public var display: String
    public var imageName: String
    /// The destination tags, sorted.
    public var tags: [String]
    /// The target's labels in plan order: they become the index's annotations.
    public var labels: [(key: String, value: String)]
    /// Per platform (sorted by platform), the image to merge: the newest metadata entry's digest reference.
    public var sources: [Source]
    /// The push-order key (see `sortedForPush`).
    var pushKey: PushKey

    public struct Source: Sendable, Equatable {
        public var platform: String
        /// `<name without tag>@<digest>`, else the name as the metadata gives it.
        public var reference: String
        /// The metadata file it came from.
        public var file: String
    }

    /// The targets of `selected` that the metadata files name (others are not touched), with their plan
    /// entries' tags and labels. `plan` must be made without a temporary registry, so its tags are the real ones.
    public static func make(_ selected: [ImageTarget], plan: BakePlan, metadata: [BuildMetadataFile]) -> [PublishTarget] {
        selected.compactMap { target -> PublishTarget? in
            let found = metadata.compactMap { file in file.entries[target.uid].map { (file.path, $0) } }
            guard !found.isEmpty, let entry = plan.targets[target.uid] else { return nil }
            return PublishTarget(uid: target.uid, display: target.display, imageName: target.image.name,
                                 tags: entry.tags.sorted(), labels: entry.labels.map { ($0.key, $0.value) },
                                 sources: sources(found), pushKey: PushKey(target))
        }
    }

    /// Per platform, the newest entry (by its created time; the later file wins a tie) that names an image.
    static func sources(_ found: [(file: String, entry: BuildMetadataFile.Entry)]) -> [Source] {
        var newest: [String: (Date, Int, Source)] = [:]
        for (n, item) in found.enumerated() {
            guard let reference = item.entry.digestReference ?? item.entry.imageReference else { continue }
            let platform = item.entry.platform ?? "unknown"
            let created = item.entry.created ?? .distantPast
            if let current = newest[platform], (current.0, current.1) > (created, n) { continue }
            newest[platform] = (created, n, Source(platform: platform, reference: reference, file: item.file))
        }
        return newest.keys.sorted().compactMap { newest[$0]?.2 }
    }

    /// `T/<image>/tmp:<uid><first 10 hex digits of sha256(the sources' references concatenated)>`. A tag may have
    /// 128 characters: a longer UID is cut so the hash (which tells the source sets apart) always stays.
    public func temporaryTag(registry: String) -> String {
        let hash = String(Digest.sha256(of: Data(sources.map(\.reference).joined().utf8)).encoded.prefix(10))
        let tag = String(uid.prefix(128 - hash.count)) + hash
        return "\(registry)/\(imageName)/tmp:\(tag)"
    }

    /// The tags grouped by destination repository (`registry/repository`), in tag order: one copy per group.
    public var destinationGroups: [(repository: String, tags: [String])] {
        var groups: [(repository: String, tags: [String])] = []
        for tag in tags {
            let repository = EngineCommands.repository(of: tag)
            let suffix = String(tag.dropFirst(repository.count + 1))
            if let i = groups.firstIndex(where: { $0.repository == repository }) {
                groups[i].tags.append(suffix)
            } else {
                groups.append((repository, [suffix]))
            }
        }
        return groups
    }
}

/// The push order: image name, then not-latest before latest, then version order, then fewer primary flags
/// (primary OS, primary variant) before more, then version, variant and OS names. So an image's latest,
/// primary target is pushed last and its tags (e.g. `latest`) land last.
struct PushKey: Sendable, Comparable {
    var image: String
    var latest: Bool
    var version: ParsedVersion?
    var primaries: Int
    var versionName: String
    var variant: String
    var os: String

    init(_ target: ImageTarget) {
        image = target.image.name
        latest = target.version.latest
        version = target.version.isMatrixVersion ? nil : ParsedVersion(target.version.name)
        primaries = (target.os?.primary ?? true ? 1 : 0) + (target.variant?.primary ?? true ? 1 : 0)
        versionName = target.version.name
        variant = target.variant?.name ?? ""
        os = target.os?.name ?? ""
    }

    static func < (a: PushKey, b: PushKey) -> Bool {
        func less(_ x: String, _ y: String) -> Bool? {
            x == y ? nil : x.utf8.lexicographicallyPrecedes(y.utf8)
        }
        if let r = less(a.image, b.image) { return r }
        if a.latest != b.latest { return !a.latest }
        switch (a.version, b.version) {
        case let (x?, y?):
            if x < y { return true }
            if y < x { return false }
        case (nil, _?): return true
        case (_?, nil): return false
        default: break
        }
        if a.primaries != b.primaries { return a.primaries < b.primaries }
        if let r = less(a.versionName, b.versionName) { return r }
        if let r = less(a.variant, b.variant) { return r }
        if let r = less(a.os, b.os) { return r }
        return false
    }

    static func == (a: PushKey, b: PushKey) -> Bool { !(a < b) && !(b < a) }
}

extension Array where Element == PublishTarget {
    /// In push order; ties keep their order.
    public func sortedForPush() -> [PublishTarget] {
        enumerated().sorted { a, b in
            if a.element.pushKey < b.element.pushKey { return true }
            if b.element.pushKey < a.element.pushKey { return false }
            return a.offset < b.offset
        }.map(\.element)
    }
}
