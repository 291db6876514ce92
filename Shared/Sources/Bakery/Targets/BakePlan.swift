// The `docker buildx bake` plan (reference spec §9) and the tag listings built from targets.
import Foundation

/// Options that shape the plan.
public struct PlanOptions: Sendable {
    public var cacheRegistry: String?
    public var tempRegistry: String?
    public var push = false
    /// Environment consulted for build secrets (`buildSecrets[].envVar` set → secret entry).
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    public init() {}
}

/// Per-project facts the plan needs: repository metadata and the git revision.
public struct ProjectFacts: Sendable {
    public var repository: Repository
    public var revision: String?
    public init(repository: Repository, revision: String?) {
        self.repository = repository
        self.revision = revision
    }
}

public enum BakePlan {
    /// The plan for `targets` (already in output order). `facts` is keyed by target context.
    public static func make(_ targets: [ImageTarget], facts: [String: ProjectFacts], options: PlanOptions, tagger: Tagger,
                            created: String) throws -> JSONValue {
        var groupOrder: [String] = ["default"]
        var groups: [String: [JSONValue]] = ["default": []]
        func add(_ group: String, _ uid: String) {
            if groups[group] == nil {
                groupOrder.append(group)
                groups[group] = []
            }
            groups[group]!.append(.string(uid))
        }
        var targetObjects: [(String, JSONValue)] = []
        for target in targets {
            let uid = target.uid
            add("default", uid)
            add(target.image.name, uid)
            if let variant = target.variant { add(variant.name, uid) }
            let fact = facts[target.context]!
            var fields: [(String, JSONValue)] = [
                ("context", .string(target.context)),
                ("dockerfile", .string(target.containerfile)),
                ("labels", .object(Labels.labels(for: target, repository: fact.repository, revision: fact.revision, created: created)
                    .map { ($0.key, .string($0.value)) })),
            ]
            if let temp = options.tempRegistry {
                fields.append(("tags", .array([.string("\(temp)/\(target.image.name)/tmp")])))
            } else {
                fields.append(("tags", .array(try tagger.tags(for: target).map { .string($0) })))
            }
            fields.append(("args", .object(target.buildArgs.map { ($0.key, .string($0.value)) })))
            if let stage = target.buildStage { fields.append(("target", .string(stage))) }
            fields.append(("platforms", .array(target.platforms.map { .string($0) })))
            if let cache = options.cacheRegistry {
                let ref = target.cacheReference(registry: cache, platforms: target.platforms)
                fields.append(("cache-from", .array([.object([("type", .string("registry")), ("ref", .string(ref))])])))
                if options.push {
                    fields.append(("cache-to", .array([.object([
                        ("type", .string("registry")), ("ref", .string(ref)), ("mode", .string("max")),
                        ("compression", .string("zstd")), ("oci-mediatypes", .string("true")),
                    ])])))
                }
            }
            let secrets = target.image.buildSecrets.filter { options.environment[$0.envVar] != nil }
            if !secrets.isEmpty {
                fields.append(("secret", .array(secrets.map {
                    .object([("type", .string("env")), ("id", .string($0.id)), ("env", .string($0.envVar))])
                })))
            }
            targetObjects.append((uid, .object(fields)))
        }
        let groupObjects = groupOrder.map { ($0, JSONValue.object([("targets", .array(groups[$0]!))])) }
        return .object([("group", .object(groupObjects)), ("target", .object(targetObjects))])
    }

    /// `get tags --output uid`: `{uid: [tags]}` in target order.
    public static func tagsByUID(_ targets: [ImageTarget], tagger: Tagger) throws -> JSONValue {
        .object(try targets.map { ($0.uid, .array(try tagger.tags(for: $0).map { .string($0) })) })
    }

    /// `get tags --output component`: image → version → [variant →] [OS →] tags.
    public static func tagsByComponent(_ targets: [ImageTarget], tagger: Tagger) throws -> JSONValue {
        final class Node {
            var order: [String] = []
            var children: [String: Node] = [:]
            var tags: [String]? = nil
            func child(_ key: String) -> Node {
                if let c = children[key] { return c }
                let c = Node()
                order.append(key)
                children[key] = c
                return c
            }
            var json: JSONValue {
                if let tags { return .array(tags.map { .string($0) }) }
                return .object(order.map { ($0, children[$0]!.json) })
            }
        }
        let root = Node()
        for t in targets {
            var node = root.child(t.image.name).child(t.version.name)
            if let v = t.variant { node = node.child(v.name) }
            if let os = t.os { node = node.child(os.name) }
            node.tags = try tagger.tags(for: t)
        }
        return root.json
    }

    /// `--summary` counts (§10.6): targets, platform builds, registry tags.
    public static func counts(_ targets: [ImageTarget], tagger: Tagger, platforms: [String], tempRegistry: String?) throws -> (targets: Int, platformBuilds: Int, tags: Int) {
        var builds = 0, tags = 0
        for t in targets {
            builds += platforms.isEmpty ? t.platforms.count : platforms.count
            tags += tempRegistry != nil ? 1 : try tagger.tags(for: t).count
        }
        return (targets.count, builds, tags)
    }
}
