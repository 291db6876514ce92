// The combined SARIF 2.1.0 log of a hadolint run (results/hadolint/hadolint.sarif), for code-scanning upload.
import Foundation
import OrderedCollections

/// One SARIF 2.1.0 log for every Containerfile of a run: one run whose driver is hadolint, a rule
/// per code seen (with its documentation page), and a result per finding located in the
/// Containerfile relative to the project root (`uriBaseId` `%SRCROOT%`).
///
///     let log = HadolintSARIF.make(report, root: workspace.root)
///     try results.write(Data((log.text(.pretty) + "\n").utf8), named: "hadolint.sarif")
public enum HadolintSARIF {
    public static let schema = "https://json.schemastore.org/sarif-2.1.0.json"
    public static let version = "2.1.0"
    public static let sourceRoot = "%SRCROOT%"

    /// The rule's documentation: hadolint's wiki for `DL` rules, ShellCheck's for `SC` rules, nil otherwise.
    public static func helpURI(for code: String) -> String? {
        guard code.count > 2, code.dropFirst(2).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if code.hasPrefix("DL") { return "https://github.com/hadolint/hadolint/wiki/\(code)" }
        if code.hasPrefix("SC") { return "https://www.shellcheck.net/wiki/\(code)" }
        return nil
    }

    /// The log of `report`. Each finding appears once, however many targets share its Containerfile.
    public static func make(_ report: HadolintReport, root: URL) -> JSONValue {
        struct Key: Hashable { var code, uri, message: String; var line, column: Int }
        var seen = Set<Key>()
        var findings: [(HadolintFinding, String)] = []
        for entry in report.entries {
            let uri = uriReference(entry.job.containerfile)
            for finding in entry.findings {
                let key = Key(code: finding.code, uri: uri, message: finding.message, line: finding.line, column: finding.column)
                if seen.insert(key).inserted { findings.append((finding, uri)) }
            }
        }
        // A rule per code, sorted; described by the first message seen for it.
        var descriptions: [String: String] = [:]
        for (finding, _) in findings where descriptions[finding.code] == nil { descriptions[finding.code] = finding.message }
        let codes = descriptions.keys.sorted()
        let ruleIndex = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
        let rules: [JSONValue] = codes.map { code in
            var rule: OrderedDictionary<String, JSONValue> = ["id": .string(code), "shortDescription": .object([("text", .string(descriptions[code] ?? code))])]
            if let help = helpURI(for: code) { rule["helpUri"] = .string(help) }
            return .object(rule)
        }
        let results: [JSONValue] = findings.map { finding, uri in
            var region: OrderedDictionary<String, JSONValue> = [:]
            // SARIF lines and columns start at 1; hadolint's 0 (a file-wide finding) has no region.
            if finding.line >= 1 { region["startLine"] = .int(finding.line) }
            if finding.line >= 1 && finding.column >= 1 { region["startColumn"] = .int(finding.column) }
            var location: OrderedDictionary<String, JSONValue> = [
                "artifactLocation": .object([("uri", .string(uri)), ("uriBaseId", .string(sourceRoot))]),
            ]
            if !region.isEmpty { location["region"] = .object(region) }
            return .object([
                ("ruleId", .string(finding.code)),
                ("ruleIndex", .int(ruleIndex[finding.code] ?? 0)),
                ("level", .string(finding.level.sarifLevel)),
                ("message", .object([("text", .string(finding.message))])),
                ("locations", .array([.object([("physicalLocation", .object(location))])])),
            ])
        }
        var driver: OrderedDictionary<String, JSONValue> = ["name": .string("hadolint")]
        if let v = report.hadolintVersion { driver["version"] = .string(v) }
        driver["informationUri"] = .string("https://github.com/hadolint/hadolint")
        driver["rules"] = .array(rules)
        let rootURI = root.standardizedFileURL.absoluteString
        let run: JSONValue = .object([
            ("tool", .object([("driver", .object(driver))])),
            ("originalUriBaseIds", .object([(sourceRoot, .object([("uri", .string(rootURI.hasSuffix("/") ? rootURI : rootURI + "/"))]))])),
            ("invocations", .array([.object([("executionSuccessful", .bool(report.executionFailures.isEmpty))])])),
            ("results", .array(results)),
        ])
        return .object([("$schema", .string(schema)), ("version", .string(version)), ("runs", .array([run]))])
    }

    /// A relative path as a URI reference: each component percent-encoded, `/` kept.
    static func uriReference(_ path: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@")
        return path.split(separator: "/", omittingEmptySubsequences: true)
            .map { String($0).addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0) }
            .joined(separator: "/")
    }
}
