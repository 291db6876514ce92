// The published release lists of python, R, quarto and positron: which documents to read, what to take from
// each, and how a version constraint picks from the result. Where the documents come from is a DocumentSource.
import BakeryYAML
import Foundation

/// The available versions of one dependency, read from the documents its publisher keeps.
///
///     let r = DependencyVersionSource(.R)
///     let all = try r.availableVersions(prerelease: false, from: source)       // ["4.5.1", "4.5.0", "4.4.3", …]
///     let two = try r.versions(for: VersionConstraint(latest: true, count: 2), from: source)   // ["4.5.1", "4.4.3"]
///
/// Versions come newest first, ordered as PEP 440 orders them after a leading `v` is dropped (`2026.03.0-212` is a
/// post-release of 2026.03.0), and keep the spelling their document gives. A document of the wrong shape is a
/// `BakeryError` with code `.versionResolution` naming the URL and the field.
public struct DependencyVersionSource: Sendable, Hashable {
    public let dependency: DependencyName

    public init(_ dependency: DependencyName) { self.dependency = dependency }

    /// uv's table of managed Python builds; cpython builds for Linux give the Python versions.
    public static let pythonURL = URL(string: "https://raw.githubusercontent.com/astral-sh/uv/refs/heads/main/crates/uv-python-managed/download-metadata.json")!
    /// Posit's list of R builds (`r_versions`).
    public static let rURL = URL(string: "https://cdn.posit.co/r/versions.json")!
    /// The current Quarto release (`version`).
    public static let quartoURL = URL(string: "https://quarto.org/docs/download/_download.json")!
    /// The current Quarto pre-release (`version`), read only when pre-releases are wanted.
    public static let quartoPrereleaseURL = URL(string: "https://quarto.org/docs/download/_prerelease.json")!
    /// Every earlier Quarto release: a YAML list whose items' `title` is the version.
    public static let quartoOlderURL = URL(string: "https://raw.githubusercontent.com/quarto-dev/quarto-web/refs/heads/main/docs/download/_download-older.yml")!
    /// Positron's Workbench releases (`releases[].version`); discovery always reads the x86_64 list.
    public static let positronURL = URL(string: "https://cdn.posit.co/positron/releases/pwb/x86_64/all-releases.json")!
    /// The newest Positron daily for Workbench (`version`), read only when pre-releases are wanted.
    public static let positronDailyURL = URL(string: "https://cdn.posit.co/positron/dailies/pwb/x86_64/releases.json")!

    /// The documents read, in the order they are read.
    public func documentURLs(prerelease: Bool) -> [URL] {
        switch dependency {
        case .python: [Self.pythonURL]
        case .R: [Self.rURL]
        case .quarto: prerelease ? [Self.quartoURL, Self.quartoPrereleaseURL, Self.quartoOlderURL] : [Self.quartoURL, Self.quartoOlderURL]
        case .positron: prerelease ? [Self.positronURL, Self.positronDailyURL] : [Self.positronURL]
        }
    }

    /// Every available version, newest first. `prerelease` adds quarto's and positron's pre-release documents
    /// (python and R have none).
    public func availableVersions(prerelease: Bool, from source: any DocumentSource) throws(BakeryError) -> [String] {
        var found: [(version: String, url: URL)] = []
        var unique = false
        switch dependency {
        case .python:
            unique = true
            let url = Self.pythonURL
            guard case .object(let entries) = try Self.json(url, source) else { throw Self.shape(url, "the document", "an object of builds") }
            for (key, entry) in entries {
                guard case .object = entry else { throw Self.shape(url, "\"\(key)\"", "an object") }
                guard entry["name"] == .string("cpython"), entry["os"] == .string("linux"), !Self.truthy(entry["prerelease"]) else { continue }
                var parts: [String] = []
                for field in ["major", "minor", "patch"] {
                    guard case .int(let n)? = entry[field], n >= 0 else { throw Self.shape(url, "\"\(key)\".\(field)", "a whole number") }
                    parts.append(String(n))
                }
                found.append((parts.joined(separator: "."), url))
            }
        case .R:
            let url = Self.rURL
            guard case .array(let items)? = try Self.json(url, source)["r_versions"] else { throw Self.shape(url, "r_versions", "a list of strings") }
            for (i, item) in items.enumerated() {
                guard case .string(let v) = item else { throw Self.shape(url, "r_versions[\(i)]", "a string") }
                if v != "devel" && v != "next" { found.append((v, url)) }
            }
        case .quarto:
            for url in prerelease ? [Self.quartoURL, Self.quartoPrereleaseURL] : [Self.quartoURL] {
                guard case .string(let v)? = try Self.json(url, source)["version"] else { throw Self.shape(url, "version", "a string") }
                found.append((v, url))
            }
            let url = Self.quartoOlderURL
            let data = try source.document(url)
            let root: YAMLNode?
            do { root = try YAMLParser.parse(bytes: Array(data)) } catch {
                throw BakeryError(.versionResolution, "\(url.absoluteString) is not YAML: \(error)", cause: error)
            }
            guard let root, root.kind == .sequence else { throw Self.shape(url, "the document", "a list of releases") }
            for (i, item) in root.items.enumerated() {
                guard item.kind == .mapping, let title = item["title"]?.scalar, !title.isEmpty else {
                    throw Self.shape(url, "item \(i + 1) title", "a version")
                }
                found.append((title, url))
            }
        case .positron:
            unique = true
            let url = Self.positronURL
            guard case .array(let releases)? = try Self.json(url, source)["releases"] else { throw Self.shape(url, "releases", "a list of releases") }
            for (i, release) in releases.enumerated() {
                guard case .string(let v)? = release["version"] else { throw Self.shape(url, "releases[\(i)].version", "a string") }
                found.append((v, url))
            }
            if prerelease {
                let url = Self.positronDailyURL
                guard case .string(let v)? = try Self.json(url, source)["version"] else { throw Self.shape(url, "version", "a string") }
                found.append((v, url))
            }
        }
        if unique {
            var seen = Set<String>()
            found = found.filter { seen.insert($0.version).inserted }
        }
        var keyed: [(version: String, key: PEP440Version, index: Int)] = []
        for (i, f) in found.enumerated() {
            guard let key = PEP440Version(f.version) else {
                throw BakeryError(.versionResolution, "\(f.url.absoluteString) lists '\(f.version)' as a \(dependency.rawValue) version, which is not a version",
                                  hint: "the document may have changed shape; report it, and pin \(dependency.rawValue) versions in bakery.yaml meanwhile")
            }
            keyed.append((f.version, key, i))
        }
        // Newest first; equal versions keep their document order.
        keyed.sort { $0.key != $1.key ? $1.key < $0.key : $0.index < $1.index }
        return keyed.map(\.version)
    }

    /// The versions `constraint` selects from the available ones (pre-releases included when it says so).
    public func versions(for constraint: DependencyConstraint, from source: any DocumentSource) throws(BakeryError) -> [String] {
        guard constraint.dependency == dependency else {
            throw BakeryError(.internal, "a \(constraint.dependency.rawValue) constraint was resolved against the \(dependency.rawValue) versions")
        }
        return try constraint.constraint.select(from: availableVersions(prerelease: constraint.prerelease, from: source))
    }

    private static func json(_ url: URL, _ source: any DocumentSource) throws(BakeryError) -> JSONValue {
        let data = try source.document(url)
        guard let text = String(data: data, encoding: .utf8), let value = JSONValue.parse(text) else {
            throw BakeryError(.versionResolution, "\(url.absoluteString) is not JSON",
                              hint: "the document (or the cache or mirror holding it) is damaged; fetch it again")
        }
        return value
    }

    private static func shape(_ url: URL, _ field: String, _ expected: String) -> BakeryError {
        BakeryError(.versionResolution, "\(url.absoluteString): \(field) is not \(expected)",
                    hint: "the document has changed shape; report it, and pin the versions in bakery.yaml meanwhile")
    }

    /// Python's truthiness, for a JSON field: absent, null, false, 0 and "" are false.
    private static func truthy(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?, .bool(false)?, .int(0)?, .string("")?: false
        case .double(let d)?: d != 0
        case .array(let a)?: !a.isEmpty
        case .object(let o)?: !o.isEmpty
        default: true
        }
    }
}

extension VersionConstraint {
    /// Picks from `available`: order it newest first, drop what is above `max` (a `max` without a patch keeps its
    /// whole minor line, one with only a major its whole major line) or below `min`, keep the newest of each
    /// major.minor line, then the first `count`. Spellings are kept.
    ///
    ///     try VersionConstraint(max: "4.4", count: 1).select(from: ["4.4.1", "4.5.1", "4.4.3"])   // ["4.4.3"]
    public func select(from available: [String]) throws(BakeryError) -> [String] {
        func parse(_ text: String, _ what: String) throws(BakeryError) -> PEP440Version {
            guard let v = PEP440Version(text) else {
                throw BakeryError(.versionResolution, "\(what) '\(text)' is not a version", hint: "versions look like \"4.4\" or \"4.4.1\"")
            }
            return v
        }
        let upper = try max.map { m throws(BakeryError) in try parse(m, "the version constraint's 'max'") }
        let lower = try min.map { m throws(BakeryError) in try parse(m, "the version constraint's 'min'") }
        var keyed: [(text: String, version: PEP440Version, index: Int)] = []
        for (i, text) in available.enumerated() { keyed.append((text, try parse(text, "the available version"), i)) }
        keyed.sort { $0.version != $1.version ? $1.version < $0.version : $0.index < $1.index }
        var lines = Set<[Int]>()
        var out: [String] = []
        for (text, v, _) in keyed {
            let release = v.release + [0, 0]
            if let upper {
                let sameLine: Bool
                switch upper.release.count {
                case 1: sameLine = release[0] == upper.release[0]
                case 2: sameLine = Array(release[0..<2]) == upper.release
                default: sameLine = false
                }
                if !sameLine && upper < v { continue }
            }
            if let lower, v < lower { continue }
            guard lines.insert(Array(release[0..<2])).inserted else { continue }
            out.append(text)
        }
        if let count { return Array(out.prefix(count)) }
        return out
    }
}

extension VersionConstraint {
    /// A constraint written on the command line (`{"latest": true, "count": 2}`: JSON, or YAML's flow form), checked
    /// by the rules bakery.yaml's constraints follow. `option` names the option in messages.
    ///
    ///     try VersionConstraint.parse(#"{"max": "4.4", "count": 1}"#, option: "--constraint")
    public static func parse(_ text: String, option: String) throws(BakeryError) -> VersionConstraint {
        let hint = #"write it like {"latest": true, "count": 2} or {"max": "4.4"}"#
        let node: YAMLNode?
        do { node = try YAMLParser.parse(text) } catch {
            throw BakeryError(.invalidArgument, "\(option) '\(text)' is not JSON: \(error.message)", hint: hint, cause: error)
        }
        guard let node, node.kind == .mapping else {
            throw BakeryError(.invalidArgument, "\(option) '\(text)' is not a JSON object", hint: hint)
        }
        let reader = ConfigReader(file: option)
        let decoded = decode(node, ConfigPath(), reader: reader)
        let errors = reader.diagnostics.filter { $0.severity == .error }
        guard let decoded, errors.isEmpty else {
            let message = errors.map(\.message).joined(separator: "; ")
            throw BakeryError(.invalidArgument, "\(option) '\(text)': \(message.isEmpty ? "not a version constraint" : message)",
                              hint: errors.first?.hint ?? hint)
        }
        return decoded
    }
}
