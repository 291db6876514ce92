// `bakery ci matrix`: one row per image version and platform (what a change touched is in CI/).
import Foundation

public enum CIMatrix {
    public enum Column: String, Sendable, CaseIterable { case version, dev, latest, platform }

    /// Rows from targets in generation order; variants and OSes collapse.
    public static func rows(_ targets: [ImageTarget], exclude: Set<Column>) -> JSONValue {
        var seen = Set<String>()
        var rows: [JSONValue] = []
        for t in targets {
            let platforms: [String]
            if exclude.contains(.platform) {
                platforms = [""]
            } else if t.version.os.isEmpty {
                platforms = [Platform.amd64.rawValue]
            } else {
                var union: [String] = []
                for os in t.version.os { for p in os.platforms.map(\.rawValue) where !union.contains(p) { union.append(p) } }
                platforms = union
            }
            for platform in platforms {
                let key = "\(t.image.name)\u{0}\(t.version.name)\u{0}\(platform)"
                if seen.contains(key) { continue }
                seen.insert(key)
                var row: [(String, JSONValue)] = [("image", .string(t.image.name))]
                if !exclude.contains(.version) { row.append(("version", .string(t.version.name))) }
                if !exclude.contains(.dev) { row.append(("dev", .bool(t.version.isDevelopmentVersion))) }
                if !exclude.contains(.latest) { row.append(("latest", .bool(t.version.latest && !t.version.isDevelopmentVersion))) }
                if !exclude.contains(.platform) { row.append(("platform", .string(platform))) }
                rows.append(.object(row))
            }
        }
        return .array(rows)
    }
}
