import Bakery
import Foundation
import Testing
import TestSupport

/// `bakery ci summary` against posit-bakery 0.8.0's reports for the same files (Tests/Fixtures/ci-summary), and
/// what it does with files that are not summaries, a folder that does not exist, and hostile values.
@Suite struct CISummaryCommandTests {
    static let fixtures = BakeryBinary.fixtures.appendingPathComponent("ci-summary")

    func run(_ arguments: [String], in directory: URL) throws -> BakeryBinary.Result {
        try BakeryBinary.run(["ci", "summary"] + arguments, in: directory)
    }

    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ci-summary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in ["a.json", "b.json", "bad.json", "empty.json"] {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        return dir
    }

    @Test(arguments: [
        (["a.json", "b.json", "bad.json", "missing.json"], "expected-a-b-bad-missing.md"),
        (["b.json", "--disclaimer", "Preview builds"], "expected-b-disclaimer.md"),
        (["empty.json"], "expected-empty.md"),
    ])
    func theReportIsTheReferenceOne(arguments: [String], expected: String) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try run(arguments + ["--output", "report.md"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let got = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(got == (try String(contentsOf: Self.fixtures.appendingPathComponent(expected), encoding: .utf8)))
        if arguments.contains("bad.json") {
            #expect(result.stderr.contains("⚠️  Skipping unreadable summary file 'bad.json': it is not JSON"), "\(result.stderr)")
            #expect(result.stderr.contains("⚠️  Skipping unreadable summary file 'missing.json': cannot read 'missing.json': it does not exist"))
        }
        #expect(result.stdout.isEmpty)
    }

    @Test func filesThatAreNotSummariesAreNamedAndSkipped() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases = [("list.json", "[1,2]", "the document is not a JSON object with a 'targets' list"),
                     ("partial.json", #"{"targets":[{"uid":"x"}]}"#, "targets[0].image_name should be a string"),
                     ("negative.json", #"{"targets":[{"uid":"x","image_name":"i","version":"1","os":"","variant":"","platforms":-1,"tags":1}]}"#,
                      "targets[0].platforms should be a whole number of at least 0"),
                     ("text-size.json", #"{"targets":[{"uid":"x","image_name":"i","version":"1","os":"","variant":"","platforms":1,"tags":1,"registry_size":"big"}]}"#,
                      "targets[0].registry_size should be a whole number of at least 0, or null")]
        for (name, text, _) in cases { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("folder.json"), withIntermediateDirectories: true)
        let result = try run(cases.map(\.0) + ["folder.json", "a.json", "--output", "report.md"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        for (name, _, why) in cases {
            #expect(result.stderr.contains("⚠️  Skipping unreadable summary file '\(name)': \(why)"), "\(name): \(result.stderr)")
        }
        #expect(result.stderr.contains("'folder.json'"))
        let report = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("| **Total (2 targets)** |"), "a.json alone")
    }

    @Test func aReportThatCannotBeWrittenFailsAndLeavesNothing() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try run(["a.json", "--output", "no/such/folder/report.md"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("❌ cannot write the summary report"), "\(result.stderr)")
        #expect(result.stderr.contains("check that the folder"), "\(result.stderr)")
        // An existing report is replaced whole.
        try Data("old".utf8).write(to: dir.appendingPathComponent("report.md"))
        #expect(try run(["a.json", "--output", "report.md"], in: dir).status == 0)
        #expect(try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8).hasPrefix("### Build Summary\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func cellsCannotBreakTheTable() throws {
        let row = BuildSummary.Row(uid: "u", imageName: "evil|image", version: "1\n| injected |", os: "", variant: "a\\|b", platforms: 1, tags: 1)
        let report = BuildSummary(rows: [row]).markdown(disclaimer: "two\nlines")
        let lines = report.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "> ⚠️ **two lines**")
        let body = lines.first { $0.hasPrefix("| evil") } ?? ""
        #expect(body == #"| evil\|image | 1 \| injected \| |  | a\\\|b | 1 | 1 | — | — | — | — |"#, "\(body)")
        #expect(report.hasSuffix("\n"))
    }

    @Test func mergingAddsPlatformsAndSizesAndKeepsTheFirstKnownValues() {
        let one = BuildSummary(rows: [BuildSummary.Row(uid: "x", imageName: "i", version: "1", platforms: 1, tags: 4, layers: nil,
                                                       registrySize: 100, localSize: nil, cacheRef: nil, cacheSize: nil)])
        let two = BuildSummary(rows: [BuildSummary.Row(uid: "x", imageName: "i", version: "1", platforms: 1, tags: 9, layers: 7,
                                                       registrySize: Int.max, localSize: 5, cacheRef: "c", cacheSize: 3)])
        let merged = BuildSummary.merged([one, two])
        #expect(merged.rows.count == 1)
        let row = merged.rows[0]
        #expect(row.platforms == 2 && row.tags == 4 && row.layers == 7 && row.localSize == 5 && row.cacheRef == "c" && row.cacheSize == 3)
        #expect(row.registrySize == Int.max, "sums saturate instead of trapping")
    }
}
