// The project's repository facts used in labels: source URL, vendor, maintainer, authors.
import BakeryYAML

/// `repository:` of bakery.yaml.
///
///     repo.url.text          // "https://github.com/posit-dev/images-connect"
///     repo.maintainer        // Posit Docker Team <docker@posit.co>
public struct Repository: Sendable, Hashable {
    public static let defaultVendor = "Posit Software, PBC"
    public static let defaultMaintainer = NameEmail(name: "Posit Docker Team", email: "docker@posit.co")

    public var url: HTTPURL
    public var vendor: String
    public var maintainer: NameEmail
    /// De-duplicated, sorted case-insensitively by their rendered text.
    public var authors: [NameEmail]

    public init(url: HTTPURL, vendor: String = Repository.defaultVendor, maintainer: NameEmail = Repository.defaultMaintainer,
                authors: [NameEmail] = []) {
        self.url = url
        self.vendor = vendor
        self.maintainer = maintainer
        self.authors = authors
    }

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> Repository? {
        guard let f = reader.object(node, at: path, keys: ["url", "vendor", "maintainer", "authors"], what: "repository") else { return nil }
        var url: HTTPURL?
        if let raw = f.string("url", required: true, hint: "add the project's source, e.g. url: github.com/org/repo") {
            do { url = try HTTPURL.validate(raw) } catch {
                reader.error(f["url"], path.key("url"), "invalid repository URL: \(error.message)",
                             hint: raw.contains("REPLACE") ? "replace the placeholder with the project's source, e.g. github.com/org/repo"
                                 : "write the project's source, e.g. github.com/org/repo")
            }
        }
        let vendor = f.string("vendor") ?? defaultVendor
        var maintainer = defaultMaintainer
        if let m = f["maintainer"], let person = NameEmail.decode(m, path.key("maintainer"), reader: reader, what: "maintainer") {
            maintainer = person
        }
        var authors: [NameEmail] = []
        var seen = Set<NameEmail>()
        let decoded = f.entries("authors", of: "authors") { NameEmail.decode($0, $1, reader: reader, what: "author") }
        for entry in decoded {
            let (author, n) = (entry.value, entry.node)
            if !seen.insert(author).inserted {
                reader.warning(n, path.key("authors"), "duplicate author: \(author)", hint: "remove the repeated entry", code: .duplicate)
                continue
            }
            authors.append(author)
        }
        authors = stableSorted(authors) { $0.description.lowercased() < $1.description.lowercased() }
        guard let url else { return nil }
        return Repository(url: url, vendor: vendor, maintainer: maintainer, authors: authors)
    }
}
