@testable import Bakery
import Foundation
import Testing

/// `bakery hadolint run` in the domain: option merge, argv, Containerfile dedupe, hadolint's JSON,
/// the SARIF log and the report text.
@Suite("hadolint: options, arguments, output, SARIF")
struct HadolintTests {
    static func config(_ yaml: String) throws -> BakeryConfig {
        try ConfigLoader.load(bytes: Array(yaml.utf8), displayPath: "bakery.yaml", context: URL(fileURLWithPath: "/p"),
                              file: URL(fileURLWithPath: "/p/bakery.yaml")).config
    }

    static func targets(_ yaml: String, matrix: VersionInclusion = .exclude) throws -> [ImageTarget] {
        var filter = TargetFilter()
        filter.matrixVersions = matrix
        return try TargetSelector(filter: filter).select([TargetProject(config: config(yaml), context: ".")]).sortedForOutput()
    }

    /// An image with a hadolint option and a variant that overrides part of it, a matrix image, a plain image.
    static let yaml = """
    repository:
      url: github.com/example/p
    images:
      - name: app
        options:
          - tool: hadolint
            failureThreshold: warning
            ignored: [DL3000, DL3001]
            labelSchema: {zz: text, aa: url}
            override: {error: [DL3002], style: [SC2086]}
            trustedRegistries: [docker.io]
        variants:
          - name: Standard
            extension: std
            primary: true
            options:
              - tool: hadolint
                ignored: []
                strictLabels: true
          - name: Minimal
            extension: min
        versions:
          - name: 1.0.0
            latest: true
            os:
              - name: Ubuntu 24.04
                primary: true
      - name: mat
        variants:
          - name: Standard
            extension: std
            primary: true
          - name: Minimal
            extension: min
        matrix:
          dependencies:
            - dependency: R
              versions: ["4.5.2", "4.4.3"]
          os:
            - name: Ubuntu 24.04
              primary: true
      - name: plain
        versions:
          - name: "2.0"
    """

    static func hadolintOption(_ target: ImageTarget) -> HadolintOptions? {
        if case .hadolint(let o)? = ToolOptions.effective(tool: .hadolint, image: target.image.options, variant: target.variant?.options) { return o }
        return nil
    }

    // MARK: - option merge

    @Test func defaultsApplyWhenNothingIsSet() {
        let o = HadolintOptions.effective(cli: HadolintOptions(), config: nil)
        #expect(o.failureThreshold == "error")
        #expect(o.ignored == HadolintOptions.defaultIgnored)
        #expect(o.ignored == ["DL3008", "DL3018", "DL3033", "DL3037", "DL3041"])
        #expect(o.labelSchema == nil && o.noFail == nil && o.override == nil && o.strictLabels == nil)
        #expect(o.disableIgnorePragma == nil && o.trustedRegistries == nil)
    }

    @Test func configFillsWhatTheCommandLineDoesNotGive() throws {
        let minimal = try #require(Self.targets(Self.yaml).first { $0.variant?.name == "Minimal" })
        let config = try #require(Self.hadolintOption(minimal))
        var cli = HadolintOptions()
        cli.failureThreshold = "style"
        cli.override = ["warning": ["DL4006"]]
        let o = HadolintOptions.effective(cli: cli, config: config)
        #expect(o.failureThreshold == "style")
        #expect(o.ignored == ["DL3000", "DL3001"])
        #expect(o.labelSchema == [KeyValue("zz", "text"), KeyValue("aa", "url")])
        // `override` is one field: the command line's replaces bakery.yaml's whole map.
        #expect(o.override == ["warning": ["DL4006"]])
        #expect(o.trustedRegistries == ["docker.io"])
    }

    @Test func variantOverImageThenAnExplicitEmptyIgnoreListStaysEmpty() throws {
        let standard = try #require(Self.targets(Self.yaml).first { $0.variant?.name == "Standard" })
        let o = HadolintOptions.effective(cli: HadolintOptions(), config: Self.hadolintOption(standard))
        #expect(o.ignored == [])
        #expect(o.strictLabels == true)
        #expect(o.failureThreshold == "warning")
        #expect(o.override == ["error": ["DL3002"], "style": ["SC2086"]])
    }

    @Test func anImageWithoutAHadolintOptionGetsTheDefaults() throws {
        let plain = try #require(Self.targets(Self.yaml).first { $0.image.name == "plain" })
        let job = try #require(HadolintJob.jobs(for: [plain], root: URL(fileURLWithPath: "/p"), cli: HadolintOptions()).first)
        #expect(job.options.failureThreshold == "error")
        #expect(job.options.ignored == HadolintOptions.defaultIgnored)
    }

    @Test func requiredLabelSpellings() {
        #expect(HadolintOptions.requiredLabel("maintainer") == KeyValue("maintainer", "text"))
        #expect(HadolintOptions.requiredLabel("url:url") == KeyValue("url", "url"))
        #expect(HadolintOptions.requiredLabel("when:") == KeyValue("when", "text"))
        #expect(HadolintOptions.requiredLabel("a:b:c") == KeyValue("a", "b:c"))
        #expect(HadolintOptions.requiredLabel("") == nil)
        #expect(HadolintOptions.requiredLabel(":text") == nil)
    }

    // MARK: - argv

    @Test func argumentsInTheReferenceOrder() {
        var o = HadolintOptions()
        o.failureThreshold = "warning"
        o.ignored = ["DL1", "DL2"]
        o.labelSchema = [KeyValue("zz", "text"), KeyValue("aa", "url")]
        o.noFail = true
        o.override = ["style": ["S1"], "info": ["I1"], "warning": ["W1"], "error": ["E1", "E2"]]
        o.strictLabels = true
        o.disableIgnorePragma = true
        o.trustedRegistries = ["r1", "r2"]
        #expect(o.hadolintArguments(containerfile: "/p/app/1.0.0/Containerfile", verbose: true) == [
            "--format", "json", "--verbose", "--failure-threshold", "warning", "--ignore", "DL1", "--ignore", "DL2",
            "--require-label", "zz:text", "--require-label", "aa:url", "--no-fail",
            "--error", "E1", "--error", "E2", "--warning", "W1", "--info", "I1", "--style", "S1",
            "--strict-labels", "--disable-ignore-pragma", "--trusted-registry", "r1", "--trusted-registry", "r2",
            "/p/app/1.0.0/Containerfile",
        ])
    }

    @Test func defaultArguments() {
        let o = HadolintOptions.effective(cli: HadolintOptions(), config: nil)
        #expect(o.hadolintArguments(containerfile: "/p/Containerfile", verbose: false) == [
            "--format", "json", "--failure-threshold", "error",
            "--ignore", "DL3008", "--ignore", "DL3018", "--ignore", "DL3033", "--ignore", "DL3037", "--ignore", "DL3041",
            "/p/Containerfile",
        ])
        var off = o
        off.noFail = false
        off.strictLabels = false
        off.ignored = []
        #expect(off.hadolintArguments(containerfile: "/p/Containerfile", verbose: false) == ["--format", "json", "--failure-threshold", "error", "/p/Containerfile"])
    }

    // MARK: - dedupe

    @Test func targetsSharingAContainerfileAreLintedOnce() throws {
        let targets = try Self.targets(Self.yaml, matrix: .include)
        let matrixTargets = targets.filter { $0.version.isMatrixVersion }
        #expect(matrixTargets.count == 4)   // 2 R versions × 2 variants
        let jobs = HadolintJob.jobs(for: targets, root: URL(fileURLWithPath: "/p"), cli: HadolintOptions())
        #expect(jobs.count == targets.count - 2)
        let shared = jobs.filter(\.isShared)
        #expect(shared.count == 2)
        for job in shared {
            #expect(job.targets.count == 2)
            #expect(job.target.uid == job.targets[0].uid)
            #expect(job.containerfile.hasPrefix("mat/matrix/Containerfile.ubuntu2404."))
            #expect(job.containerfileURL.path == "/p/\(job.containerfile)")
        }
        #expect(Set(jobs.map(\.containerfileURL)).count == jobs.count)
    }

    @Test func workspaceTargetsAreRelativeToTheWorkspaceRoot() throws {
        var targets = try Self.targets(Self.yaml)
        for i in targets.indices { targets[i].context = "Product" }
        let jobs = HadolintJob.jobs(for: targets, root: URL(fileURLWithPath: "/ws"), cli: HadolintOptions())
        #expect(jobs.allSatisfy { $0.containerfile.hasPrefix("Product/") && $0.containerfileURL.path == "/ws/\($0.containerfile)" })
    }

    // MARK: - hadolint's JSON

    static let sample = #"[{"code":"DL3008","column":1,"file":"/p/Containerfile","level":"warning","line":7,"message":"Pin versions é"},{"code":"SC2086","column":5,"file":"/p/Containerfile","level":"info","line":9,"message":"Double quote"}]"#

    @Test func parsesFindingsAndKeepsTheJSONForTheResultsFile() throws {
        let parsed = try HadolintOutput.parse(Array(Self.sample.utf8)).get()
        #expect(parsed.findings == [
            HadolintFinding(code: "DL3008", column: 1, file: "/p/Containerfile", level: .warning, line: 7, message: "Pin versions é"),
            HadolintFinding(code: "SC2086", column: 5, file: "/p/Containerfile", level: .info, line: 9, message: "Double quote"),
        ])
        let text = String(decoding: parsed.resultsFileData, as: UTF8.self)
        #expect(text.hasPrefix("[\n  {\n    \"code\": \"DL3008\",\n    \"column\": 1,\n    \"file\": \"/p/Containerfile\",\n    \"level\": \"warning\",\n    \"line\": 7,\n"))
        #expect(text.contains(#""message": "Pin versions \u00e9""#))
        #expect(text.hasSuffix("}\n]"))
        #expect(try HadolintOutput.parse(Array("[]\n".utf8)).get().findings.isEmpty)
        #expect(String(decoding: try HadolintOutput.parse(Array("[]".utf8)).get().resultsFileData, as: UTF8.self) == "[]")
        #expect(parsed.findings[0].reportLine == "  DL3008 warning line 7: Pin versions é")
    }

    @Test(arguments: [
        ("", "the output is empty"),
        ("this is not json\n", "the output is not valid JSON"),
        ("{\"code\": 1}", "expected a JSON list of findings, found an object"),
        ("[1]", "item 1: expected an object, found a number"),
        (#"[{"code":"DL1","column":1,"file":"f","level":"fatal","line":1,"message":"m"}]"#, "item 1: 'level' is missing or not one of error, warning, info, style"),
        (#"[{"code":"DL1","column":1,"file":"f","level":"error","line":"7","message":"m"}]"#, "item 1: 'line' is missing or not a whole number"),
        (#"[{"column":1,"file":"f","level":"error","line":1,"message":"m"}]"#, "item 1: 'code' is missing or not a string"),
        ("[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]", "the output nests more than 16 levels deep, which hadolint's JSON never does"),
    ])
    func unreadableOutputSaysWhy(output: String, reason: String) {
        guard case .failure(let failure) = HadolintOutput.parse(Array(output.utf8)) else {
            Issue.record("parsed: \(output)")
            return
        }
        #expect(failure.reason == reason)
    }

    @Test func hostileOutputNeverTraps() {
        // A million brackets (and ones hidden in strings), invalid UTF-8, NULs: refused, never a stack overflow.
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect((try? HadolintOutput.parse(deep).get()) == nil)
        let quoted = Array(("[\"" + String(repeating: "[", count: 100_000) + "\"]").utf8)
        #expect((try? HadolintOutput.parse(quoted).get()) == nil)
        #expect((try? HadolintOutput.parse([0xFF, 0xFE, 0x00, 0x5B]).get()) == nil)
        #expect((try? HadolintOutput.parse(Array(#"[{"code":"DL1","column":99999999999999999999,"file":"f","level":"error","line":1,"message":"m"}]"#.utf8)).get()) == nil)
    }

    // MARK: - SARIF

    static func report(root: URL) throws -> HadolintReport {
        let targets = try Self.targets(Self.yaml, matrix: .include)
        let jobs = HadolintJob.jobs(for: targets, root: root, cli: HadolintOptions())
        var report = HadolintReport()
        report.hadolintVersion = "2.15.1"
        let findings = try HadolintOutput.parse(Array(Self.sample.utf8)).get().findings
        for (i, job) in jobs.enumerated() {
            let these: [HadolintFinding] = i == 0 ? findings : i == 1 ? [HadolintFinding(code: "DL3002", column: 0, file: "x", level: .error, line: 0, message: "Last USER should not be root")] : []
            report.entries.append(HadolintReport.Entry(job: job, outcome: .linted(findings: these, termination: .exited(these.isEmpty ? 0 : 1), resultsFile: root)))
        }
        return report
    }

    @Test func sarifIsOneRunWithRulesResultsAndLocations() throws {
        let root = URL(fileURLWithPath: "/work/my project")
        let report = try Self.report(root: root)
        let text = HadolintSARIF.make(report, root: root).text(.pretty)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["$schema"] as? String == "https://json.schemastore.org/sarif-2.1.0.json")
        #expect(object["version"] as? String == "2.1.0")
        let runs = try #require(object["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let run = runs[0]
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "hadolint")
        #expect(driver["version"] as? String == "2.15.1")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(rules.map { $0["id"] as? String } == ["DL3002", "DL3008", "SC2086"])
        #expect(rules.map { $0["helpUri"] as? String } == ["https://github.com/hadolint/hadolint/wiki/DL3002",
                                                          "https://github.com/hadolint/hadolint/wiki/DL3008",
                                                          "https://www.shellcheck.net/wiki/SC2086"])
        #expect((rules[1]["shortDescription"] as? [String: Any])?["text"] as? String == "Pin versions é")
        let base = try #require((run["originalUriBaseIds"] as? [String: Any])?["%SRCROOT%"] as? [String: Any])
        #expect(base["uri"] as? String == "file:///work/my%20project/")
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 3)
        #expect(results.map { $0["ruleId"] as? String } == ["DL3008", "SC2086", "DL3002"])
        #expect(results.map { $0["level"] as? String } == ["warning", "note", "error"])
        #expect(results.map { $0["ruleIndex"] as? Int } == [1, 2, 0])
        #expect((results[0]["message"] as? [String: Any])?["text"] as? String == "Pin versions é")
        let first = try #require((results[0]["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        let artifact = try #require(first["artifactLocation"] as? [String: Any])
        #expect(artifact["uri"] as? String == report.entries[0].job.containerfile)
        #expect(artifact["uriBaseId"] as? String == "%SRCROOT%")
        let region = try #require(first["region"] as? [String: Any])
        #expect(region["startLine"] as? Int == 7)
        #expect(region["startColumn"] as? Int == 1)
        // Line 0 (a whole-file finding) has no region: SARIF lines start at 1.
        let fileWide = try #require((results[2]["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        #expect(fileWide["region"] == nil)
        let invocation = try #require((run["invocations"] as? [[String: Any]])?.first)
        #expect(invocation["executionSuccessful"] as? Bool == true)
    }

    @Test func sarifListsAFindingOfASharedContainerfileOnce() throws {
        let root = URL(fileURLWithPath: "/p")
        var report = try Self.report(root: root)
        // The same Containerfile reported twice (two entries for one file): one result per finding.
        report.entries.append(report.entries[0])
        let log = HadolintSARIF.make(report, root: root)
        guard case .array(let runs)? = log["runs"], case .array(let results)? = runs.first?["results"] else {
            Issue.record("no results")
            return
        }
        #expect(results.count == 3)
    }

    @Test func sarifURIsArePercentEncodedRelativePaths() {
        #expect(HadolintSARIF.uriReference("img/1.0 beta/Containerfile#1") == "img/1.0%20beta/Containerfile%231")
        #expect(HadolintSARIF.uriReference("café/Containerfile") == "caf%C3%A9/Containerfile")
        #expect(HadolintSARIF.helpURI(for: "DL3008") == "https://github.com/hadolint/hadolint/wiki/DL3008")
        #expect(HadolintSARIF.helpURI(for: "SC1091") == "https://www.shellcheck.net/wiki/SC1091")
        #expect(HadolintSARIF.helpURI(for: "DL") == nil)
        #expect(HadolintSARIF.helpURI(for: "XY1234") == nil)
        #expect(HadolintSARIF.helpURI(for: "DL../../x") == nil)
    }

    // MARK: - report text

    @Test func tableCountsPerSeverityWithMatrixAsTheSharedVersion() throws {
        let report = try Self.report(root: URL(fileURLWithPath: "/p"))
        let lines = report.tableLines()
        #expect(lines[0] == "Hadolint Results")
        #expect(lines[2].hasPrefix("│ Image Name │ Version │ OS           │ Variant  │ Containerfile"))
        #expect(lines[2].hasSuffix("│ Errors │ Warnings │ Info │ Style │ Total │"))
        let body = lines.filter { $0.hasPrefix("│") }.dropFirst()
        #expect(body.contains { $0.contains("│ matrix  │") })
        #expect(body.filter { $0.hasPrefix("│ app ") }.count == 1)   // the image name on its first row only
        #expect(body.last?.hasPrefix("│ Total") == true)
        #expect(body.last?.hasSuffix("│      1 │        1 │    1 │     0 │     3 │") == true)
        let details = report.detailLines()
        #expect(details.first == String(repeating: "-", count: 80))
        #expect(details.contains("=== \(report.entries[0].job.containerfile) ==="))
        #expect(details.contains("  SC2086 info line 9: Double quote"))
        #expect(details.last == "❌ Linting failed: hadolint reported issues at or above the failure threshold (warning) in 2 Containerfile(s)")
        #expect(!report.succeeded)
    }

    @Test func aCleanReportCompletes() throws {
        var report = HadolintReport()
        #expect(report.tableLines().filter { $0.hasPrefix("├") }.count == 1)   // the Total row alone
        #expect(report.detailLines() == ["✅ Linting completed"])
        #expect(report.succeeded)
        report.interrupted = true
        #expect(!report.succeeded)
    }

    @Test func executionFailureBlock() {
        let failure = HadolintExecutionFailure(display: "ImageTarget(image='a', version='1')", reason: nil, termination: .exited(3),
                                               standardOutput: (1...12).map { "out \($0)" }.joined(separator: "\n") + "\n",
                                               standardError: "boom\n", commandLine: "hadolint --format json /p/Containerfile")
        #expect(failure.reportText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) == [
            "hadolint execution failed for image 'ImageTarget(image='a', version='1')'",
            "  - Exit code: 3",
            "  - Command output: ",
        ] + (1...10).map { "      out \($0)" } + [
            "      … (2 more lines)",
            "  - Error output: ",
            "      boom",
            "  - Command executed: hadolint --format json /p/Containerfile",
        ])
    }

    @Test func versionFromHadolintsBanner() {
        #expect(HadolintRunner.version(from: "Haskell Dockerfile Linter 2.15.1\n") == "2.15.1")
        #expect(HadolintRunner.version(from: "Haskell Dockerfile Linter v2.12.0-no-git") == "2.12.0-no-git")
        #expect(HadolintRunner.version(from: "garbage") == nil)
        #expect(HadolintRunner.version(from: "") == nil)
    }
}
