// `bakery dgoss run` with the built-in runner against real images and containers (podman, through the container
// lab): the Examples' Ubuntu images pass their suites; a suite with deliberate failures reports them as goss does;
// a gossfile that cannot be rendered is an execution error naming the line; a service that starts late is tested
// through a readiness wait, not a fixed sleep; Ctrl-C removes the test container. Every image gets a name of its
// own (localhost/dgoss-test-<id>/…) and is removed at the end. Needs the lab (Tests/README.md); CI requires it.
import Bakery
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension LabSuites {
@Suite(.serialized)
struct DgossEngineTests {
    static let fixtures = BakeryBinary.fixtures.appendingPathComponent("dgoss")
    static let junitSchema = BakeryBinary.fixtures.appendingPathComponent("junit/junit.xsd")

    /// A namespace no other test uses: every image of a test is `localhost/<namespace>/…`.
    static func namespace() -> String { "dgoss-test-\(UUID().uuidString.prefix(8).lowercased())" }

    /// A scratch copy of a dgoss fixture project, its images named under `namespace`.
    static func fixtureCopy(_ name: String, namespace: String) throws -> URL {
        let dir = try BakeryBinary.temporaryCopy(of: fixtures.appendingPathComponent(name))
        let file = dir.appendingPathComponent("bakery.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("namespace: \"dgoss-test\""))
        try text.replacingOccurrences(of: "namespace: \"dgoss-test\"", with: "namespace: \"\(namespace)\"")
            .write(to: file, atomically: false, encoding: .utf8)
        return dir
    }

    /// A scratch copy of an example project whose images are named `localhost/<namespace>/…` (built, never pushed).
    static func exampleCopy(_ example: String, namespace: String) throws -> URL {
        let dir = try BakeryBinary.temporaryCopy(of: BakeryBinary.repositoryRoot.appendingPathComponent("Examples/\(example)"))
        let file = dir.appendingPathComponent("bakery.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("host: \"ghcr.io\"") && text.contains("namespace: \"posit-dev\""))
        try text.replacingOccurrences(of: "host: \"ghcr.io\"", with: "host: \"localhost\"")
            .replacingOccurrences(of: "namespace: \"posit-dev\"", with: "namespace: \"\(namespace)\"")
            .write(to: file, atomically: false, encoding: .utf8)
        return dir
    }

    /// `bakery build --strategy build --engine buildah` of the selected targets; their tags by uid (from the plan).
    static func build(_ dir: URL, _ filters: [String], lab: ContainerLab) async throws -> [String: [String]] {
        try Self.separateLayerCache(dir)
        let tags = try await EngineBuildTests.plan(dir, filters, lab: lab).mapValues(\.tags)
        #expect(!tags.isEmpty, "\(dir.lastPathComponent): no targets planned")
        let run = try await EngineBuildTests.bakery(["build", "--context", dir.path, "--strategy", "build", "--engine", "buildah", "-j", "2"] + filters,
                                                    in: dir, lab: lab)
        #expect(run.status == 0, "build of \(dir.lastPathComponent): \(run.stderr.suffix(4000))")
        return tags
    }

    /// A label right after every `FROM` of the copy's rendered Containerfiles, unique to this copy: its layers
    /// then never share the layer cache with another suite building the same Examples at the same time
    /// (EngineBuildTests), whose clean-up would remove layers this build is using ("layer not known").
    static func separateLayerCache(_ dir: URL) throws {
        let nonce = UUID().uuidString.lowercased()
        for entry in FolderWalk.entries(dir) where entry.kind == .regular {
            let name = (entry.path as NSString).lastPathComponent
            guard name.hasPrefix("Containerfile"), !entry.path.contains("/template/") else { continue }
            let url = dir.appendingPathComponent(entry.path)
            let text = try String(contentsOf: url, encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { line -> [Substring] in
                line.hasPrefix("FROM ") ? [line, Substring("LABEL bakery.test.layer-cache=\"\(nonce)\"")] : [line]
            }
            try lines.joined(separator: "\n").write(to: url, atomically: false, encoding: .utf8)
        }
    }

    /// `bakery dgoss run --engine podman` of the selected targets, plain output as in CI; how long it took.
    static func dgoss(_ dir: URL, _ filters: [String] = [], lab: ContainerLab) async throws -> (ChildProcess.Ending, Double) {
        let started = Date()
        let run = try await EngineBuildTests.bakery(["dgoss", "run", "--engine", "podman", "--context", dir.path] + filters,
                                                    in: dir, lab: lab, timeout: 900)
        #expect(!run.timedOut, "dgoss run hung")
        return (run, Date().timeIntervalSince(started))
    }

    /// Containers (running or not) of the test's images: by image name, or by the ID of any of those images.
    static func containers(namespace: String, imageIDs: [String], lab: ContainerLab) async throws -> [String] {
        let out = try await lab.output("podman", ["ps", "-a", "--format", "{{.ID}} {{.ImageID}} {{.Image}}"])
        return out.split(separator: "\n").map(String.init).filter { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 3 else { return false }
            return fields[2].contains("/\(namespace)/") || imageIDs.contains { $0.hasPrefix(fields[1]) || fields[1].hasPrefix($0) }
        }
    }

    /// Checks that no container of the test's images is left, then removes the images.
    static func cleanUp(namespace: String, tags: [String], lab: ContainerLab) async throws {
        var ids: [String] = []
        for tag in Set(tags) { if let id = try await lab.localImageID(tag) { ids.append(id) } }
        let left = try await containers(namespace: namespace, imageIDs: ids, lab: lab)
        #expect(left.isEmpty, "test containers left behind: \(left)")
        for line in left { _ = try? await lab.run("podman", ["rm", "-f", String(line.prefix { $0 != " " })]) }
        try await lab.removeLocalImages(Array(Set(tags)).sorted())
    }

    // MARK: - Reading what dgoss run wrote

    /// Every object's keys, recursively, in sorted order (goss builds its JSON from generic maps).
    static func unsortedObjects(_ value: JSONValue, path: String = "$") -> [String] {
        switch value {
        case .object(let fields):
            let keys = Array(fields.keys)
            var bad = keys == keys.sorted() ? [] : ["\(path): \(keys)"]
            for (key, child) in fields { bad += unsortedObjects(child, path: "\(path).\(key)") }
            return bad
        case .array(let items):
            return items.enumerated().flatMap { unsortedObjects($0.element, path: "\(path)[\($0.offset)]") }
        default: return []
        }
    }

    static func int(_ value: JSONValue?) -> Int? { if case .int(let n)? = value { n } else { nil } }
    static func string(_ value: JSONValue?) -> String? { if case .string(let s)? = value { s } else { nil } }

    /// The counts of a results file.
    struct Counts: Equatable, CustomStringConvertible {
        var tests = 0, failed = 0, skipped = 0
        var description: String { "\(tests) tests, \(failed) failed, \(skipped) skipped" }
    }

    /// Reads results/dgoss/<image>/<uid>.json and checks the shape of goss.md §6.2: summary and result keys,
    /// sorted keys, types, counts that agree with the results, `successful` = result != 1. Nil when unreadable.
    static func gossJSON(_ dir: URL, image: String, uid: String) -> (json: JSONValue, counts: Counts)? {
        let file = dir.appendingPathComponent("results/dgoss/\(image)/\(uid).json")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("\(uid): no results file at results/dgoss/\(image)/\(uid).json")
            return nil
        }
        guard let json = JSONValue.parse(text) else {
            Issue.record("\(uid): the results file is not JSON: \(text.prefix(300))")
            return nil
        }
        #expect(!text.hasSuffix("\n"), "\(uid): written as the reference writes it, pretty with no trailing newline")
        #expect(text.hasPrefix("{\n  \""), "\(uid): indented by 2")
        #expect(unsortedObjects(json).isEmpty, "\(uid): keys not sorted: \(unsortedObjects(json))")
        guard case .object(let top) = json, case .object(let summary)? = json["summary"], case .array(let results)? = json["results"] else {
            Issue.record("\(uid): no summary object and results array: \(text.prefix(300))")
            return nil
        }
        #expect(Array(top.keys) == ["results", "summary"])
        #expect(Set(summary.keys) == ["failed-count", "skipped-count", "summary-line", "test-count", "total-duration"], "\(uid)")
        let counts = Counts(tests: int(summary["test-count"]) ?? -1, failed: int(summary["failed-count"]) ?? -1,
                            skipped: int(summary["skipped-count"]) ?? -1)
        #expect(counts.tests == results.count, "\(uid): test-count is the number of results")
        #expect((int(summary["total-duration"]) ?? -1) >= 0, "\(uid): total-duration in ns")
        let line = string(summary["summary-line"]) ?? ""
        #expect(line.hasPrefix("Count: \(counts.tests), Failed: \(counts.failed), Skipped: \(counts.skipped), Duration: ") && line.hasSuffix("s"),
                "\(uid): \(line)")
        let required: Set<String> = ["successful", "skipped", "result", "resource-id", "resource-type", "property", "summary-line",
                                     "summary-line-compact", "duration", "start-time", "end-time", "matcher-result", "err", "title", "meta"]
        var failed = 0, skipped = 0
        for (index, result) in results.enumerated() {
            guard case .object(let fields) = result else { Issue.record("\(uid): result \(index) is not an object"); continue }
            #expect(required.isSubset(of: Set(fields.keys)), "\(uid) result \(index): missing \(required.subtracting(fields.keys).sorted())")
            let code = int(fields["result"]) ?? -1
            #expect([0, 1, 2].contains(code))
            #expect(fields["successful"] == .bool(code != 1), "\(uid) result \(index): successful is result != 1")
            #expect(fields["skipped"] == .bool(code == 2))
            #expect((int(fields["duration"]) ?? -1) >= 0)
            #expect(string(fields["start-time"])?.contains("T") == true && string(fields["end-time"])?.contains("T") == true,
                    "\(uid) result \(index): RFC 3339 times")
            let type = string(fields["resource-type"]) ?? "", id = string(fields["resource-id"]) ?? "", property = string(fields["property"]) ?? ""
            let compact = string(fields["summary-line-compact"]) ?? ""
            #expect(compact.hasPrefix("\(type): \(id): \(property): "), "\(uid): \(compact)")
            if code == 2 { #expect(compact == "\(type): \(id): \(property): skipped") }
            if code == 0 { #expect(compact.hasPrefix("\(type): \(id): \(property): matches expectation: ")) }
            if code == 1 { failed += 1 }
            if code == 2 { skipped += 1 }
        }
        #expect(counts.failed == failed && counts.skipped == skipped, "\(uid): summary counts agree with the results")
        return (json, counts)
    }

    /// `xmllint --noout --schema junit.xsd` on results/dgoss/junit.xml, and its counts per testsuite (by name).
    static func junit(_ dir: URL, lab: ContainerLab) async throws -> [String: Counts] {
        let file = dir.appendingPathComponent("results/dgoss/junit.xml")
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        #expect(!text.isEmpty, "no results/dgoss/junit.xml")
        #expect(FileManager.default.fileExists(atPath: junitSchema.path), "the JUnit schema is missing: \(junitSchema.path)")
        if ExternalTool.locate("xmllint") == nil {
            Issue.record("xmllint is not installed (apt-get install libxml2-utils): the JUnit files cannot be validated")
        } else {
            let lint = try await lab.run("xmllint", ["--noout", "--schema", junitSchema.path, file.path])
            #expect(lint.status == 0, "xmllint --schema junit.xsd: \(lint.stderr.suffix(2000))")
        }
        // Each <testsuite …>: its attributes, and the testcases, failures and skips inside it.
        var suites: [String: Counts] = [:]
        for chunk in text.components(separatedBy: "<testsuite ").dropFirst() {
            let tag = String(chunk.prefix { $0 != ">" })
            var attributes: [String: String] = [:]
            for match in tag.matches(of: try Regex(#"([\w-]+)="([^"]*)""#)) {
                if let key = match.output[1].substring, let value = match.output[2].substring { attributes[String(key)] = String(value) }
            }
            let body = chunk.components(separatedBy: "</testsuite>").first ?? chunk
            let counted = Counts(tests: body.components(separatedBy: "<testcase ").count - 1,
                                 failed: body.components(separatedBy: "<failure").count - 1,
                                 skipped: body.components(separatedBy: "<skipped").count - 1)
            let declared = Counts(tests: Int(attributes["tests"] ?? "") ?? -1, failed: Int(attributes["failures"] ?? "") ?? -1,
                                  skipped: Int(attributes["skipped"] ?? "") ?? -1)
            let name = attributes["name"] ?? "<unnamed>"
            #expect(declared == counted, "testsuite \(name): attributes say \(declared), elements say \(counted)")
            #expect(attributes["errors"].map { $0 == "0" } ?? true, "testsuite \(name): errors=\(attributes["errors"] ?? "")")
            suites[name] = counted
        }
        return suites
    }

    /// The compact lines listed under `<uid> test failures:`.
    static func failureLines(_ stderr: String, uid: String) -> [String]? {
        let lines = stderr.components(separatedBy: "\n")
        guard let header = lines.firstIndex(of: "\(uid) test failures:") else { return nil }
        return lines[(header + 1)...].prefix { $0.hasPrefix("  - ") }.map { String($0.dropFirst(4)) }
    }

    // MARK: - The Examples pass

    @Test(.enabled(if: ContainerLab.shouldRun))
    func theExamplesUbuntuImagesPassTheirSuites() async throws {
        let lab = try await ContainerLab.shared()
        let cases = EngineBuildTests.ubuntuExamples
        var tested = 0
        for (example, filters) in cases {
            let namespace = Self.namespace()
            let dir = try Self.exampleCopy(example, namespace: namespace)
            defer { try? FileManager.default.removeItem(at: dir) }
            let tags = try await Self.build(dir, filters, lab: lab)
            let (run, seconds) = try await Self.dgoss(dir, filters, lab: lab)
            print("dgoss run of \(example): \(tags.count) target(s) in \(String(format: "%.1f", seconds)) s")
            #expect(run.status == 0, "\(example): \(run.stderr.suffix(4000))")
            #expect(run.stderr.contains("✅ Tests completed"), "\(example)")
            #expect(run.stderr.contains("Goss Test Results"))
            #expect(!run.stderr.contains("❌"))
            #expect(run.stderr.components(separatedBy: "INFO: Goss tests passed for '").count - 1 == tags.count, "\(example)")
            let suites = try await Self.junit(dir, lab: lab)
            #expect(Set(suites.keys) == Set(tags.keys), "\(example): one testsuite per target")
            for uid in tags.keys.sorted() {
                let image = uid.hasPrefix("ubuntu-base") ? "ubuntu-base" : "example-image"
                guard let (_, counts) = Self.gossJSON(dir, image: image, uid: uid) else { continue }
                #expect(counts.tests > 0 && counts.failed == 0, "\(uid): \(counts)")
                #expect(suites[uid] == counts, "\(uid): JUnit \(suites[uid].map(String.init(describing:)) ?? "none"), JSON \(counts)")
                // The Minimal variants skip the jq check (`skip:` templated on IMAGE_VARIANT).
                if uid.contains("-minimal") { #expect(counts.skipped > 0, "\(uid): Minimal skips its jq check") }
                tested += 1
            }
            try await Self.cleanUp(namespace: namespace, tags: tags.values.flatMap { $0 }, lab: lab)
        }
        #expect(tested == 9, "01: 1, 02 (Ubuntu): 2, 03: 2, 04 (Ubuntu): 4 targets")
    }

    // MARK: - Deliberate failures, and a gossfile that cannot be rendered

    static let checks = "checks-1-0-0-ubuntu-24-04"

    @Test(.enabled(if: ContainerLab.shouldRun))
    func deliberateFailuresAreReportedAsGossReportsThem() async throws {
        let lab = try await ContainerLab.shared()
        let namespace = Self.namespace()
        let dir = try Self.fixtureCopy("failures", namespace: namespace)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tags = try await Self.build(dir, [], lab: lab)
        let (run, _) = try await Self.dgoss(dir, lab: lab)
        #expect(run.status == 1, "\(run.stderr.suffix(4000))")
        #expect(run.stderr.contains("WARNING: Goss tests failed for 'ImageTarget(image='checks', version='1.0.0', os='Ubuntu 24.04')'"))
        // The table: 7 passed, 4 failed, 2 skipped (ip after a port that is not listening, and skip: true), 13 checks.
        let row = run.stderr.split(separator: "\n").first { $0.contains("│ checks ") }.map(String.init) ?? ""
        let cells = row.split(separator: "│").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(Array(cells.prefix(8)) == ["checks", "1.0.0", "Ubuntu 24.04", "", "7", "4", "2", "13"], "\(row)")
        // Each failure's compact summary line, as goss prints it (goss.md §6.1), under the target's header.
        let failures = Self.failureLines(run.stderr, uid: Self.checks)
        #expect(failures.map { Set($0) } == [
            #"File: /opt/fixture/data.txt: mode: Expected "0640" to equal "0600""#,
            "Package: bakery-no-such-package: installed: Expected false to equal true",
            #"Command: echo hello: stdout: Expected "hello\n" to equal "goodbye\n""#,
            "Port: tcp:9999: listening: Expected false to equal true",
        ], "\(run.stderr.suffix(3000))")
        #expect(failures?.count == 4)
        #expect(run.stderr.contains("\n" + String(repeating: "-", count: 80) + "\n\(Self.checks) test failures:\n"))
        #expect(run.stderr.contains("❌ dgoss test(s) failed"))
        #expect(!run.stderr.contains("❌ dgoss command(s) failed to execute"))
        #expect(!run.stderr.contains("✅"))
        // The JSON: shape, counts, and the results' details.
        if let (json, counts) = Self.gossJSON(dir, image: "checks", uid: Self.checks) {
            #expect(counts == Counts(tests: 13, failed: 4, skipped: 2))
            guard case .array(let results)? = json["results"] else { return }
            func result(_ type: String, _ id: String, _ property: String) -> JSONValue? {
                results.first { Self.string($0["resource-type"]) == type && Self.string($0["resource-id"]) == id && Self.string($0["property"]) == property }
            }
            #expect(Self.int(result("Port", "tcp:9999", "ip")?["result"]) == 2, "ip is gated by listening")
            #expect(Self.string(result("Port", "tcp:9999", "ip")?["summary-line"]) == "Port: tcp:9999: ip: skipped")
            #expect(Self.string(result("Command", "echo never run", "exit-status")?["summary-line"]) == "Command: echo never run: exit-status: skipped")
            let mode = result("File", "/opt/fixture/data.txt", "mode")
            #expect(mode?["matcher-result"]?["actual"] == .string("0640"))
            #expect(mode?["matcher-result"]?["expected"] == .string("0600"))
            #expect(mode?["matcher-result"]?["message"] == .string("to equal"))
            #expect(mode?["err"] == .null)
            #expect(Self.string(result("User", "root", "uid")?["summary-line"]) == "User: root: uid: matches expectation: 0")
            #expect(Self.string(result("File", "/opt/fixture/data.txt", "contents")?["summary-line"])
                    == #"File: /opt/fixture/data.txt: contents: matches expectation: ["hello"]"#)
            let suites = try await Self.junit(dir, lab: lab)
            #expect(suites == [Self.checks: counts])
        }

        // The same image, a gossfile that cannot be rendered (.Env.NOPE on line 6): an execution error naming the file,
        // the line and the column, and no results file.
        let gossfile = dir.appendingPathComponent("checks/1.0.0/test/goss.yaml")
        try FileManager.default.removeItem(at: gossfile)
        try FileManager.default.copyItem(at: dir.appendingPathComponent("broken-goss.yaml"), to: gossfile)
        let (broken, _) = try await Self.dgoss(dir, lab: lab)
        #expect(broken.status == 1)
        let lines = broken.stderr.components(separatedBy: "\n")
        let start = lines.firstIndex { $0.hasPrefix("goss could not read the tests of 'ImageTarget(image='checks'") }
        #expect(start != nil, "\(broken.stderr.suffix(3000))")
        if let start {
            #expect(lines[start - 1] == String(repeating: "-", count: 80))
            let error = lines[start]
            #expect(error.contains(": checks/1.0.0/test/goss.yaml:6:"), "\(error)")
            // The file with an editor's 1-based column, then goss's own text (goss.md §7.3), whose column is Go's byte
            // offset: both point at `.NOPE` in `  echo {{ .Env.NOPE }}:`.
            #expect(error.hasSuffix(#": checks/1.0.0/test/goss.yaml:6:15: template: test:6:14: executing "test" at <.Env.NOPE>: map has no entry for key "NOPE""#),
                    "\(error)")
        }
        #expect(broken.stderr.contains("❌ dgoss command(s) failed to execute"))
        #expect(!broken.stderr.contains("❌ dgoss test(s) failed"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/dgoss/checks/\(Self.checks).json").path))
        try await Self.cleanUp(namespace: namespace, tags: tags.values.flatMap { $0 }, lab: lab)
    }

    // MARK: - A service, with a readiness wait

    @Test(.enabled(if: ContainerLab.shouldRun))
    func aLateServiceIsTestedAsSoonAsItIsReady() async throws {
        let lab = try await ContainerLab.shared()
        let namespace = Self.namespace()
        let dir = try Self.fixtureCopy("service", namespace: namespace)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tags = try await Self.build(dir, [], lab: lab)
        // The server listens 4 s after the container starts; the goss option wait (30 s) is a budget, not a sleep.
        let (run, seconds) = try await Self.dgoss(dir, lab: lab)
        print("dgoss run of a service that starts after 4 s, wait: 30: \(String(format: "%.1f", seconds)) s")
        #expect(run.status == 0, "\(run.stderr.suffix(4000))")
        #expect(run.stderr.contains("✅ Tests completed"))
        #expect(seconds >= 4, "the suite cannot pass before the server listens")
        #expect(seconds < 20, "a readiness wait ends when the suite passes, well before the 30 s budget (took \(seconds) s)")
        let uid = "web-1-0-0-ubuntu-24-04"
        if let (json, counts) = Self.gossJSON(dir, image: "web", uid: uid) {
            #expect(counts == Counts(tests: 5, failed: 0, skipped: 0))
            guard case .array(let results)? = json["results"] else { return }
            let passed = Set(results.filter { Self.int($0["result"]) == 0 }.compactMap { Self.string($0["summary-line"]) })
            #expect(passed == [
                "Port: tcp:8080: listening: matches expectation: true",
                #"Port: tcp:8080: ip: matches expectation: ["0.0.0.0"]"#,
                "Process: perl: running: matches expectation: true",
                "HTTP: http://localhost:8080/: status: matches expectation: 200",
                #"HTTP: http://localhost:8080/: Body: matches expectation: ["/^hello bakery$/"]"#,
            ], "\(results.compactMap { Self.string($0["summary-line-compact"]) })")
        }
        let suites = try await Self.junit(dir, lab: lab)
        #expect(suites == [uid: Counts(tests: 5, failed: 0, skipped: 0)])
        try await Self.cleanUp(namespace: namespace, tags: tags.values.flatMap { $0 }, lab: lab)
    }

    // MARK: - Ctrl-C

    @Test(.enabled(if: ContainerLab.shouldRun))
    func ctrlCStopsTheTestsAndRemovesTheContainer() async throws {
        let lab = try await ContainerLab.shared()
        let namespace = Self.namespace()
        let dir = try Self.fixtureCopy("interrupt", namespace: namespace)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tags = try await Self.build(dir, [], lab: lab)
        var env = lab.environment
        env["CI"] = "true"
        let child = try ChildProcess.start(BakeryBinary.path, ["dgoss", "run", "--engine", "podman", "--context", dir.path],
                                           in: dir, environment: env)
        // Wait until the slow check (`sleep 30`) runs inside the container.
        var running = false
        for _ in 0..<1200 {
            if EngineBuildTests.processes(matching: "sleep 30").contains(where: { $0 == "sleep 30 " }) { running = true; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(running, "the slow check never started")
        let up = try await Self.containers(namespace: namespace, imageIDs: [], lab: lab)
        #expect(up.count == 1, "one test container runs: \(up)")
        let interrupted = Date()
        kill(child.pid, SIGINT)
        let ending = try await ContainerLab.onPlainThread { child.finish(timeout: 90) }
        let seconds = Date().timeIntervalSince(interrupted)
        print("dgoss run stopped \(String(format: "%.1f", seconds)) s after SIGINT")
        #expect(!ending.timedOut)
        #expect(ending.status == 130, "\(ending.stderr.suffix(3000))")
        #expect(ending.stderr.contains("❌ Tests interrupted"))
        #expect(seconds < 25, "Ctrl-C does not wait for the 30 s check")
        #expect(!EngineBuildTests.processes(matching: "sleep 30").contains("sleep 30 "), "the check's process survived Ctrl-C")
        try await Self.cleanUp(namespace: namespace, tags: tags.values.flatMap { $0 }, lab: lab)
    }
}
} // extension LabSuites
