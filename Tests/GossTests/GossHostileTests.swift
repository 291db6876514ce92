// Hostile gossfiles and systems: inputs that must end in a located error or a normal result, never a trap or a hang.
import Foundation
import Testing
@testable import Goss

@Suite struct GossHostileTests {
    static func validate(_ text: String, _ probe: FakeProbe, format: GossFileFormat = .yaml) async throws -> GossReport {
        let parsed = try GossfileParser.parse(text, format: format, file: format == .yaml ? "goss.yaml" : "goss.json")
        return try await GossValidator(probe: probe).validate(Gossfile(resources: parsed.resources))
    }

    static func error(_ text: String, format: GossFileFormat = .yaml) -> GossError? {
        do { _ = try GossfileParser.parse(text, format: format, file: "goss.yaml"); return nil } catch { return error }
    }

    /// `timeout: 1e30` (or `.inf`) passed the whole-number check and then trapped converting to Int; yaml.v3 refuses a
    /// float out of int range, so it is a located error.
    @Test func aTimeoutOutOfIntRangeIsALocatedError() throws {
        for value in ["1e30", ".inf", "-.inf", "1e19", "-1e19"] {
            let error = try #require(Self.error("command:\n  x:\n    exit-status: 0\n    timeout: \(value)\n"), "\(value)")
            #expect(error.line == 4 && error.message.contains("timeout"), "\(value)")
        }
        #expect(Self.error("{\"command\": {\"x\": {\"exit-status\": 0, \"timeout\": 1e300}}}", format: .json) != nil)
        // In range, whole floats still count (JSON numbers are floats).
        #expect(Self.error("command:\n  x: {exit-status: 0, timeout: 1e3}\n") == nil)
    }

    /// `timeout: 9223372036854775807` on http/addr overflowed `timeout + margin` (a trap); the margin saturates.
    @Test func bHugeIntegerTimeoutsDoNotOverflow() async throws {
        let probe = FakeProbe()
        let report = try await Self.validate("""
        http:
          http://localhost/: {status: 200, timeout: 9223372036854775807}
        addr:
          tcp://localhost:1: {reachable: false, timeout: 9223372036854775807}
        command:
          x: {exit-status: 0, timeout: 9223372036854775807}
        """, probe)
        #expect(report.testCount == 3)
    }
}
