// What `bakery build --summary` reports after a build: per target its platforms, tags, layers and sizes.
import Foundation
import OrderedCollections

/// The summary of a finished build, one row per target in plan order.
///
///     let summary = BuildSummary.make(jobs: session.jobs, targets: targets, sizes: measured.sizes)
///     print(summary.json().text(.plan))     // --summary-format json (stdout)
///     print(summary.table())                // the table (stderr)
public struct BuildSummary: Sendable, Equatable {
    /// One target.
    public struct Row: Sendable, Equatable {
        public var uid: String
        public var imageName: String
        public var version: String
        /// The OS name (`Ubuntu 24.04`), "" when the target has none.
        public var os: String
        /// The variant name (`Standard`), "" when the target has none.
        public var variant: String
        /// Platforms built.
        public var platforms: Int
        /// Registry tags (aliases included).
        public var tags: Int
        public var layers: Int?
        public var registrySize: Int?
        public var localSize: Int?
        public var cacheRef: String?
        public var cacheSize: Int?

        public init(uid: String, imageName: String, version: String, os: String = "", variant: String = "", platforms: Int,
                    tags: Int, layers: Int? = nil, registrySize: Int? = nil, localSize: Int? = nil, cacheRef: String? = nil,
                    cacheSize: Int? = nil) {
            self.uid = uid
            self.imageName = imageName
            self.version = version
            self.os = os
            self.variant = variant
            self.platforms = platforms
            self.tags = tags
            self.layers = layers
            self.registrySize = registrySize
            self.localSize = localSize
            self.cacheRef = cacheRef
            self.cacheSize = cacheSize
        }
    }

    /// In plan order.
    public var rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    /// The rows for `jobs` (plan order). `targets` gives names and the registry tags: a
    /// `--temp-registry` build pushes one temporary name, but the summary counts the tags the
    /// target has (as the reference does); a job without its target falls back to what the plan holds.
    public static func make(jobs: [BuildJob], targets: [ImageTarget], sizes: [String: ImageSizes], tagger: Tagger = Tagger()) -> BuildSummary {
        let byUID = Dictionary(targets.map { ($0.uid, $0) }, uniquingKeysWith: { first, _ in first })
        return BuildSummary(rows: jobs.map { job in
            let target = byUID[job.uid]
            let measured = sizes[job.uid] ?? ImageSizes()
            let tags = target.flatMap { try? tagger.tags(for: $0).count } ?? job.target.tags.count
            return Row(uid: job.uid, imageName: target?.image.name ?? job.imageName,
                       version: target?.version.name ?? job.target.labels["org.opencontainers.image.version"] ?? "",
                       os: target?.os?.name ?? job.target.labels["co.posit.image.os"] ?? "",
                       variant: target?.variant?.name ?? job.target.labels["co.posit.image.variant"] ?? "",
                       platforms: job.platforms.count, tags: tags, layers: measured.layers,
                       registrySize: measured.registrySize, localSize: measured.localSize,
                       cacheRef: job.target.cacheFrom.first?.ref, cacheSize: measured.cacheSize)
        })
    }

    // MARK: - Totals

    public var buildTargets: Int { rows.count }
    public var platformBuilds: Int { rows.reduce(0) { $0 + $1.platforms } }
    public var registryTags: Int { rows.reduce(0) { $0 + $1.tags } }
    /// Σ of the measured values; nil when nothing was measured.
    public var registrySize: Int? { Self.total(rows.map(\.registrySize)) }
    public var localSize: Int? { Self.total(rows.map(\.localSize)) }
    /// Each distinct cache image once: targets that share a cache reference share its layers.
    public var cacheSize: Int? {
        var seen = Set<String>()
        var sizes: [Int?] = []
        for row in rows {
            guard let size = row.cacheSize else { continue }
            if let ref = row.cacheRef, !seen.insert(ref).inserted { continue }
            sizes.append(size)
        }
        return Self.total(sizes)
    }

    static func total(_ values: [Int?]) -> Int? {
        let known = values.compactMap { $0 }
        return known.isEmpty ? nil : known.reduce(0, +)
    }

    // MARK: - JSON

    /// `--summary-format json`: counts, totals (null when nothing was measured), then the targets.
    public func json() -> JSONValue {
        func number(_ n: Int?) -> JSONValue { n.map { .int($0) } ?? .null }
        let targets: [JSONValue] = rows.map { row in
            .object([("uid", .string(row.uid)), ("image_name", .string(row.imageName)), ("version", .string(row.version)),
                     ("os", .string(row.os)), ("variant", .string(row.variant)), ("platforms", .int(row.platforms)),
                     ("tags", .int(row.tags)), ("layers", number(row.layers)), ("registry_size", number(row.registrySize)),
                     ("local_size", number(row.localSize)), ("cache_ref", row.cacheRef.map { .string($0) } ?? .null),
                     ("cache_size", number(row.cacheSize))])
        }
        return .object([("build_targets", .int(buildTargets)), ("platform_builds", .int(platformBuilds)),
                        ("registry_tags", .int(registryTags)), ("registry_size_bytes", number(registrySize)),
                        ("local_size_bytes", number(localSize)), ("cache_size_bytes", number(cacheSize)),
                        ("targets", .array(targets))])
    }

    // MARK: - Table

    /// What the two caption lines explain.
    public static let captions = [
        "Registry Tags counts tag aliases (version, os, latest, etc.) across registries, not distinct stored images.",
        "Layers is one platform's manifest layer count; Registry Size sums every platform in a multi-platform index.",
    ]

    /// Shown for a value that is not known.
    public static let unknown = "—"

    /// The sizes view: rows sorted by image, version, OS and variant, a value that repeats the row
    /// above (and everything left of it does too) left blank, then a `Total` row.
    public func table() -> String {
        let sorted = sortedRows
        var body: [[String]] = []
        var previous: [String]?
        for row in sorted {
            let group = [row.imageName, row.version, row.os, row.variant]
            var shown = group
            if let previous {
                for i in group.indices {
                    guard group[i] == previous[i] else { break }
                    shown[i] = ""
                }
            }
            previous = group
            let layers: String = row.layers.map { String($0) } ?? Self.unknown
            let measured: [String] = [String(row.platforms), String(row.tags), layers,
                                      Self.size(row.registrySize), Self.size(row.localSize), Self.size(row.cacheSize)]
            body.append(shown + measured)
        }
        let total = ["Total", "", "", "", String(platformBuilds), String(registryTags), "",
                     Self.size(registrySize), Self.size(localSize), Self.size(cacheSize)]
        let table = BoxTable(columns: [.init("Image"), .init("Version"), .init("OS"), .init("Variant"),
                                       .init("Platforms", .right), .init("Tags", .right), .init("Layers", .right),
                                       .init("Registry Size", .right), .init("Local Size", .right), .init("Cache Size", .right)],
                             rows: body, footer: [total])
        return (["Build Summary (\(buildTargets) targets)"] + table.lines() + Self.captions).joined(separator: "\n")
    }

    static func size(_ bytes: Int?) -> String { bytes.map(formatSize) ?? unknown }

    /// The rows by image, version, OS and variant (byte order; plan order among equals), as the views show them.
    var sortedRows: [Row] {
        rows.enumerated().sorted { a, b in
            let ka = [a.element.imageName, a.element.version, a.element.os, a.element.variant]
            let kb = [b.element.imageName, b.element.version, b.element.os, b.element.variant]
            if let i = ka.indices.first(where: { ka[$0] != kb[$0] }) { return ka[i].utf8.lexicographicallyPrecedes(kb[i].utf8) }
            return a.offset < b.offset
        }.map(\.element)
    }

    // MARK: - Sizes

    /// Decimal units, one decimal, as `rich.filesize.decimal` writes them: `1 byte`, `999 bytes`,
    /// `1.0 kB`, `123.5 MB`, `1,234.6 EB` (1000-based; thousands separators).
    public static func formatSize(_ bytes: Int) -> String {
        if bytes == 1 { return "1 byte" }
        if bytes < 1000 { return "\(grouped(String(bytes))) bytes" }
        let suffixes = ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
        var exponent = 1
        // The unit is the first power of 1000 above the size; the value is size / 1000^(exponent).
        while exponent < suffixes.count, Double(bytes) >= pow(1000.0, Double(exponent + 1)) { exponent += 1 }
        let value = Double(bytes) / pow(1000.0, Double(exponent))
        let text = String(format: "%.1f", value)
        let parts = text.split(separator: ".", maxSplits: 1)
        return "\(grouped(String(parts[0]))).\(parts.count > 1 ? parts[1] : "0") \(suffixes[exponent - 1])"
    }

    /// `1234567` → `1,234,567`.
    static func grouped(_ digits: String) -> String {
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 && c != "-" { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
