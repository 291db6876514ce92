// Reading a build metadata file (buildx's shape, keyed by target UID) back: which image to test or publish for a target.
import Foundation

/// The entries of a `--metadata-file` written by `bakery build` (or `docker buildx bake --metadata-file`).
///
///     let metadata = try BuildMetadataFile.load(URL(fileURLWithPath: "metadata.json"))
///     let ref = metadata.reference(uid: target.uid, platform: "linux/amd64", tags: tags) { log.warning($0) }
public struct BuildMetadataFile: Sendable {
    /// What one target's entry says.
    public struct Entry: Sendable, Hashable {
        /// `image.name`, split on commas; the first is the primary.
        public var names: [String]
        public var digest: String?
        /// `os/architecture` from the descriptor, else the provenance environment's platform.
        public var platform: String?
        public var created: Date?

        /// `<first name>@<digest>`, or the name alone.
        public var imageReference: String? {
            guard let name = names.first else { return nil }
            return digest.map { "\(name)@\($0)" } ?? name
        }

        /// `<first name without its tag>@<digest>`: the image by digest alone (what `ci publish` merges).
        public var digestReference: String? {
            guard let name = names.first, let digest else { return nil }
            return "\(EngineCommands.repository(of: name))@\(digest)"
        }
    }

    public var path: String
    public var entries: [String: Entry]

    /// Reads the file; a missing or unreadable file, or one that is not a JSON object, is an error naming it.
    public static func load(_ url: URL) throws(BakeryError) -> BuildMetadataFile {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw BakeryError(.notFound, "Metadata file '\(url.path)' does not exist.",
                              hint: "pass the file `bakery build --metadata-file` wrote, or leave --metadata-file out to test the first tag")
        }
        // A FIFO or device is refused at once rather than read (or waited on) forever.
        let text = String(decoding: try RegularFile.read(url.path, shown: "metadata file '\(url.path)'"), as: UTF8.self)
        guard let json = JSONValue.parse(text), case .object(let object) = json else {
            throw BakeryError(.invalidValue, "metadata file '\(url.path)' is not a JSON object",
                              hint: "it should be the file written by `bakery build --metadata-file`")
        }
        var entries: [String: Entry] = [:]
        for (key, value) in object {
            // buildx's global keys (buildx.build.warnings, …) and anything that is not an object are not targets.
            if key.contains(where: { ".+/ ".contains($0) }) { continue }
            guard case .object = value else { continue }
            entries[key] = entry(value)
        }
        return BuildMetadataFile(path: url.path, entries: entries)
    }

    static func entry(_ value: JSONValue) -> Entry {
        let names = value["image.name"].flatMap(\.text).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        let digest = value["containerimage.digest"].flatMap(\.text)
        var platform: String?
        if let p = value["containerimage.descriptor"]?["platform"], let os = p["os"].flatMap(\.text), let arch = p["architecture"].flatMap(\.text) {
            platform = "\(os)/\(arch)"
        } else if let p = value["buildx.build.provenance"]?["invocation"]?["environment"]?["platform"].flatMap(\.text) {
            platform = p
        }
        let createdText = value["containerimage.descriptor"]?["annotations"]?["org.opencontainers.image.created"].flatMap(\.text)
            ?? value["buildx.build.provenance"]?["invocation"]?["parameters"]?["args"]?["label:org.opencontainers.image.created"].flatMap(\.text)
        return Entry(names: names.filter { !$0.isEmpty }, digest: digest, platform: platform, created: createdText.flatMap(parseDate))
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        // A naive timestamp counts as UTC.
        return formatter.date(from: text + "Z")
    }

    /// The image to use for `uid` on `platform`: its entry's reference when the platform matches, else the first tag
    /// (with a warning when an entry exists but is not usable).
    public func reference(uid: String, platform: String, tags: [String], warn: (String) -> Void) -> String? {
        if let entry = entries[uid], entry.platform == platform, let reference = entry.imageReference {
            return reference
        }
        let fallback = tags.sorted().first
        if entries[uid] != nil {
            warn("No usable build metadata reference for '\(uid)' on platform '\(platform)'; falling back to tag '\(fallback ?? "")'.")
        }
        return fallback
    }
}

extension JSONValue {
    var text: String? { if case .string(let s) = self { s } else { nil } }
}
