// `bakery get versions`: the released versions of a dependency, and what a constraint picks from them — for
// people writing a bakery.yaml constraint (beyond the reference).
import ArgumentParser
import Bakery
import Foundation

struct GetVersionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "Print a dependency's available versions, newest first, or the ones a constraint selects.",
        discussion: """
        DEPENDENCY is python, R, quarto or positron. Versions are read from the documents the reference reads \
        (uv's Python table, Posit's R and Positron lists, quarto.org): over HTTPS with the cache (--offline: the \
        cache only; BAKERY_SOURCES_MIRROR: a mirror), or from --documents DIR, a folder laid out as DIR/<host>/<path>.

        --constraint takes the fields of a bakery.yaml constraint as JSON, e.g. {"latest": true, "count": 2}, \
        {"max": "4.4", "count": 1} or {"min": "4.3", "latest": true}; the output is then the versions it selects.
        --prerelease adds quarto's and positron's pre-releases, as 'prerelease: true' does in bakery.yaml.
        --format json prints {"dependency", "prerelease", "available", and with --constraint "constraint" and "selected"}.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var options: LogOptions

    @Argument(help: ArgumentHelp("python, R, quarto or positron.", valueName: "dependency"))
    var dependency: String

    @Option(help: ArgumentHelp("A version constraint as JSON, e.g. {\"latest\": true, \"count\": 2}.", valueName: "json"))
    var constraint: String?

    @Flag(help: "Include pre-releases (quarto and positron only).")
    var prerelease = false

    @Option(help: ArgumentHelp("text (one version a line) or json.", valueName: "text|json"))
    var format: Format = .text

    @Option(help: ArgumentHelp("A folder holding the version documents, laid out as DIR/<host>/<path>.", valueName: "dir"))
    var documents: String?

    func run() throws {
        let logger = options.makeLogger()
        do {
            guard let name = DependencyName(rawValue: dependency) else {
                let near = DependencyName.allCases.first { $0.rawValue.lowercased() == dependency.lowercased() }
                throw BakeryError(.invalidArgument, "unsupported dependency '\(dependency)'",
                                  hint: near.map { "did you mean '\($0.rawValue)'? names are case-sensitive" }
                                      ?? "supported: " + DependencyName.allCases.map(\.rawValue).joined(separator: ", "))
            }
            if prerelease && !name.supportsPrerelease {
                throw BakeryError(.invalidArgument, "--prerelease is not available for \(name.rawValue)",
                                  hint: "only quarto and positron publish pre-releases; drop --prerelease")
            }
            let wanted = try constraint.map { text throws(BakeryError) in try VersionConstraint.parse(text, option: "--constraint") }
            let folder = documents.map { URL(fileURLWithPath: $0, isDirectory: true) }
            let source = try VersionSources.documentSource(documents: folder, logger: logger)
            let available = try DependencyVersionSource(name).availableVersions(prerelease: prerelease, from: source)
            logger.debug("\(available.count) \(name.rawValue) versions available")
            let selected = try wanted.map { c throws(BakeryError) in try c.select(from: available) }
            switch format {
            case .text:
                let lines = selected ?? available
                if !lines.isEmpty { Console.stdout(lines.joined(separator: "\n")) }
                if let wanted, selected?.isEmpty == true {
                    logger.warning("The constraint \(wanted.summary) selects none of the \(available.count) available \(name.rawValue) versions.")
                }
            case .json:
                var fields: [(String, JSONValue)] = [
                    ("dependency", .string(name.rawValue)),
                    ("prerelease", .bool(prerelease)),
                    ("available", .array(available.map(JSONValue.string))),
                ]
                if let wanted, let selected {
                    fields.append(("constraint", Self.json(wanted)))
                    fields.append(("selected", .array(selected.map(JSONValue.string))))
                }
                TargetRun.emit(.object(fields), .pretty)
            }
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
    }

    static func json(_ c: VersionConstraint) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        if let latest = c.latest { fields.append(("latest", .bool(latest))) }
        if let count = c.count { fields.append(("count", .int(count))) }
        if let max = c.max { fields.append(("max", .string(max))) }
        if let min = c.min { fields.append(("min", .string(min))) }
        return .object(fields)
    }
}
