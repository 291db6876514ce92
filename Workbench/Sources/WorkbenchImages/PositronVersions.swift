// Where the Positron versions Workbench can bundle are listed, and how those lists are read (reference §14.1).
import Bakery
import Foundation

/// The Positron release lists on Posit's CDN: every release (`all-releases.json`, `releases[].version`) and
/// the newest daily (`releases.json`, `version`), per architecture folder. Fetching is the caller's job.
///
///     let url = try PositronVersions.releasesURL(architecture: "amd64")
///     // https://cdn.posit.co/positron/releases/pwb/x86_64/all-releases.json
///     try PositronVersions.versions(fromReleases: data)   // ["2026.04.0-15", "2026.03.0-212", …], newest first
///     PositronVersions.sorted(["2026.02.1-5", "v2026.03.0-212", "2026.03.0"])
///     // ["v2026.03.0-212", "2026.03.0", "2026.02.1-5"]
public enum PositronVersions {
    /// `https://cdn.posit.co/positron/releases/pwb/<x86_64|arm64>/all-releases.json`, for `amd64` or `arm64`.
    public static func releasesURL(architecture: String) throws(BakeryError) -> URL {
        try url("https://cdn.posit.co/positron/releases/pwb/\(PositronVersion.cdnArchitecture(architecture))/all-releases.json")
    }

    /// `https://cdn.posit.co/positron/dailies/pwb/<x86_64|arm64>/releases.json`, for `amd64` or `arm64`.
    public static func dailiesURL(architecture: String) throws(BakeryError) -> URL {
        try url("https://cdn.posit.co/positron/dailies/pwb/\(PositronVersion.cdnArchitecture(architecture))/releases.json")
    }

    private static func url(_ address: String) throws(BakeryError) -> URL {
        guard let url = URL(string: address) else { throw BakeryError(.internal, "'\(address)' is not a URL") }
        return url
    }

    /// How errors name the documents (the architecture folder is the caller's).
    static let releasesDocument = "https://cdn.posit.co/positron/releases/pwb/<arch>/all-releases.json"
    static let dailiesDocument = "https://cdn.posit.co/positron/dailies/pwb/<arch>/releases.json"

    /// The versions `all-releases.json` lists (`releases[].version`): each spelling once, newest first.
    ///
    /// Throws `.channel` when the document is not JSON, has no `releases` list, or an entry has no string
    /// `version` or one that is not a version (the message names the entry), so that a damaged list is
    /// noticed instead of silently shortening the matrix.
    public static func versions(fromReleases document: Data) throws(BakeryError) -> [String] {
        let json = try parse(document, source: releasesDocument)
        guard let releases = (json as? [String: Any])?["releases"] as? [Any] else {
            let keys = (json as? [String: Any]).map { $0.keys.sorted().joined(separator: ", ") } ?? "not an object"
            throw BakeryError(.channel, "\(releasesDocument) has no 'releases' list (it has: \(keys))",
                              hint: "the CDN may have changed the document's shape; check the URL in a browser")
        }
        var seen = Set<String>()
        var found: [String] = []
        for (index, entry) in releases.enumerated() {
            guard let version = (entry as? [String: Any])?["version"] as? String else {
                throw BakeryError(.channel, "\(releasesDocument): releases[\(index)] has no string 'version'")
            }
            guard PositronVersion(version) != nil else {
                throw BakeryError(.channel, "\(releasesDocument): releases[\(index)].version '\(version)' is not a Positron version (PEP 440, e.g. 2026.03.0-212)")
            }
            if seen.insert(version).inserted { found.append(version) }
        }
        guard !found.isEmpty else {
            throw BakeryError(.channel, "\(releasesDocument) lists no releases", hint: "try again later; the CDN should list every Positron release")
        }
        return sorted(found)
    }

    /// The newest daily that `releases.json` names (`version`).
    public static func version(fromDailies document: Data) throws(BakeryError) -> String {
        let json = try parse(document, source: dailiesDocument)
        guard let version = (json as? [String: Any])?["version"] as? String else {
            throw BakeryError(.channel, "\(dailiesDocument) has no string 'version'")
        }
        guard PositronVersion(version) != nil else {
            throw BakeryError(.channel, "\(dailiesDocument) gives version '\(version)', which is not a Positron version (PEP 440, e.g. 2026.04.0-87)")
        }
        return version
    }

    /// Newest first by PEP 440 (after an optional leading `v`), in the given spellings; versions equal under
    /// PEP 440 keep their given order. Names that are not versions are not dropped: they go last, in their
    /// given order (as the reference sorts unparseable versions below everything).
    ///
    ///     PositronVersions.sorted(["2026.02.1-5", "nightly", "2026.03.0-212", "2026.03.0"])
    ///     // ["2026.03.0-212", "2026.03.0", "2026.02.1-5", "nightly"]
    public static func sorted(_ versions: [String]) -> [String] {
        let parsed = versions.enumerated().map { (offset: $0.offset, text: $0.element, version: PositronVersion($0.element)) }
        return parsed.sorted { a, b in
            switch (a.version, b.version) {
            case let (x?, y?): return x != y ? x > y : a.offset < b.offset
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a.offset < b.offset
            }
        }.map(\.text)
    }

    private static func parse(_ document: Data, source: String) throws(BakeryError) -> Any {
        do { return try JSONSerialization.jsonObject(with: document) } catch {
            throw BakeryError(.channel, "\(source) is not valid JSON", hint: "the download may have been cut short or replaced by an error page; try again")
        }
    }
}
