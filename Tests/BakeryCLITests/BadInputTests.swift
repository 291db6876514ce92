import Foundation
import TestSupport
import Testing

/// Every case in Tests/Fixtures/bad: `bakery validate -q` prints exactly the expected located errors and exits 1,
/// and leaves the project untouched.
@Suite struct BadInputTests {
    static let cases: [String] = {
        let dir = BakeryBinary.fixtures.appendingPathComponent("bad")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasSuffix(".sh") }.sorted()
    }()

    @Test func theCorpusHasAtLeastThirtyCases() {
        #expect(Self.cases.count >= 30)
    }

    @Test(arguments: cases)
    func reportsTheLocatedErrorAndExitCode(_ name: String) throws {
        let dir = BakeryBinary.fixtures.appendingPathComponent("bad").appendingPathComponent(name)
        let expected = try String(contentsOf: dir.appendingPathComponent("expected.stderr"), encoding: .utf8)
        let expectedExit = try String(contentsOf: dir.appendingPathComponent("expected.exit"), encoding: .utf8)
        let extra = (try? String(contentsOf: dir.appendingPathComponent("args"), encoding: .utf8))?
            .split(whereSeparator: \.isWhitespace).map(String.init) ?? []
        let before = BakeryBinary.snapshot(dir)
        let result = try BakeryBinary.run(["validate", "-q", "--context", "."] + extra, in: dir)
        #expect(result.stderr == expected)
        #expect("\(result.status)" == expectedExit.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(!result.stderr.contains("Fatal error"))
        #expect(BakeryBinary.snapshot(dir) == before, "validate must not write anything")
    }
}
