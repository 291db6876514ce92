import Bakery
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `bakery hadolint run` through the real binary, against a fake `hadolint` that records every
/// command line it is given: options, results files, the SARIF log, tables, findings, execution
/// errors, the missing-tool message, a results folder that is a link, and Ctrl-C.
@Suite("bakery hadolint run with a fake hadolint")
struct HadolintCommandTests {
    /// alpha 1.0.0 (with bakery.yaml hadolint options) and mx, a matrix image whose two rows share one Containerfile.
    static let config = """
        repository:
          url: "github.com/example/fake"
        registries:
          - host: ghcr.io
            namespace: example
        images:
          - name: alpha
            options:
              - tool: hadolint
                failureThreshold: warning
                ignored: [DL3008]
                labelSchema: {maintainer: text, url: url}
                override: {error: [DL3002]}
                trustedRegistries: [docker.io]
            versions:
              - name: 1.0.0
                latest: true
                os:
                  - name: "Ubuntu 24.04"
                    primary: true
          - name: mx
            matrix:
              dependencies:
                - dependency: R
                  versions: ["4.5.2", "4.4.3"]
              os:
                - name: "Ubuntu 24.04"
                  primary: true

        """

    static let alphaFile = "alpha/1.0.0/Containerfile.ubuntu2404"
    static let matrixFile = "mx/matrix/Containerfile.ubuntu2404"
    static let alphaUID = "alpha-1-0-0-ubuntu-24-04"
    static let alphaDisplay = "ImageTarget(image='alpha', version='1.0.0', os='Ubuntu 24.04')"

    /// The fake: appends its arguments (tab-separated) to $FAKE_DIR/argv.log; `--version` prints a
    /// banner; FAKE_MODE=garbage prints text and exits 3; FAKE_MODE=findings reports two findings
    /// (exit 1) for Containerfiles whose path contains $FAKE_MATCH; FAKE_MODE=sleep waits (for Ctrl-C);
    /// otherwise `[]`, exit 0. With --verbose it writes hadolint's configuration dump to stderr.
    static let fakeHadolint = #"""
        #!/bin/sh
        line=""
        for a in "$@"; do line="$line	$a"; done
        printf '%s\n' "${line#	}" >> "$FAKE_DIR/argv.log"
        if [ "$1" = "--version" ]; then echo "Haskell Dockerfile Linter 9.8.7"; exit 0; fi
        for last in "$@"; do :; done
        for a in "$@"; do [ "$a" = "--verbose" ] && echo "Configuration: (fake)" >&2; done
        case "$FAKE_MODE" in
          garbage) echo "this is not json"; echo "hadolint: boom" >&2; exit 3 ;;
          sleep) echo $$ > "$FAKE_DIR/pid"; exec sleep 60 ;;
          findings)
            case "$last" in
              *"$FAKE_MATCH"*)
                printf '[{"code":"DL3002","column":1,"file":"%s","level":"error","line":3,"message":"Last USER should not be root"},{"code":"SC2086","column":7,"file":"%s","level":"info","line":5,"message":"Double quote to prevent globbing"}]\n' "$last" "$last"
                exit 1 ;;
            esac ;;
        esac
        echo "[]"
        exit 0
        """#

    /// A project and a fake hadolint of their own, for one test.
    final class Sandbox {
        let folder: FakeToolFolder
        var root: URL { folder.root }
        var project: URL { folder.project }
        var bin: URL { folder.bin }
        var outside: URL { root.appendingPathComponent("outside") }
        var results: URL { project.appendingPathComponent("results/hadolint") }

        init(fakeOnPath: Bool = true) throws {
            folder = try FakeToolFolder(prefix: "bakery-hadolint", tools: [])
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            if fakeOnPath { try folder.installFake("hadolint", script: HadolintCommandTests.fakeHadolint) }
            try folder.writeProject(config: HadolintCommandTests.config,
                                    files: [HadolintCommandTests.alphaFile: "FROM scratch\n", HadolintCommandTests.matrixFile: "FROM scratch\n"])
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        /// The environment: the fake first on PATH (then the system's, for `sleep`), no HADOLINT_PATH from CI.
        func environment(_ extra: [String: String] = [:]) -> [String: String] {
            var env = ["PATH": "\(bin.path):/usr/bin:/bin", "FAKE_DIR": root.path, "FAKE_MODE": "", "FAKE_MATCH": "", "HADOLINT_PATH": ""]
            for (k, v) in extra { env[k] = v }
            return env
        }

        func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> BakeryBinary.Result {
            try BakeryBinary.run(["hadolint", "run"] + arguments, in: project, timeout: 60, environment: environment(extra))
        }

        /// Every command line the fake received, in order.
        var calls: [[String]] {
            guard let text = try? String(contentsOf: root.appendingPathComponent("argv.log"), encoding: .utf8) else { return [] }
            return text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        }

        /// The lint calls (not `--version`).
        var lintCalls: [[String]] { calls.filter { $0 != ["--version"] } }

        func path(_ relative: String) -> String { project.appendingPathComponent(relative).path }

        func read(_ relative: String) -> String? {
            (try? Data(contentsOf: project.appendingPathComponent(relative))).map { String(decoding: $0, as: UTF8.self) }
        }

        /// The SARIF log, parsed.
        func sarif() throws -> [String: Any] {
            let data = try Data(contentsOf: results.appendingPathComponent("hadolint.sarif"))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }

        func sarifResults() throws -> [[String: Any]] {
            let runs = try #require(try sarif()["runs"] as? [[String: Any]])
            return try #require(runs.first?["results"] as? [[String: Any]])
        }
    }

    /// alpha's arguments from bakery.yaml's options.
    static func alphaArguments(_ box: Sandbox) -> [String] {
        ["--format", "json", "--failure-threshold", "warning", "--ignore", "DL3008", "--require-label", "maintainer:text",
         "--require-label", "url:url", "--error", "DL3002", "--trusted-registry", "docker.io", box.path(alphaFile)]
    }

    // MARK: - Passing

    @Test func aCleanRunLintsEachContainerfileOnceAndWritesResultsAndSARIF() throws {
        let box = try Sandbox()
        try FileManager.default.createDirectory(at: box.results.appendingPathComponent("stale"), withIntermediateDirectories: true)
        try Data("old".utf8).write(to: box.results.appendingPathComponent("stale/old.json"))
        try FileManager.default.createDirectory(at: box.project.appendingPathComponent("results/dgoss"), withIntermediateDirectories: true)
        try Data("kept".utf8).write(to: box.project.appendingPathComponent("results/dgoss/keep.json"))
        let run = try box.run(["--matrix-versions", "include"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(box.calls.first == ["--version"])
        let defaults = ["--format", "json", "--failure-threshold", "error", "--ignore", "DL3008", "--ignore", "DL3018",
                        "--ignore", "DL3033", "--ignore", "DL3037", "--ignore", "DL3041"]
        #expect(box.lintCalls == [Self.alphaArguments(box), defaults + [box.path(Self.matrixFile)]])
        #expect(run.stderr.contains("INFO: === Running hadolint for '\(Self.alphaDisplay)' ==="))
        #expect(run.stderr.contains("(shared by 2 targets) ==="))
        #expect(run.stderr.contains("INFO: hadolint passed for '\(Self.alphaDisplay)'"))
        let lines = run.stderr.split(separator: "\n").map(String.init)
        let title = try #require(lines.firstIndex(of: "Hadolint Results"))
        #expect(lines[title + 2] == "│ Image Name │ Version │ OS           │ Variant │ Containerfile                        │ Errors │ Warnings │ Info │ Style │ Total │")
        #expect(lines[title + 4] == "│ alpha      │ 1.0.0   │ Ubuntu 24.04 │         │ alpha/1.0.0/Containerfile.ubuntu2404 │      0 │        0 │    0 │     0 │     0 │")
        #expect(lines[title + 5] == "│ mx         │ matrix  │ Ubuntu 24.04 │         │ mx/matrix/Containerfile.ubuntu2404   │      0 │        0 │    0 │     0 │     0 │")
        #expect(lines[title + 7] == "│ Total      │         │              │         │                                      │      0 │        0 │    0 │     0 │     0 │")
        #expect(lines.last == "✅ Linting completed")
        #expect(!run.stderr.contains(String(repeating: "-", count: 80)), "no findings: no findings section")

        // The results: one file per Containerfile (the matrix's under its first row), the old ones gone.
        #expect(box.read("results/hadolint/alpha/\(Self.alphaUID).json") == "[]")
        let matrixResults = try FileManager.default.contentsOfDirectory(atPath: box.results.appendingPathComponent("mx").path)
        #expect(matrixResults.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.results.path).sorted() == ["alpha", "hadolint.sarif", "mx"])
        #expect(box.read("results/dgoss/keep.json") == "kept")
        let sarif = try box.sarif()
        #expect(sarif["version"] as? String == "2.1.0")
        let driver = try #require(((sarif["runs"] as? [[String: Any]])?.first?["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "hadolint")
        #expect(driver["version"] as? String == "9.8.7")
        #expect(try box.sarifResults().isEmpty)
    }

    @Test func quietStillPrintsTheTableAndTheVerdict() throws {
        let box = try Sandbox()
        let run = try box.run(["-q"])
        #expect(run.status == 0)
        #expect(!run.stderr.contains("INFO:"))
        #expect(run.stderr.contains("Hadolint Results"))
        #expect(run.stderr.hasSuffix("✅ Linting completed\n"))
    }

    @Test func theCommandLineOverridesBakeryYAMLFieldByField() throws {
        let box = try Sandbox()
        let run = try box.run(["-v", "--image-name", "alpha", "--failure-threshold", "style", "--ignore", "X1", "--ignore", "X2",
                               "--require-label", "team", "--no-fail", "--warning", "W1", "--style", "S1", "--strict-labels",
                               "--disable-ignore-pragma"])
        #expect(run.status == 0, "\(run.stderr)")
        // --warning replaces bakery.yaml's whole override map; trustedRegistries, not given, comes from it.
        #expect(box.lintCalls == [["--format", "json", "--verbose", "--failure-threshold", "style", "--ignore", "X1", "--ignore", "X2",
                                   "--require-label", "team:text", "--no-fail", "--warning", "W1", "--style", "S1", "--strict-labels",
                                   "--disable-ignore-pragma", "--trusted-registry", "docker.io", box.path(Self.alphaFile)]])
        #expect(run.stderr.contains("DEBUG: hadolint: Configuration: (fake)"), "-v shows hadolint's own stderr")
        #expect(run.stderr.contains("DEBUG: Running hadolint --format json --verbose"))
    }

    @Test func theProjectsToolsFolderIsTheLastPlaceLookedAt() throws {
        let box = try Sandbox(fakeOnPath: false)
        let tools = box.project.appendingPathComponent("tools")
        try FileManager.default.createDirectory(at: tools, withIntermediateDirectories: true)
        try ChildProcess.writeExecutable(Self.fakeHadolint, to: tools.appendingPathComponent("hadolint"))
        let run = try box.run(["--image-name", "alpha"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(box.lintCalls == [Self.alphaArguments(box)])
        // HADOLINT_PATH wins over both.
        let other = box.root.appendingPathComponent("elsewhere-hadolint")
        try ChildProcess.writeExecutable(Self.fakeHadolint.replacingOccurrences(of: "9.8.7", with: "1.2.3"), to: other)
        #expect(try box.run(["--image-name", "alpha"], environment: ["PATH": "/usr/bin:/bin", "HADOLINT_PATH": other.path]).status == 0)
        #expect((((try box.sarif()["runs"] as? [[String: Any]])?.first?["tool"] as? [String: Any])?["driver"] as? [String: Any])?["version"] as? String == "1.2.3")
    }

    // MARK: - Failing

    @Test func findingsAtTheThresholdFailTheRunAndAreListedPerContainerfile() throws {
        let box = try Sandbox()
        let run = try box.run(["--matrix-versions", "include"], environment: ["FAKE_MODE": "findings", "FAKE_MATCH": "alpha/"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("WARNING: hadolint found issues for '\(Self.alphaDisplay)'"))
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("│ alpha      │ 1.0.0   │ Ubuntu 24.04 │         │ alpha/1.0.0/Containerfile.ubuntu2404 │      1 │        0 │    1 │     0 │     2 │"))
        #expect(lines.contains("│ Total      │         │              │         │                                      │      1 │        0 │    1 │     0 │     2 │"))
        let rule = try #require(lines.firstIndex(of: String(repeating: "-", count: 80)))
        #expect(Array(lines[(rule + 1)...]) == [
            "",
            "=== alpha/1.0.0/Containerfile.ubuntu2404 ===",
            "  DL3002 error line 3: Last USER should not be root",
            "  SC2086 info line 5: Double quote to prevent globbing",
            "❌ Linting failed: hadolint reported issues at or above the failure threshold (warning) in 1 Containerfile(s)",
            "",
        ])
        // hadolint's JSON, indented, as the results file.
        let results = try #require(box.read("results/hadolint/alpha/\(Self.alphaUID).json"))
        #expect(results.hasPrefix("[\n  {\n    \"code\": \"DL3002\",\n    \"column\": 1,\n    \"file\": \"\(box.path(Self.alphaFile))\",\n"))
        #expect(!results.hasSuffix("\n"))
        let sarif = try box.sarifResults()
        #expect(sarif.map { $0["ruleId"] as? String } == ["DL3002", "SC2086"])
        #expect(sarif.map { $0["level"] as? String } == ["error", "note"])
        let location = try #require((sarif[0]["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == Self.alphaFile)
        #expect((location["region"] as? [String: Any])?["startLine"] as? Int == 3)
    }

    @Test func outputThatIsNotHadolintsJSONIsAnExecutionError() throws {
        let box = try Sandbox()
        let run = try box.run(["--image-name", "alpha"], environment: ["FAKE_MODE": "garbage"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("ERROR: Failed to decode JSON output from hadolint for image '\(Self.alphaDisplay)': the output is not valid JSON"))
        #expect(run.stderr.contains("ERROR: hadolint for image '\(Self.alphaDisplay)' exited with code 3"))
        let text = run.stderr
        let block = """
            hadolint execution failed for image '\(Self.alphaDisplay)'
              - Exit code: 3
              - Command output: 
                  this is not json
              - Error output: 
                  hadolint: boom
              - Command executed: hadolint \(Self.alphaArguments(box).joined(separator: " "))

            ❌ hadolint command(s) failed to execute
            """
        #expect(text.hasSuffix(block + "\n"), "\(text)")
        #expect(box.read("results/hadolint/alpha/\(Self.alphaUID).json") == nil)
        // The table has no row for a Containerfile that was not linted.
        #expect(!text.contains("│ alpha "))
    }

    @Test func aMissingContainerfileIsReportedWithoutRunningHadolint() throws {
        let box = try Sandbox()
        try FileManager.default.removeItem(atPath: box.path(Self.alphaFile))
        let run = try box.run(["--image-name", "alpha"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("  - Reason: the Containerfile '\(Self.alphaFile)' does not exist"))
        #expect(run.stderr.contains("❌ hadolint command(s) failed to execute"))
        #expect(box.lintCalls.isEmpty)
    }

    @Test func aMissingHadolintIsTheReferencesMessageAndChangesNothing() throws {
        let box = try Sandbox(fakeOnPath: false)
        let before = TreeSnapshot(box.project)
        let run = try box.run([], environment: ["PATH": "/nonexistent"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("Could not find hadolint in PATH or in project tools directory. Either install hadolint or set the `HADOLINT_PATH` environment variable."))
        #expect(TreeSnapshot(box.project) == before, "no results folder without a hadolint to fill it")
        let wrong = try box.run([], environment: ["PATH": "/nonexistent", "HADOLINT_PATH": "/nonexistent/hadolint"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("HADOLINT_PATH is set to '/nonexistent/hadolint', which is not an executable file"))
        #expect(TreeSnapshot(box.project) == before)
    }

    @Test func aResultsFolderThatIsALinkIsRefusedAndNothingOutsideIsTouched() throws {
        let box = try Sandbox()
        try FileManager.default.createDirectory(at: box.outside.appendingPathComponent("hadolint/img"), withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: box.outside.appendingPathComponent("hadolint/img/file.json"))
        try FileManager.default.createSymbolicLink(atPath: box.path("results"), withDestinationPath: box.outside.path)
        let before = TreeSnapshot(box.outside)
        let run = try box.run([])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot prepare the results folder 'results/hadolint': 'results' is a symbolic link to '\(box.outside.path)'"))
        #expect(TreeSnapshot(box.outside) == before)
        #expect(box.calls.isEmpty)
    }

    @Test func usageErrorsExit2() throws {
        let box = try Sandbox()
        for arguments in [["--failure-threshold", "bogus"], ["--require-label", ":url"], ["--ignore", ""], ["--image-platform", "linux/amd64"]] {
            let run = try box.run(arguments)
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
        }
        let group = try BakeryBinary.run(["hadolint"], in: box.project, timeout: 30, environment: box.environment())
        #expect(group.status == 2)
        #expect(group.stderr.contains("run"))
        #expect(box.calls.isEmpty)
    }

    @Test func noTargetsIsAnError() throws {
        let box = try Sandbox()
        let run = try box.run(["--image-name", "^nothing$"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("❌ No image targets to lint matching"))
        #expect(box.calls.isEmpty)
    }

    @Test func ctrlCStopsHadolintAndExits130() throws {
        let box = try Sandbox()
        let child = try ChildProcess.start(BakeryBinary.path, ["hadolint", "run", "--image-name", "alpha"], in: box.project,
                                           environment: box.environment(["FAKE_MODE": "sleep"]))
        let pidFile = box.root.appendingPathComponent("pid")
        // Generous: on a loaded CI machine (every suite at once on two cores) bakery can take long to get this far.
        var waited = 0.0
        while !FileManager.default.fileExists(atPath: pidFile.path) && waited < 180 {
            usleep(50_000)
            waited += 0.05
        }
        let fake = Int32((try? String(contentsOf: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        guard fake > 0 else {
            kill(child.pid, SIGKILL)
            _ = child.finish(timeout: 30)
            Issue.record("the fake hadolint did not start within \(Int(waited)) s")
            return
        }
        kill(child.pid, SIGINT)
        let ending = child.finish(timeout: 30)
        #expect(ending.status == 130, "\(ending.stderr)")
        #expect(ending.stderr.contains("❌ Linting interrupted"))
        // Stopped with its process group: gone (or a zombie of a parent that is gone) within a moment.
        var alive = true
        for _ in 0..<100 where alive {
            alive = kill(fake, 0) == 0 && !Self.isZombie(fake)
            if alive { usleep(50_000) }
        }
        #expect(!alive, "the fake hadolint was stopped")
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }
}

/// `bakery hadolint run` with the real hadolint on the tutorials: with the default options (failure
/// threshold error, the default ignore list) every Containerfile passes, and with the failure threshold
/// at style hadolint still finds nothing. CI runs it (BAKERY_REQUIRE_TOOLS=1, HADOLINT_PATH set).
@Suite("bakery hadolint run with the real hadolint", .enabled(if: ExternalTool.shouldRun("hadolint", override: "HADOLINT_PATH")))
struct HadolintExamplesTests {
    /// Every tutorial with a bakery.yaml, and extra arguments: 06's matrix needs its dependencies pinned
    /// (this bakery resolves versions offline), so it runs with the pinned copy of its bakery.yaml.
    static let examples: [(String, [String])] = [
        ("01-basic-image", []), ("02-multiple-images-and-versions", []), ("03-image-variants", []), ("04-image-oses", []),
        ("05-images-with-managed-dependencies", []), ("06-matrix-images", ["--matrix-versions", "include"]),
        ("extending/connect-extra-packages", []),
    ]

    @Test(arguments: examples)
    func theTutorialsPassWithTheDefaultOptionsAndHaveNoFindings(example: String, extra: [String]) throws {
        let hadolint = try #require(ExternalTool.locate("hadolint", override: "HADOLINT_PATH"),
                                    "hadolint is required (BAKERY_REQUIRE_TOOLS=1): \(ExternalTool.installHint("hadolint"))")
        let source = BakeryBinary.repositoryRoot.appendingPathComponent("Examples/\(example)")
        let copy = try BakeryBinary.temporaryCopy(of: source)
        defer { try? FileManager.default.removeItem(at: copy) }
        if example == "06-matrix-images" {
            try FileManager.default.removeItem(at: copy.appendingPathComponent("bakery.yaml"))
            try FileManager.default.copyItem(at: BakeryBinary.fixtures.appendingPathComponent("examples/derived-06-matrix-explicit/bakery.yaml"),
                                             to: copy.appendingPathComponent("bakery.yaml"))
        }
        let environment = ["HADOLINT_PATH": hadolint]
        let run = try BakeryBinary.run(["hadolint", "run", "--context", copy.path] + extra, in: copy, timeout: 120, environment: environment)
        #expect(run.status == 0, "\(example):\n\(run.stderr)")
        #expect(run.stderr.hasSuffix("✅ Linting completed\n"), "\(example):\n\(run.stderr)")
        let strict = try BakeryBinary.run(["hadolint", "run", "--context", copy.path, "--failure-threshold", "style", "-q"] + extra,
                                          in: copy, timeout: 120, environment: environment)
        #expect(strict.status == 0, "\(example) at --failure-threshold style:\n\(strict.stderr)")

        // Every Containerfile has its results file, and each is hadolint's empty list; the SARIF log has no results.
        let results = copy.appendingPathComponent("results/hadolint")
        let files = FolderWalk.entries(results).filter { $0.kind == .regular && $0.path.hasSuffix(".json") }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: results.appendingPathComponent(file.path), encoding: .utf8)
            #expect(text == "[]", "\(example): \(file.path): \(text)")
        }
        let sarif = try JSONSerialization.jsonObject(with: Data(contentsOf: results.appendingPathComponent("hadolint.sarif"))) as? [String: Any]
        let run0 = try #require((sarif?["runs"] as? [[String: Any]])?.first)
        #expect((run0["results"] as? [Any])?.isEmpty == true)
        let version = ((run0["tool"] as? [String: Any])?["driver"] as? [String: Any])?["version"] as? String
        #expect(version?.first?.isNumber == true, "hadolint --version gives the driver's version")
    }
}
