// The probe scripts for real: the built-in goss runner checks this machine through `sh -c` (no container), with a
// local HTTP server for port, process, addr and http. What a container run does, minus the engine.
import Bakery
import Foundation
import Goss
import Testing
import TestSupport

@Suite(.serialized) struct GossHostProbeTests {
    static var canRun: Bool { ExternalTool.shouldRun("python3") && ExternalTool.shouldRun("curl") && ExternalTool.shouldRun("dpkg-query") }

    @Test(.enabled(if: canRun))
    func everyResourceKindAgainstThisMachine() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("goss-host-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "<p>hello goss</p>\n".write(to: dir.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        let port = Int.random(in: 20_000..<40_000)
        let server = try ChildProcess.start("python3", ["-m", "http.server", "--bind", "127.0.0.1", String(port)], in: dir, capture: false)
        defer {
            kill(server.pid, SIGTERM)
            _ = server.finish(timeout: 10)
        }
        let probe = ShellProbe()
        // Wait for the server with the runner itself: a readiness retry on the port.
        let readiness = try await GossfileTestSupport.parse("port:\n  tcp:\(port): {listening: true}\n")
        let ready = try await GossValidator(probe: probe).validate(readiness, retryTimeout: .seconds(20), sleep: .milliseconds(200))
        #expect(ready.report.failedCount == 0, "the test server did not start")

        let gossfile = try await GossfileTestSupport.parse("""
        file:
          /etc/passwd: {exists: true, mode: "0644", owner: root, group: root, filetype: file}
          \(dir.path)/index.html: {exists: true, contents: ["hello goss", "!/nothing here/"], size: 18, sha256: "\(Self.sha256("<p>hello goss</p>\n"))"}
          /nonexistent/x: {exists: false, mode: "0644"}
          /proc/self: {exists: true, filetype: symlink}
        package:
          dpkg: {installed: true}
          not-a-package-bakery: {installed: false}
        user:
          root: {exists: true, uid: 0, gid: 0, home: /root, groups: [root]}
        group:
          root: {exists: true, gid: 0}
        command:
          streams:
            exec: "echo hi; echo err >&2; exit 3"
            exit-status: 3
            stdout: [hi]
            stderr: ["/^err$/"]
        process:
          python3: {running: true}
          no-such-process-x: {running: false}
        port:
          tcp:\(port): {listening: true, ip: [127.0.0.1]}
        http:
          http://127.0.0.1:\(port)/index.html:
            status: 200
            body: ["hello goss"]
            headers: ["/^Content-Type: text\\\\/html/"]
        addr:
          tcp://127.0.0.1:\(port): {reachable: true}
        kernel-param:
          kernel.ostype: {value: Linux}
        mount:
          /: {exists: true}
        interface:
          lo: {exists: true}
        matching:
          list:
            content: [1, 2, 3]
            matches: [3, 1]
        """)
        let report = try await GossValidator(probe: probe).validate(gossfile)
        let failures = report.results.filter { $0.outcome == .fail }.map { "\($0.resourceType) \($0.resourceID) \($0.property): \($0.err ?? "") \($0.summaryLineCompact)" }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(report.skippedCount == 1)
        #expect(report.testCount >= 35)
    }

    static func sha256(_ text: String) -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        try? text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try? CommandRunner().runBlocking(ChildCommand("sha256sum", [file.path]))
        return output?.stdout.split(separator: " ").first.map(String.init) ?? ""
    }
}

enum GossfileTestSupport {
    /// Parses gossfile text (no templating) through a temporary file.
    static func parse(_ text: String) async throws -> Gossfile {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("goss-\(UUID().uuidString).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let loader = GossLoader(environment: [:], readFile: { _ in "" })
        return try await loader.load(path: file.path)
    }
}

@Suite struct GossProbeSecretTests {
    /// GH_TOKEN reaches the test container; a check whose stdout or file content holds it printed it in the failure
    /// text, the results JSON and JUnit. The probe masks secrets in both streams, as every other child's output is.
    @Test func probeOutputMasksTheToken() async throws {
        let token = "ghs_hostile\(UUID().uuidString.prefix(8))"
        let probe = ShellProbe(secrets: [token])
        let output = try await probe.shell("printf 'GH_TOKEN=%s\\n' \"$1\"; printf '%s' \"$1\" >&2", arguments: [token], timeout: .seconds(30))
        #expect(output.stdoutText == "GH_TOKEN=***\n")
        #expect(output.stderrText == "***")
        let gossfile = try await GossfileTestSupport.parse("""
        command:
          printf 'GH_TOKEN=%s' \(token): {exit-status: 0, stdout: {contain-substring: nothere}}
        """)
        let report = try await GossValidator(probe: probe).validate(gossfile)
        let json = GossJSON.encode(GossJSON.report(report), pretty: true, indent: 2)
        // The resource's own key is the gossfile's text; what the system printed is masked.
        #expect(json.contains("GH_TOKEN=***"))
        #expect(!json.contains("GH_TOKEN=\(token)"))
    }
}
