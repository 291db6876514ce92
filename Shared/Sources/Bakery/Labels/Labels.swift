// OCI and Posit labels of a target, in the key order posit-bakery writes them.
import Foundation

public enum Labels {
    /// The `created` value: `SOURCE_DATE_EPOCH` (UTC) when set, for reproducible builds; otherwise the
    /// local wall-clock time, as posit-bakery writes it (ISO 8601 without zone, microseconds when non-zero).
    public static func createdTimestamp(environment: [String: String] = ProcessInfo.processInfo.environment, now: Date = Date()) -> String {
        var date = now
        var zone = TimeZone.current
        if let epoch = environment["SOURCE_DATE_EPOCH"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            date = Date(timeIntervalSince1970: TimeInterval(epoch))
            zone = TimeZone(secondsFromGMT: 0) ?? zone
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        var s = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        let micro = (c.nanosecond ?? 0) / 1000
        if micro != 0 { s += String(format: ".%06d", micro) }
        return s
    }

    public static func labels(for target: ImageTarget, repository: Repository, revision: String?, created: String) -> [KeyValue] {
        let image = target.image
        var out: [KeyValue] = [
            KeyValue("org.opencontainers.image.created", created),
            KeyValue("org.opencontainers.image.source", repository.url.text),
            KeyValue("org.opencontainers.image.title", image.displayName),
            KeyValue("org.opencontainers.image.vendor", repository.vendor),
            KeyValue("co.posit.image.maintainer", repository.maintainer.description),
            KeyValue("co.posit.image.name", image.displayName),
        ]
        if !repository.authors.isEmpty {
            out.append(KeyValue("org.opencontainers.image.authors", repository.authors.map(\.description).joined(separator: ", ")))
        }
        for prefix in ["org.opencontainers.image", "co.posit.image"] {
            out.append(KeyValue("\(prefix).version", target.version.name))
            if let revision { out.append(KeyValue("\(prefix).revision", revision)) }
            if let d = image.description { out.append(KeyValue("\(prefix).description", d)) }
            if let u = image.documentationURL { out.append(KeyValue("\(prefix).documentation", u.text)) }
        }
        if let v = target.variant { out.append(KeyValue("co.posit.image.variant", v.name)) }
        if let os = target.os { out.append(KeyValue("co.posit.image.os", os.name)) }
        if target.variant?.name != "Minimal" {
            for d in target.version.dependencies {
                out.append(KeyValue("co.posit.image.tools.\(d.dependency.rawValue)", d.versions.joined(separator: ", ")))
            }
        }
        return out
    }
}
