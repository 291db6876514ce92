// `bakery dgoss run --runner dgoss` through the real binary, against a recording fake `dgoss` (no engine, no lab):
// the reference's exact argv (§15.1: mounts, -e order and escaping, --init, runtimeOptions, image ref, command),
// the GOSS_* environment, the results file, the exit codes for passing, failing and broken runs, the missing-tool
// message, and the deprecated `bakery run dgoss`.
import Bakery
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("bakery dgoss run --runner dgoss with a fake dgoss")
struct DgossCommandTests {
    /// alpha: a variant with every goss option, an OS, tests in the version folder. beta: no variant, the
    /// default goss options, tests in the image folder (the fallback).
    static let config = """
        repository:
          url: "github.com/example/fake"
        registries:
          - host: ghcr.io
            namespace: example
        images:
          - name: alpha
            variants:
              - name: Standard
                extension: std
                primary: true
                options:
                  - tool: goss
                    wait: 7
                    runtimeOptions: "--privileged  --cap-add=SYS_ADMIN"
                    command: "/usr/bin/serve --port   8080"
            versions:
              - name: 1.0.0
                os:
                  - name: "Ubuntu 24.04"
                    primary: true
          - name: beta
            versions:
              - name: 2.0.0
                os:
                  - name: "Ubuntu 22.04"
                    primary: true

        """

    static let alpha = "alpha-1-0-0-standard-ubuntu-24-04", beta = "beta-2-0-0-ubuntu-22-04"
    static let alphaDisplay = "ImageTarget(image='alpha', version='1.0.0', variant='Standard', os='Ubuntu 24.04')"
    static let betaDisplay = "ImageTarget(image='beta', version='2.0.0', os='Ubuntu 22.04')"

    /// The fake dgoss. It appends one JSON line per call to $FAKE_DIR/dgoss.log: its working folder, argv and the
    /// GOSS_* variables (`null` when unset). Then, by $FAKE_DGOSS_MODE: `pass` prints goss JSON with one passing
    /// check and exits 0; `fail` adds a failing one and exits 1; `error` prints a non-JSON line and a message on
    /// stderr and exits 1 (goss's exit 78 case, as dgoss reports it).
    static func fakeDgoss(bash: String) -> String {
        "#!\(bash)\n" + #"""
        esc() { E=${1//\\/\\\\}; E=${E//\"/\\\"}; }
        field() { if [ -z "${!1+set}" ]; then printf '"%s": null' "$1"; else esc "${!1}"; printf '"%s": "%s"' "$1" "$E"; fi; }
        esc "$PWD"
        line="{\"cwd\": \"$E\", \"argv\": ["
        sep=""
        for a in "$@"; do esc "$a"; line+="$sep\"$E\""; sep=", "; done
        line+="], \"env\": {$(field GOSS_FILES_PATH), $(field GOSS_OPTS), $(field GOSS_SLEEP), $(field GOSS_PATH)}}"
        printf '%s\n' "$line" >> "$FAKE_DIR/dgoss.log"

        pass='{"duration": 1000, "end-time": "2026-05-01T10:20:30.000001Z", "err": null, "matcher-result": {"actual": true, "expected": true, "message": "matches expectation"}, "meta": null, "property": "exists", "resource-id": "/etc/passwd", "resource-type": "File", "result": 0, "skipped": false, "start-time": "2026-05-01T10:20:30Z", "successful": true, "summary-line": "File: /etc/passwd: exists: matches expectation: true", "summary-line-compact": "File: /etc/passwd: exists: matches expectation: true", "title": ""}'
        fail='{"duration": 2000, "end-time": "2026-05-01T10:20:30.000002Z", "err": null, "matcher-result": {"actual": false, "expected": true, "message": "to equal"}, "meta": null, "property": "listening", "resource-id": "tcp:9999", "resource-type": "Port", "result": 1, "skipped": false, "start-time": "2026-05-01T10:20:30Z", "successful": false, "summary-line": "Port: tcp:9999: listening:\nExpected\n    false\nto equal\n    true", "summary-line-compact": "Port: tcp:9999: listening: Expected false to equal true", "title": ""}'
        case "$FAKE_DGOSS_MODE" in
          pass)
            printf '{"results": [%s], "summary": {"failed-count": 0, "skipped-count": 0, "summary-line": "Count: 1, Failed: 0, Skipped: 0, Duration: 0.000s", "test-count": 1, "total-duration": 1000}}\n' "$pass"
            echo "INFO: Starting podman container" >&2
            exit 0 ;;
          fail)
            printf '{"results": [%s, %s], "summary": {"failed-count": 1, "skipped-count": 0, "summary-line": "Count: 2, Failed: 1, Skipped: 0, Duration: 0.000s", "test-count": 2, "total-duration": 2000}}\n' "$pass" "$fail"
            exit 1 ;;
          *)
            echo 'Error: template: test:3:12: executing "test" at <.Env.NOPE>: map has no entry for key "NOPE"'
            echo "INFO: Deleting container" >&2
            exit 1 ;;
        esac
        """#
    }

    /// One recorded dgoss call.
    struct Call {
        var cwd: String
        var argv: [String]
        /// GOSS_FILES_PATH, GOSS_OPTS, GOSS_SLEEP, GOSS_PATH: nil when unset.
        var env: [String: String?]
    }

    /// A project, the fake dgoss and a folder of its own, for one test.
    final class Sandbox {
        let folder: FakeToolFolder
        var root: URL { folder.root }
        var project: URL { folder.project }
        var bin: URL { folder.bin }
        var tools: URL { folder.tools }
        var dgoss: URL { bin.appendingPathComponent("dgoss") }

        init() throws {
            folder = try FakeToolFolder(prefix: "bakery-dgoss", tools: ["bash", "cat"])
            try folder.installFake("dgoss", script: DgossCommandTests.fakeDgoss(bash: folder.bash))
            try folder.writeProject(config: DgossCommandTests.config, files: [
                "alpha/1.0.0/Containerfile.ubuntu2404.std": "FROM scratch\n",
                "alpha/1.0.0/test/goss.yaml": "file:\n  /etc/passwd:\n    exists: true\n",
                "beta/2.0.0/Containerfile.ubuntu2204": "FROM scratch\n",
                "beta/test/goss.yaml": "file:\n  /etc/passwd:\n    exists: true\n"])
        }

        func remove() { try? FileManager.default.removeItem(at: root) }

        /// bakery with `arguments` in the project; only the fake dgoss and bash are on PATH unless `path` says
        /// otherwise. No GITHUB_ACTIONS, DGOSS_PATH or GOSS_* from the test's own environment.
        func bakery(_ arguments: [String], mode: String = "pass", path: String? = nil,
                    environment: [String: String] = [:]) throws -> ChildProcess.Ending {
            var env = ["PATH": path ?? "\(bin.path):\(tools.path)", "FAKE_DIR": root.path, "FAKE_DGOSS_MODE": mode,
                       "GITHUB_ACTIONS": "", "GITHUB_TOKEN": "", "DGOSS_PATH": "", "GOSS_PATH": "", "CI": "true",
                       "BAKERY_MAX_CONCURRENCY": ""]
            for (k, v) in environment { env[k] = v }
            // `env -u` drops the variables that must be unset (an empty DGOSS_PATH is not "unset" to every reader).
            let unset = env.filter { $0.value.isEmpty }.keys.sorted().flatMap { ["-u", $0] }
            for key in env.keys where env[key]!.isEmpty { env.removeValue(forKey: key) }
            let ending = try ChildProcess.start("/usr/bin/env", unset + [BakeryBinary.path] + arguments, in: project, environment: env)
                .finish(timeout: 120)
            #expect(!ending.timedOut, "bakery \(arguments.joined(separator: " ")) hung")
            return ending
        }

        /// Every call the fake dgoss received, in order.
        var calls: [Call] {
            guard let text = try? String(contentsOf: root.appendingPathComponent("dgoss.log"), encoding: .utf8) else { return [] }
            return text.split(separator: "\n").map { line in
                let json = JSONValue.parse(String(line))
                func string(_ v: JSONValue?) -> String? { if case .string(let s)? = v { return s }; return nil }
                var argv: [String] = []
                if case .array(let items)? = json?["argv"] { argv = items.map { string($0) ?? "<\(line)>" } }
                var env: [String: String?] = [:]
                for key in ["GOSS_FILES_PATH", "GOSS_OPTS", "GOSS_SLEEP", "GOSS_PATH"] { env[key] = string(json?["env"]?[key]) }
                return Call(cwd: string(json?["cwd"]) ?? "<\(line)>", argv: argv, env: env)
            }
        }

        /// The first sorted tag of each target (the image reference §10.5 tests without a metadata file).
        func firstTags() throws -> [String: String] {
            let plan = try BakeryBinary.run(["build", "--plan", "-q"], in: project, timeout: 60)
            #expect(plan.status == 0, "\(plan.stderr)")
            guard case .object(let targets)? = JSONValue.parse(plan.stdout)?["target"] else { return [:] }
            var first: [String: String] = [:]
            for (uid, target) in targets {
                guard case .array(let tags)? = target["tags"] else { continue }
                first[uid] = tags.compactMap { if case .string(let s) = $0 { s } else { nil } }.sorted().first
            }
            return first
        }

        func results(_ image: String, _ uid: String) -> URL {
            project.appendingPathComponent("results/dgoss/\(image)/\(uid).json")
        }
    }

    static var hostPlatform: String {
        var info = utsname()
        uname(&info)
        let machine = withUnsafeBytes(of: &info.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }.lowercased()
        switch machine {
        case "x86_64", "amd64": return "linux/amd64"
        case "aarch64", "arm64": return "linux/arm64"
        default: return "linux/\(machine)"
        }
    }

    // MARK: - The command line

    @Test func runsTheReferenceArgvWithTheGossEnvironmentAtTheProjectRoot() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let tags = try box.firstTags()
        let run = try box.bakery(["dgoss", "run", "--runner", "dgoss", "-j", "1"],
                                 environment: ["GITHUB_ACTIONS": "true", "GITHUB_TOKEN": "gh-token-value"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("✅ Tests completed"))
        let calls = box.calls
        try #require(calls.count == 2, "one dgoss per target: \(calls.map(\.argv))")
        let root = box.project.path, platform = Self.hostPlatform
        let common = ["-e", "IMAGE_MOUNT=/tmp/image", "-e", "PROJECT_MOUNT=/tmp/project"]
        let alpha = try #require(calls.first { $0.argv.contains { $0.hasPrefix("\(root)/alpha/") } })
        #expect(alpha.argv == ["run", "--platform", platform,
                               "-v", "\(root)/alpha/1.0.0:/tmp/version", "-v", "\(root)/alpha:/tmp/image", "-v", "\(root):/tmp/project",
                               "-e", "IMAGE_VERSION=1.0.0", "-e", "IMAGE_VERSION_MOUNT=/tmp/version"] + common + [
                               "-e", "IMAGE_VARIANT=Standard",
                               "-e", #"IMAGE_OS=Ubuntu\ 24.04"#, "-e", "IMAGE_OS_NAME=ubuntu", "-e", "IMAGE_OS_CODENAME=noble",
                               "-e", "IMAGE_OS_FAMILY=debian", "-e", "IMAGE_OS_VERSION=24.04",
                               "-e", "IMAGE_OS_PLATFORM=\(platform)", "-e", "GH_TOKEN=gh-token-value",
                               "--init", "--privileged", "--cap-add=SYS_ADMIN",
                               tags[Self.alpha] ?? "<no tag>", "/usr/bin/serve", "--port", "8080"])
        #expect(alpha.cwd == root)
        #expect(alpha.env == ["GOSS_FILES_PATH": "\(root)/alpha/1.0.0/test", "GOSS_OPTS": "--format json --no-color",
                              "GOSS_SLEEP": "7", "GOSS_PATH": nil])
        // No variant: no IMAGE_VARIANT; no options: `sleep infinity`, no GOSS_SLEEP; tests found in the image folder.
        let beta = try #require(calls.first { $0.argv.contains { $0.hasPrefix("\(root)/beta/") } })
        #expect(beta.argv == ["run", "--platform", platform,
                              "-v", "\(root)/beta/2.0.0:/tmp/version", "-v", "\(root)/beta:/tmp/image", "-v", "\(root):/tmp/project",
                              "-e", "IMAGE_VERSION=2.0.0", "-e", "IMAGE_VERSION_MOUNT=/tmp/version"] + common + [
                              "-e", #"IMAGE_OS=Ubuntu\ 22.04"#, "-e", "IMAGE_OS_NAME=ubuntu", "-e", "IMAGE_OS_CODENAME=jammy",
                              "-e", "IMAGE_OS_FAMILY=debian", "-e", "IMAGE_OS_VERSION=22.04",
                              "-e", "IMAGE_OS_PLATFORM=\(platform)", "-e", "GH_TOKEN=gh-token-value",
                              "--init", tags[Self.beta] ?? "<no tag>", "sleep", "infinity"])
        #expect(beta.env == ["GOSS_FILES_PATH": "\(root)/beta/test", "GOSS_OPTS": "--format json --no-color",
                             "GOSS_SLEEP": nil, "GOSS_PATH": nil])
        // The token reaches dgoss but is never printed.
        #expect(!run.stderr.contains("gh-token-value") && !run.stdout.contains("gh-token-value"))
    }

    @Test func noGitHubTokenOutsideActionsAndAnExplicitGossPathIsPassedOn() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let goss = box.tools.appendingPathComponent("goss")
        try ChildProcess.writeExecutable("#!/bin/sh\nexit 0\n", to: goss)
        let run = try box.bakery(["dgoss", "run", "--runner", "dgoss", "--image-name", "beta"],
                                 environment: ["GITHUB_TOKEN": "gh-token-value", "GOSS_PATH": goss.path])
        #expect(run.status == 0, "\(run.stderr)")
        let call = try #require(box.calls.first)
        #expect(box.calls.count == 1)
        #expect(!call.argv.contains { $0.hasPrefix("GH_TOKEN=") }, "GH_TOKEN only when GITHUB_ACTIONS=true")
        #expect(call.env["GOSS_PATH"] == .some(goss.path))
    }

    // MARK: - Outcomes

    @Test func aPassingRunWritesItsJSONAndSaysSo() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try box.bakery(["dgoss", "run", "--runner", "dgoss", "--image-name", "alpha"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("INFO: === Goss tests for '\(Self.alphaDisplay)' ==="))
        #expect(run.stderr.contains("Goss Test Results"))
        #expect(run.stderr.contains("✅ Tests completed"))
        #expect(!run.stderr.contains("❌"))
        let file = box.results("alpha", Self.alpha)
        #expect(run.stderr.contains("INFO: Writing results to \(file.path)"))
        let json = try #require(JSONValue.parse(try String(contentsOf: file, encoding: .utf8)), "results JSON")
        #expect(json["summary"]?["test-count"] == .int(1))
        #expect(json["summary"]?["failed-count"] == .int(0))
        guard case .array(let results)? = json["results"] else { Issue.record("no results array"); return }
        #expect(results.count == 1)
        #expect(results.first?["summary-line"] == .string("File: /etc/passwd: exists: matches expectation: true"))
    }

    @Test func aFailingRunIsATestFailureWithGossSummaryLines() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try box.bakery(["dgoss", "run", "--runner", "dgoss", "--image-name", "alpha"], mode: "fail")
        #expect(run.status == 1)
        #expect(run.stderr.contains("WARNING: Goss tests failed for '\(Self.alphaDisplay)'"))
        let lines = run.stderr.components(separatedBy: "\n")
        let header = try #require(lines.firstIndex(of: "\(Self.alpha) test failures:"), "\(run.stderr)")
        #expect(lines[header - 1] == String(repeating: "-", count: 80))
        #expect(lines[header + 1] == "  - Port: tcp:9999: listening: Expected false to equal true")
        #expect(lines[header + 2] == "❌ dgoss test(s) failed")
        #expect(!run.stderr.contains("❌ dgoss command(s) failed to execute"), "a test failure is not an execution error")
        #expect(!run.stderr.contains("✅"))
        // The JSON is still written: a failed suite has results.
        let json = try #require(JSONValue.parse(try String(contentsOf: box.results("alpha", Self.alpha), encoding: .utf8)))
        #expect(json["summary"]?["test-count"] == .int(2))
        #expect(json["summary"]?["failed-count"] == .int(1))
    }

    @Test func outputThatIsNotGossJSONIsAnExecutionError() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try box.bakery(["dgoss", "run", "--runner", "dgoss", "--image-name", "alpha"], mode: "error")
        #expect(run.status == 1)
        let lines = run.stderr.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "dgoss execution failed for image '\(Self.alphaDisplay)'"), "\(run.stderr)")
        #expect(lines[start - 1] == String(repeating: "-", count: 80))
        #expect(Array(lines[(start + 1)...].prefix(5)) == [
            "  - Exit code: 1",
            "  - Command output:",
            #"    Error: template: test:3:12: executing "test" at <.Env.NOPE>: map has no entry for key "NOPE""#,
            "  - Error output:",
            "    INFO: Deleting container",
        ])
        #expect(lines.count > start + 6 && lines[start + 6].hasPrefix("  - Command executed: ")
                && lines[start + 6].contains("dgoss run --platform "),
                "\(run.stderr)")
        #expect(run.stderr.contains("❌ dgoss command(s) failed to execute"))
        #expect(!run.stderr.contains("❌ dgoss test(s) failed"))
        #expect(!FileManager.default.fileExists(atPath: box.results("alpha", Self.alpha).path), "no JSON to write")
    }

    // MARK: - Finding dgoss, and the deprecated spelling

    @Test func withoutDgossTheReferenceErrorNamesTheVariable() throws {
        let box = try Sandbox()
        defer { box.remove() }
        // PATH has bash but no dgoss, DGOSS_PATH is unset, and the project has no tools/dgoss.
        let run = try box.bakery(["dgoss", "run", "--runner", "dgoss"], path: box.tools.path)
        #expect(run.status == 1)
        #expect(run.stderr.contains("Could not find dgoss in PATH or in project tools directory. Either install dgoss or set the `DGOSS_PATH` environment variable."),
                "\(run.stderr)")
        #expect(box.calls.isEmpty)
        // DGOSS_PATH finds it again, with the same PATH.
        let found = try box.bakery(["dgoss", "run", "--runner", "dgoss", "--image-name", "beta"], path: box.tools.path,
                                   environment: ["DGOSS_PATH": box.dgoss.path])
        #expect(found.status == 0, "\(found.stderr)")
        #expect(box.calls.count == 1)
    }

    @Test func runDgossStillWorksAndWarnsThatItIsDeprecated() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try box.bakery(["run", "dgoss", "--runner", "dgoss", "--image-name", "beta"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("Warning: 'bakery run dgoss' is deprecated and will be removed in a future release. Use 'bakery dgoss run' instead."))
        #expect(run.stderr.contains("✅ Tests completed"))
        #expect(box.calls.count == 1)
        #expect(box.calls.first?.argv.first == "run")
    }
}

extension DgossCommandTests {
    /// `-j 9223372036854775807` (or BAKERY_MAX_CONCURRENCY so large) counted that many launch slots one by one
    /// before testing anything: the run never started.
    @Test func aHugeJobCountStartsEveryTargetAtOnce() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try box.bakery(["dgoss", "run", "--runner", "dgoss", "-j", String(Int.max)])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(box.calls.count == 2)
        let env = try box.bakery(["dgoss", "run", "--runner", "dgoss"], environment: ["BAKERY_MAX_CONCURRENCY": String(Int.max)])
        #expect(env.status == 0, "\(env.stderr)")
    }

    /// A metadata file's `image.name` that starts with '-' went into `run` as an option (`--privileged`, `-v=/:/h`),
    /// with the next argument taken as the image. Such a reference fails its target, naming the file.
    @Test func aMetadataImageNameStartingWithADashIsRefused() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let metadata = box.root.appendingPathComponent("metadata.json")
        let entry = #"{"image.name": "--privileged", "containerimage.digest": "sha256:\#(String(repeating: "a", count: 64))", "#
            + #""containerimage.descriptor": {"platform": {"os": "linux", "architecture": "\#(Self.hostPlatform.dropFirst(6))"}}}"#
        try Data(#"{"\#(Self.alpha)": \#(entry)}"#.utf8).write(to: metadata)
        let run = try box.bakery(["dgoss", "run", "--runner", "dgoss", "-j", "1", "--metadata-file", metadata.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("starts with '-'"), "\(run.stderr)")
        #expect(!box.calls.contains { $0.argv.contains { $0.hasPrefix("--privileged") } }, "\(box.calls.map(\.argv))")
        #expect(box.calls.count == 1, "beta is still tested")
    }
}
