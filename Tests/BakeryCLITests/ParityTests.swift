import Bakery
import Foundation
import TestSupport
import Testing

/// Our `build --plan`, `get tags`, `get version` and `ci matrix` against posit-bakery 0.8.0's outputs
/// on the same projects and arguments (Tests/Fixtures/reference, copied from shared/reference).
/// Stdout and exit codes must match after the reference's normalisation; deliberate differences
/// are asserted as what we do instead.
@Suite("Parity with posit-bakery 0.8.0")
struct ParityTests {
    static let reference = BakeryBinary.fixtures.appendingPathComponent("reference")

    typealias Case = ReferenceCase

    /// Commands outside the commands this parity suite covers (create/update/remove: project
    /// management; ci readme: Docker Hub READMEs).
    static func covered(_ argv: String) -> Bool { ReferenceReplay.covered(argv) }

    static let cases: [Case] = {
        let fm = FileManager.default
        // Projects replayed from a file tree (the scratch session is replayed by SessionReplayTests).
        return ((try? fm.contentsOfDirectory(atPath: reference.path)) ?? []).sorted()
            .filter { fm.fileExists(atPath: reference.appendingPathComponent("\($0)/tree.txt").path) }
            .flatMap { ReferenceReplay.cases(in: reference.appendingPathComponent($0), including: covered) }
    }()

    /// One scratch copy of each project (its file tree, bakery.yaml, inputs), committed to git so
    /// labels carry a revision and --base-ref has a repository.
    final class Projects: @unchecked Sendable {
        private var made: [String: URL] = [:]
        private let lock = NSLock()
        func directory(_ project: String) throws -> URL {
            try lock.withLock {
                if let d = made[project] { return d }
                let fm = FileManager.default
                if made.isEmpty {
                    // One scratch root per test process, removed when the process exits.
                    atexit { try? FileManager.default.removeItem(at: ParityTests.scratchRoot) }
                }
                let dir = ParityTests.scratchRoot.appendingPathComponent(project)
                let source = reference.appendingPathComponent(project)
                let tree = try String(contentsOf: source.appendingPathComponent("tree.txt"), encoding: .utf8)
                for path in tree.split(separator: "\n") where !path.isEmpty {
                    let url = dir.appendingPathComponent(String(path))
                    try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    _ = fm.createFile(atPath: url.path, contents: Data())
                }
                try? fm.removeItem(at: dir.appendingPathComponent("bakery.yaml"))
                try fm.copyItem(at: ExampleProjects.referenceConfig(project), to: dir.appendingPathComponent("bakery.yaml"))
                if fm.fileExists(atPath: source.appendingPathComponent("inputs").path) {
                    try? fm.removeItem(at: dir.appendingPathComponent("inputs"))
                    try fm.copyItem(at: source.appendingPathComponent("inputs"), to: dir.appendingPathComponent("inputs"))
                }
                let git = try BakeryBinary.shell("git init -q && git add -A && git -c user.email=t@example.com -c user.name=t commit -qm fixture", in: dir)
                guard git.status == 0 else { throw GitMissing(message: git.stderr) }
                made[project] = dir
                return dir
            }
        }
    }

    struct GitMissing: Error { var message: String }

    static let projects = Projects()
    static let scratchRoot = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-parity-\(UUID().uuidString)")

    static func arguments(_ argv: String, context: String) -> [String] { ReferenceReplay.arguments(argv, context: context) }

    static func normalize(_ v: JSONValue, context: String) -> JSONValue { ReferenceNormalization.normalize(v, context: context) }
    static func normalizeText(_ s: String, context: String) -> String { ReferenceNormalization.normalizeText(s, context: context) }

    @Test func theSuiteCoversTheReferenceRuns() {
        #expect(Self.cases.count >= 800)
        #expect(Set(Self.cases.map(\.project)).count >= 11)
    }

    @Test("same stdout and exit code as the reference", arguments: cases)
    func parity(_ c: Case) throws {
        let dir: URL
        do {
            dir = try Self.projects.directory(c.project)
        } catch let error as GitMissing {
            if ExternalTool.toolsRequired { Issue.record("git is needed: \(error.message)") }
            print("skipping parity case \(c): git is not available (\(error.message))")
            return
        }
        let context = dir.path
        let arguments = Self.arguments(c.argv, context: context)
        let prefix = ReferenceReplay.prefix(for: c, inputs: dir)
        let cwd = c.slug.contains("context-flag") ? URL(fileURLWithPath: "/") : dir
        let result = try BakeryBinary.run(arguments, in: cwd, prefix: prefix)

        let source = Self.reference.appendingPathComponent(c.project)
        var goldenSlug = c.slug
        var expectedExit = c.exitCode

        // Deliberate difference: with --image-variant, posit-bakery crashes on a project that has an
        // image without variants (quirk 3; its stderr ends in AttributeError: 'NoneType' object has no
        // attribute 'name'). We keep such images' targets, with a warning.
        if ReferenceReplay.isVariantCrash(c) {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("has no variants but --image-variant filter is set"))
            let json = try #require(JSONValue.parse(result.stdout), "\(result.stdout.prefix(200))")
            let filter = Self.arguments(c.argv, context: context).drop { $0 != "--image-variant" }.dropFirst().first!
            if case .object(let targets)? = json["target"] {
                #expect(!targets.isEmpty)
            } else if case .object(let images) = json {
                #expect(!images.isEmpty, "\(filter)")
            }
            return
        }
        // The recorded HEAD~N diffs depend on the reference repository's own history. Our scratch
        // repository has a single commit, so HEAD~N does not exist and the full matrix is expected.
        if c.argv.contains("--base-ref HEAD~") {
            goldenSlug = "ci-matrix"
            expectedExit = 0
            #expect(result.stderr.contains("Could not diff against base-ref"))
        }

        #expect(result.status == expectedExit, "\(result.stderr.suffix(600))")
        let goldenJSON = source.appendingPathComponent("\(goldenSlug).json")
        let goldenText = source.appendingPathComponent("\(goldenSlug).txt")
        if let expected = try? String(contentsOf: goldenJSON, encoding: .utf8) {
            guard let got = JSONValue.parse(result.stdout) else {
                Issue.record("stdout is not JSON: \(result.stdout.prefix(300)) — stderr: \(result.stderr.suffix(300))")
                return
            }
            let normalized = Self.normalize(got, context: context).text(JSONValue.Style(indent: 2, asciiOnly: false)) + "\n"
            #expect(normalized == expected)
        } else if let expected = try? String(contentsOf: goldenText, encoding: .utf8) {
            #expect(Self.normalizeText(result.stdout, context: context) == expected)
        } else {
            Issue.record("no golden stdout for \(c)")
        }
    }
}
