// Tags for a target: tag patterns selected by their `only` filters, rendered with Jinja, crossed
// with the target's registries.
import Foundation
import Jinja

/// Renders tag patterns. Parsed patterns are cached, so rendering many targets parses each once.
public final class Tagger: @unchecked Sendable {
    private let environment: Environment
    private var cache: [String: CompiledPattern] = [:]
    private let lock = NSLock()

    public init() {
        var env = Environment()
        BakeryFilters.install(into: &env)
        environment = env
    }

    /// A pattern compiled either to a fast form (literal text and `{{ Var [| filter]… }}` with
    /// bakery's string filters) or to a Jinja template.
    enum CompiledPattern {
        enum Piece { case text(String), variable(String, [String]) }
        case pieces([Piece])
        case template(Template)
    }

    /// Whether a pattern has the exact `{{ OS }}`, `{{ Variant }}`, `{{ Channel }}` spellings that make
    /// it skipped when the value is empty.
    struct Uses {
        var os: Bool, variant: Bool, channel: Bool
        init(_ p: String) {
            os = p.utf8.contains(subsequence: "{{ OS }}")
            variant = p.utf8.contains(subsequence: "{{ Variant }}")
            channel = p.utf8.contains(subsequence: "{{ Channel }}")
        }
    }
    private var uses: [String: Uses] = [:]

    private func usage(_ pattern: String) -> Uses {
        if let u = lock.withLock({ uses[pattern] }) { return u }
        let u = Uses(pattern)
        lock.withLock { uses[pattern] = u }
        return u
    }

    static let fastFilters: Set<String> = ["stripMetadata", "stripPatch", "tagSafe", "condense", "lower", "upper", "trim"]
    static let variables: Set<String> = ["Version", "OS", "Variant", "Name", "Channel"]

    private func compiled(_ pattern: String) throws -> CompiledPattern {
        if let c = lock.withLock({ cache[pattern] }) { return c }
        let c: CompiledPattern
        if let pieces = Self.fastPieces(pattern) {
            c = .pieces(pieces)
        } else {
            c = .template(try environment.template(source: pattern, name: "tag pattern '\(pattern)'"))
        }
        lock.withLock { cache[pattern] = c }
        return c
    }

    static func fastPieces(_ pattern: String) -> [CompiledPattern.Piece]? {
        var pieces: [CompiledPattern.Piece] = []
        var rest = Substring(pattern)
        while !rest.isEmpty {
            guard let open = rest.range(of: "{{") else {
                if rest.contains("{%") || rest.contains("{#") || rest.contains("}}") { return nil }
                pieces.append(.text(String(rest)))
                break
            }
            let before = rest[..<open.lowerBound]
            if before.contains("{%") || before.contains("{#") || before.contains("}}") { return nil }
            if !before.isEmpty { pieces.append(.text(String(before))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else { return nil }
            let inner = rest[open.upperBound..<close.lowerBound]
            let parts = inner.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = parts.first, variables.contains(name) else { return nil }
            let filters = Array(parts.dropFirst())
            guard filters.allSatisfy({ fastFilters.contains($0) }) else { return nil }
            pieces.append(.variable(name, filters))
            rest = rest[close.upperBound...]
        }
        return pieces
    }

    private func render(_ pattern: String, _ vars: [String: String]) throws -> String {
        switch try compiled(pattern) {
        case .pieces(let pieces):
            var out = ""
            for piece in pieces {
                switch piece {
                case .text(let t): out += t
                case .variable(let name, let filters):
                    var v = vars[name] ?? ""
                    for f in filters {
                        switch f {
                        case "stripMetadata": v = BakeryFilters.stripMetadata(v)
                        case "stripPatch": v = BakeryFilters.stripPatch(v)
                        case "tagSafe": v = BakeryFilters.tagSafe(v)
                        case "condense": v = BakeryFilters.condense(v)
                        case "lower": v = v.lowercased()
                        case "upper": v = v.uppercased()
                        default: v = v.trimmingCharacters(in: .whitespacesAndNewlines)
                        }
                    }
                    out += v
                }
            }
            return out
        case .template(let template):
            return try template.render(vars.mapValues { .string($0) }, environment: environment)
        }
    }

    /// The tag suffixes of `target`: every pattern rendered for each OS, variant and channel it uses, sorted.
    public func suffixes(for target: ImageTarget) throws -> [String] {
        var groups = target.image.tagPatterns
        for p in target.variant?.tagPatterns ?? [] where !groups.contains(p) { groups.append(p) }
        let version = target.version
        let os = target.os?.tagDisplayName ?? ""
        let variantNames: [String] = target.variant.map { [$0.tagDisplayName] + $0.tagAliases } ?? [""]
        let channels: [String]
        if version.metadata.releaseChannels.count > 1 {
            channels = version.metadata.releaseChannels.map(\.rawValue)
        } else {
            channels = [version.isDevelopmentVersion ? (version.metadata.releaseChannel?.rawValue ?? "") : ""]
        }
        var out = Set<String>()
        for group in groups where applies(group, to: target) {
            for pattern in group.patterns {
                let use = usage(pattern)
                let usesChannel = use.channel
                for variantName in variantNames {
                    for channel in (usesChannel ? channels : [channels.first ?? ""]) {
                        // A floating channel tag only for a channel this build is the newest build of.
                        if usesChannel, group.only.contains(.channelLatest), let heads = version.metadata.headChannels,
                           !heads.map(\.rawValue).contains(channel) { continue }
                        if use.os && os.isEmpty { continue }
                        if use.variant && variantName.isEmpty { continue }
                        if usesChannel && channel.isEmpty { continue }
                        let vars = ["Version": version.name, "OS": os, "Variant": variantName, "Name": target.image.name, "Channel": channel]
                        let rendered: String
                        do {
                            rendered = try render(pattern, vars)
                        } catch let error as JinjaError {
                            throw BakeryError(.templateFailed, "image '\(target.image.name)': tag pattern '\(pattern)' cannot be rendered: \(error.message)",
                                  location: target.image.location, hint: "fix the pattern's Jinja expression in tagPatterns", cause: error)
                        }
                        let tag = TagRules.finishRenderedTag(rendered)
                        if !tag.isEmpty { out.insert(tag) }
                    }
                }
            }
        }
        return out.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private func applies(_ group: TagPattern, to target: ImageTarget) -> Bool {
        let only = group.only
        if only.contains(.channelLatest) && !target.version.metadata.channelLatest { return false }
        if only.contains(.all) { return true }
        if only.contains(.latest) && !target.version.latest { return false }
        if only.contains(.latestPatch) && !target.version.isLatestPatchCombination { return false }
        if only.contains(.primaryOS) && !target.isPrimaryOS { return false }
        if only.contains(.primaryVariant) && !target.isPrimaryVariant { return false }
        return true
    }

    /// Full tags: every registry × suffix, sorted; identical tags appear once.
    public func tags(for target: ImageTarget) throws -> [String] {
        let suffixes = try suffixes(for: target)
        var tags = Set<String>()
        if target.registries.isEmpty {
            for s in suffixes { tags.insert("\(target.image.name):\(s)") }
        } else {
            for r in target.registries {
                let base = "\(r.baseURL)/\(r.repository ?? target.image.name)"
                for s in suffixes { tags.insert("\(base):\(s)") }
            }
        }
        return tags.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

extension String.UTF8View {
    /// Whether `needle` occurs as contiguous bytes.
    func contains(subsequence needle: String) -> Bool {
        let n = Array(needle.utf8), h = Array(self)
        guard !n.isEmpty, n.count <= h.count else { return n.isEmpty }
        outer: for i in 0...(h.count - n.count) where h[i] == n[0] {
            for k in 1..<n.count where h[i + k] != n[k] { continue outer }
            return true
        }
        return false
    }
}
