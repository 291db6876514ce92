// Evaluating resources against a fake system: gating, skips, required attributes, errors, batching and retries,
// with outcomes written from goss's rules (goss.md §3, §5 and the worked examples of §13).
import Foundation
import Testing
@testable import Goss

@Suite struct GossValidatorTests {
    static func validate(_ yaml: String, _ probe: FakeProbe) async throws -> GossReport {
        let parsed = try GossfileParser.parse(yaml, format: .yaml, file: "goss.yaml")
        return try await GossValidator(probe: probe).validate(Gossfile(resources: parsed.resources))
    }

    static func outcomes(_ report: GossReport) -> [String: GossOutcome] {
        Dictionary(report.results.map { ("\($0.resourceType): \($0.resourceID): \($0.property)", $0.outcome) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func fileAttributesAndTheExistsGate() async throws {
        let probe = FakeProbe()
        probe.files["/usr/local/bin/startup.sh"] = .init(mode: 0x81ED, uid: 0, gid: 0, size: 120)
        probe.files["/usr/local/bin/quarto"] = .init(mode: 0xA1FF, size: 29, link: "/opt/quarto/1.9.36/bin/quarto")
        probe.files["/opt/rstudio-connect"] = .init(mode: 0x41ED)
        let report = try await Self.validate("""
        file:
          /usr/local/bin/startup.sh: {exists: true, owner: root, group: root, mode: "0755", filetype: file}
          /usr/local/bin/quarto: {exists: true, filetype: symlink, linked-to: /opt/quarto/1.9.36/bin/quarto, mode: "0777"}
          /opt/rstudio-connect/: {exists: true, filetype: directory}
          /opt/R/4.5.3/bin/R: {exists: false, mode: "0755", owner: root}
          /etc/missing: {exists: true, mode: "0644"}
        """, probe)
        let o = Self.outcomes(report)
        #expect(o["File: /usr/local/bin/startup.sh: mode"] == .success)
        #expect(o["File: /usr/local/bin/startup.sh: owner"] == .success)
        #expect(o["File: /usr/local/bin/quarto: linkedto"] == .success)
        #expect(o["File: /usr/local/bin/quarto: mode"] == .success)
        #expect(o["File: /opt/rstudio-connect/: filetype"] == .success)
        // exists: false passes and still skips the rest (goss.md §13.1).
        #expect(o["File: /opt/R/4.5.3/bin/R: exists"] == .success)
        #expect(o["File: /opt/R/4.5.3/bin/R: mode"] == .skip && o["File: /opt/R/4.5.3/bin/R: owner"] == .skip)
        #expect(o["File: /etc/missing: exists"] == .fail && o["File: /etc/missing: mode"] == .skip)
        #expect(report.testCount == 16 && report.failedCount == 1 && report.skippedCount == 3)
        // Results keep goss's check order within a resource.
        #expect(report.results.filter { $0.resourceID == "/usr/local/bin/quarto" }.map(\.property) == ["exists", "mode", "linkedto", "filetype"])
    }

    @Test func oneProbeRunForAllFactsNotPerAttribute() async throws {
        let probe = FakeProbe()
        for i in 0..<40 { probe.files["/f\(i)"] = .init(mode: 0x81A4) }
        for i in 0..<40 { probe.dpkg["p\(i)"] = "install ok installed 1.0-\(i)" }
        let files = (0..<40).map { "  /f\($0): {exists: true, mode: \"0644\"}" }.joined(separator: "\n")
        let packages = (0..<40).map { "  p\($0): {installed: true}" }.joined(separator: "\n")
        let report = try await Self.validate("file:\n\(files)\npackage:\n\(packages)\n", probe)
        #expect(report.failedCount == 0 && report.testCount == 120)
        // One shell run for the accounts, every file and every package.
        #expect(probe.scripts.count == 1)
    }

    @Test func packagesWithDpkgStatuses() async throws {
        let probe = FakeProbe()
        probe.dpkg["curl"] = "install ok installed 8.5.0-2ubuntu10"
        probe.dpkg["old"] = "deinstall ok config-files 1.0"
        let report = try await Self.validate("""
        package:
          curl: {installed: true, versions: ["8.5.0-2ubuntu10"]}
          old: {installed: false}
          absent: {installed: true, versions: ["1"]}
        """, probe)
        let o = Self.outcomes(report)
        #expect(o["Package: curl: installed"] == .success && o["Package: curl: version"] == .success)
        #expect(o["Package: old: installed"] == .success)
        #expect(o["Package: absent: installed"] == .fail && o["Package: absent: version"] == .skip)
    }

    @Test func usersAndGroupsFromTheFlatFiles() async throws {
        let probe = FakeProbe()
        let report = try await Self.validate("""
        user:
          rstudio-server: {exists: true, uid: 999, gid: 999, groups: [rstudio-server, staff], home: /home/rstudio-server, shell: /bin/sh}
          nobody-here: {exists: false, uid: 5}
        group:
          staff: {exists: true, gid: 50}
        """, probe)
        let o = Self.outcomes(report)
        #expect(report.failedCount == 0, "\(report.results.filter { $0.outcome == .fail })")
        #expect(o["User: rstudio-server: groups"] == .success)
        #expect(o["User: nobody-here: uid"] == .skip)
        #expect(o["Group: staff: gid"] == .success)
    }

    @Test func commandsStreamsAndTimeouts() async throws {
        let probe = FakeProbe()
        probe.commands["which openssl"] = GossProbeOutput(exitCode: 0, stdout: Array("/usr/local/bin/openssl\n".utf8))
        probe.commands["quarto check"] = GossProbeOutput(exitCode: -1, stdout: [], timedOut: true)
        let report = try await Self.validate("""
        command:
          Verify system OpenSSL:
            exec: which openssl
            exit-status: 0
            stdout: ["/usr/bin/openssl"]
          slow:
            exec: quarto check
            exit-status: 0
            stdout: ["x"]
            timeout: 60000
        """, probe)
        let o = Self.outcomes(report)
        #expect(o["Command: Verify system OpenSSL: exit-status"] == .success)
        // "/usr/bin/openssl" is a plain pattern for the substring usr/bin/openssl, absent here (goss.md §13.4).
        #expect(o["Command: Verify system OpenSSL: stdout"] == .fail)
        let slow = report.results.filter { $0.resourceID == "slow" }
        #expect(slow.count == 2 && slow.allSatisfy { $0.outcome == .fail && $0.err == "Command execution timed out (1m0s)" })
    }

    @Test func portsFromProcNetAndTheIPv4OnlyQuirk() async throws {
        let probe = FakeProbe()
        probe.net = "\0tcp\n  sl  local_address rem_address   st\n   0: 0100007F:15B7 00000000:0000 0A 0\n   1: 00000000:1F90 00000000:0000 01 0\n"
            + "\0tcp6\n  sl  local_address\n   0: 00000000000000000000000000000000:0F63 00000000000000000000000000000000:0000 0A 0\n"
        let report = try await Self.validate("""
        port:
          tcp6:3939: {listening: true, ip: ["::"]}
          tcp:5559: {listening: true, ip: [127.0.0.1]}
          tcp:8787: {listening: true, ip: [0.0.0.0]}
          "8080": {listening: false}
        """, probe)
        let o = Self.outcomes(report)
        #expect(o["Port: tcp6:3939: listening"] == .success && o["Port: tcp6:3939: ip"] == .success)
        #expect(o["Port: tcp:5559: ip"] == .success)
        // Not listening: fails, and ip is skipped (goss.md §13.3).
        #expect(o["Port: tcp:8787: listening"] == .fail && o["Port: tcp:8787: ip"] == .skip)
        // 0x1F90 = 8080 is in state 01 (not LISTEN) in the tcp table.
        #expect(o["Port: 8080: listening"] == .success)
    }

    @Test func ipDecodingAsGoPrintsIt() {
        #expect(GossNetTable.decodeIP("0100007F") == "127.0.0.1")
        #expect(GossNetTable.decodeIP("00000000000000000000000000000000") == "::")
        #expect(GossNetTable.decodeIP("00000000000000000000000001000000") == "::1")
        #expect(GossNetTable.decodeIP("0000000000000000FFFF00000100007F") == "127.0.0.1")
        #expect(GossNetTable.decodeIP("000080FE000000000000000001000000")?.uppercased() == "FE80::1")
    }

    @Test func processesAndSkips() async throws {
        let probe = FakeProbe()
        probe.processes = ["docker-init", "rstudio-launche", "my) proc", "evil\n3 (sshd"]
        let report = try await Self.validate("""
        process:
          rstudio-launche: {running: true}
          rserver: {running: true, skip: true}
          my) proc: {running: true}
          sshd: {running: false}
        """, probe)
        let o = Self.outcomes(report)
        #expect(o["Process: rstudio-launche: running"] == .success)
        let skipped = try #require(report.results.first { $0.resourceID == "rserver" })
        #expect(skipped.outcome == .skip && skipped.successful && skipped.matcherResult == .zero)
        // The whole comm is compared: a `)` or a newline inside a name cannot make another name appear.
        #expect(o["Process: my) proc: running"] == .success)
        #expect(o["Process: sshd: running"] == .success)
        #expect(!probe.scripts.contains { $0.contains("rserver") })
    }

    @Test func aMissingRequiredAttributeFails() async throws {
        let report = try await Self.validate("file:\n  /etc/passwd: {mode: \"0644\"}\n", FakeProbe())
        let first = try #require(report.results.first)
        #expect(first.property == "exists" && first.outcome == .fail && first.err == "Syntax Error: Missing required attribute")
    }

    @Test func pathsAreCleanedAgainstTheWorkingDirectory() {
        var basics = SystemBasics()
        basics.workingDirectory = "/srv/app"
        basics.passwd = [AccountLine(fields: ["root", "x", "0", "0", "", "/root", "/bin/sh"]),
                         AccountLine(fields: ["ann", "x", "1000", "1000", "", "/home/ann", "/bin/sh"])]
        #expect(GossValidator.cleanPath("/opt/x/", basics: basics) == "/opt/x")
        #expect(GossValidator.cleanPath("conf/../a.txt", basics: basics) == "/srv/app/a.txt")
        #expect(GossValidator.cleanPath("//a//b/./c", basics: basics) == "/a/b/c")
        #expect(GossValidator.cleanPath("~/.bashrc", basics: basics) == "/root/.bashrc")
        #expect(GossValidator.cleanPath("~ann/x", basics: basics) == "/home/ann/x")
    }

    @Test func headersAreCanonicalAndSorted() {
        let raw = "HTTP/1.1 301 Moved\r\nlocation: /x\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-a-b: 1\r\n\r\n"
        #expect(GossValidator.headerLines(raw) == "Content-Type: text/plain\nX-A-B: 1")
    }

    @Test func retriesUntilPassingWithinTheTimeout() async throws {
        let probe = FakeProbe()
        let parsed = try GossfileParser.parse("file:\n  /ready: {exists: true}\n", format: .yaml, file: "g.yaml")
        let validator = GossValidator(probe: probe)
        let counter = Counter()
        let run = try await validator.validate(Gossfile(resources: parsed.resources), retryTimeout: .seconds(3600), sleep: .milliseconds(50),
                                               attempt: { number, _ in
                                                   await counter.set(number)
                                                   if number == 3 { probe.files["/ready"] = .init(mode: 0x81A4) }
                                               })
        #expect(run.attempts == 4 && !run.timedOut && run.report.failedCount == 0)
        let timedOut = try await validator.validate(Gossfile(resources: try GossfileParser.parse("file:\n  /never: {exists: true}\n", format: .yaml, file: "g").resources),
                                                    retryTimeout: .milliseconds(200), sleep: .milliseconds(100))
        #expect(timedOut.timedOut && timedOut.report.failedCount == 1 && timedOut.attempts >= 1)
    }
}

actor Counter {
    var value = 0
    func set(_ v: Int) { value = v }
}
