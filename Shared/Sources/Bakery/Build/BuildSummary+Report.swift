// `bakery ci summary`: build summaries read back from their JSON (`--summary-format json`), merged across the
// files of one CI run (one per platform of a target, say), and written as a GitHub-flavoured Markdown report.
import Foundation

extension BuildSummary {
    /// Reads a `--summary-format json` document: its `targets` (the totals are recomputed, not trusted).
    /// Throws `.invalidArgument` errors naming the field that is missing or mistyped.
    public init(json: JSONValue) throws(BakeryError) {
        guard case .object = json else { throw BakeryError(.invalidArgument, "the document is not a JSON object with a 'targets' list") }
        guard let targets = json["targets"] else { throw BakeryError(.invalidArgument, "the document has no 'targets' list") }
        guard case .array(let items) = targets else { throw BakeryError(.invalidArgument, "'targets' is not a list") }
        var rows: [Row] = []
        for (i, item) in items.enumerated() {
            func string(_ key: String) throws(BakeryError) -> String {
                guard case .string(let value)? = item[key] else { throw BakeryError(.invalidArgument, "targets[\(i)].\(key) should be a string") }
                return value
            }
            func integer(_ key: String) throws(BakeryError) -> Int {
                guard case .int(let value)? = item[key], value >= 0 else {
                    throw BakeryError(.invalidArgument, "targets[\(i)].\(key) should be a whole number of at least 0")
                }
                return value
            }
            func optionalInteger(_ key: String) throws(BakeryError) -> Int? {
                switch item[key] {
                case nil, .null?: return nil
                case .int(let value)? where value >= 0: return value
                default: throw BakeryError(.invalidArgument, "targets[\(i)].\(key) should be a whole number of at least 0, or null")
                }
            }
            guard case .object = item else { throw BakeryError(.invalidArgument, "targets[\(i)] is not an object") }
            let cacheRef: String?
            switch item["cache_ref"] {
            case nil, .null?: cacheRef = nil
            case .string(let value)?: cacheRef = value
            default: throw BakeryError(.invalidArgument, "targets[\(i)].cache_ref should be a string or null")
            }
            rows.append(Row(uid: try string("uid"), imageName: try string("image_name"), version: try string("version"),
                            os: try string("os"), variant: try string("variant"), platforms: try integer("platforms"),
                            tags: try integer("tags"), layers: try optionalInteger("layers"), registrySize: try optionalInteger("registry_size"),
                            localSize: try optionalInteger("local_size"), cacheRef: cacheRef, cacheSize: try optionalInteger("cache_size")))
        }
        self.init(rows: rows)
    }

    /// One summary of several, rows merged by uid in first-seen order: platforms summed, registry and local
    /// sizes summed (unknown only when unknown in every file), tags, layers, the cache reference and its size
    /// taken from the first file that knows them.
    public static func merged(_ summaries: [BuildSummary]) -> BuildSummary {
        var order: [String] = []
        var byUID: [String: Row] = [:]
        for row in summaries.flatMap(\.rows) {
            guard var known = byUID[row.uid] else {
                order.append(row.uid)
                byUID[row.uid] = row
                continue
            }
            known.platforms += row.platforms
            known.registrySize = sum(known.registrySize, row.registrySize)
            known.localSize = sum(known.localSize, row.localSize)
            known.layers = known.layers ?? row.layers
            known.cacheRef = known.cacheRef ?? row.cacheRef
            known.cacheSize = known.cacheSize ?? row.cacheSize
            byUID[row.uid] = known
        }
        return BuildSummary(rows: order.compactMap { byUID[$0] })
    }

    private static func sum(_ a: Int?, _ b: Int?) -> Int? {
        switch (a, b) {
        case (nil, nil): return nil
        case (let x?, nil), (nil, let x?): return x
        case (let x?, let y?): return x.addingReportingOverflow(y).overflow ? Int.max : x + y
        }
    }

    /// The report `bakery ci summary` writes: an optional warning banner, `### Build Summary`, a
    /// table sorted by image, version, OS and variant (unknown values `—`), and a bold totals row; sizes in
    /// decimal units, a cache counted once per cache reference. Ends with a newline.
    public func markdown(disclaimer: String? = nil) -> String {
        let sorted = sortedRows
        func cell(_ text: String) -> String {
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
                .replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        }
        func line(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }
        var lines: [String] = []
        if let disclaimer, !disclaimer.isEmpty {
            lines += ["> ⚠️ **\(cell(disclaimer))**", ""]
        }
        lines += ["### Build Summary", ""]
        lines.append(line(["Image", "Version", "OS", "Variant", "Platforms", "Tags", "Layers", "Registry Size", "Local Size", "Cache Size"]))
        lines.append("|" + String(repeating: "---|", count: 10))
        for row in sorted {
            lines.append(line([cell(row.imageName), cell(row.version), cell(row.os), cell(row.variant), String(row.platforms), String(row.tags),
                               row.layers.map { String($0) } ?? Self.unknown,
                               Self.size(row.registrySize), Self.size(row.localSize), Self.size(row.cacheSize)]))
        }
        lines.append(line(["**Total (\(buildTargets) targets)**", "", "", "", "**\(platformBuilds)**", "**\(registryTags)**", "",
                           "**\(Self.size(registrySize))**", "**\(Self.size(localSize))**", "**\(Self.size(cacheSize))**"]))
        return lines.joined(separator: "\n") + "\n"
    }
}
