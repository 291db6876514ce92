import Bakery
import Foundation
import TestSupport
import Testing

/// The dependency release lists (python, R, quarto, positron), read from fixture documents laid out as the mirror
/// folder lays them out, and the constraints that pick from them.
@Suite("Dependency version sources")
struct DependencyVersionSourceTests {
    static let folder = BakeryBinary.fixtures.appendingPathComponent("version-sources")
    static let mirror = FolderDocumentSource(root: folder)

    static func available(_ d: DependencyName, prerelease: Bool = false) throws -> [String] {
        try DependencyVersionSource(d).availableVersions(prerelease: prerelease, from: mirror)
    }

    static func r(_ c: VersionConstraint) throws -> [String] {
        try DependencyVersionSource(.R).versions(for: DependencyConstraint(dependency: .R, constraint: c), from: mirror)
    }

    // MARK: extraction and ordering

    @Test func pythonIsCPythonForLinuxWithoutPreReleasesOnceEachNewestFirst() throws {
        // Other OSes (3.13.8 darwin, 3.13.9 windows), pypy 3.15.0, graalpy and 3.14.0 pre-releases are left out;
        // 3.13.7's four linux builds count once; 3.10 sorts above 3.9.
        #expect(try Self.available(.python) == ["3.13.7", "3.13.6", "3.12.11", "3.12.10", "3.11.13", "3.10.18", "3.9.23"])
    }

    @Test func rDropsDevelAndNext() throws {
        #expect(try Self.available(.R) == ["4.5.1", "4.5.0", "4.4.3", "4.4.2", "4.4.1", "4.4.0", "4.3.3", "4.3.2", "4.3.1", "4.3.0",
                                            "4.2.3", "4.1.3", "4.0.5", "3.6.3", "3.0.3", "3.0.0"])
    }

    @Test func quartoJoinsTheCurrentReleaseAndTheOlderListKeepingSpellings() throws {
        #expect(try Self.available(.quarto) == ["1.8.25", "v1.7.34", "v1.7.32", "v1.6.43", "v1.6.39", "v1.5.57", "v1.4.557"])
    }

    @Test func quartoWithPreReleasesAddsThePreReleaseDocument() throws {
        #expect(try Self.available(.quarto, prerelease: true).prefix(2) == ["1.9.12", "1.8.25"])
        #expect(DependencyVersionSource(.quarto).documentURLs(prerelease: true).map(\.host) == ["quarto.org", "quarto.org", "raw.githubusercontent.com"])
    }

    @Test func positronOrdersPostReleasesNumericallyDeduplicatesAndKeepsTheVPrefix() throws {
        // 2025.10.1-4 is listed twice; 2025.08.0-130 is a later post-release than 2025.08.0-9.
        #expect(try Self.available(.positron) == ["2025.10.1-4", "v2025.10.0-199", "2025.09.0-139", "2025.08.2-11",
                                                  "2025.08.0-130", "2025.08.0-9", "2025.07.0-204"])
    }

    @Test func positronWithPreReleasesAddsTheNewestDaily() throws {
        #expect(try Self.available(.positron, prerelease: true).first == "2025.11.0-37")
        #expect(try Self.available(.positron, prerelease: true).count == 8)
    }

    @Test func theDocumentURLsAreThePublishers() {
        #expect(DependencyVersionSource(.python).documentURLs(prerelease: false).map(\.absoluteString) ==
                ["https://raw.githubusercontent.com/astral-sh/uv/refs/heads/main/crates/uv-python-managed/download-metadata.json"])
        #expect(DependencyVersionSource(.R).documentURLs(prerelease: true).map(\.absoluteString) == ["https://cdn.posit.co/r/versions.json"])
        #expect(DependencyVersionSource(.positron).documentURLs(prerelease: true).map(\.absoluteString) ==
                ["https://cdn.posit.co/positron/releases/pwb/x86_64/all-releases.json",
                 "https://cdn.posit.co/positron/dailies/pwb/x86_64/releases.json"])
        #expect(DependencyVersionSource(.quarto).documentURLs(prerelease: false).map(\.absoluteString) ==
                ["https://quarto.org/docs/download/_download.json",
                 "https://raw.githubusercontent.com/quarto-dev/quarto-web/refs/heads/main/docs/download/_download-older.yml"])
    }

    @Test func withoutPreReleasesTheirDocumentsAreNotRead() throws {
        // Only the release documents are held: asking for them alone must not need the pre-release ones.
        var docs: [String: Data] = [:]
        for url in DependencyVersionSource(.positron).documentURLs(prerelease: false) + DependencyVersionSource(.quarto).documentURLs(prerelease: false) {
            docs[url.absoluteString] = try Self.mirror.document(url)
        }
        let source = InMemoryDocumentSource(docs)
        #expect(try DependencyVersionSource(.positron).availableVersions(prerelease: false, from: source).count == 7)
        #expect(try DependencyVersionSource(.quarto).availableVersions(prerelease: false, from: source).count == 7)
        #expect(throws: BakeryError.self) { try DependencyVersionSource(.quarto).availableVersions(prerelease: true, from: source) }
    }

    @Test func pythonPreReleaseFieldsFollowPythonTruthiness() throws {
        func entry(_ patch: Int, _ pre: String) -> String {
            #"{"name": "cpython", "os": "linux", "major": 3, "minor": 13, "patch": \#(patch), "prerelease": \#(pre)}"#
        }
        let json = "{" + [("a", entry(1, "null")), ("b", entry(2, "\"\"")), ("c", entry(3, "false")), ("d", entry(4, "\"a1\"")), ("e", entry(5, "true"))]
            .map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + #", "f": {"name": "cpython", "os": "linux", "major": 3, "minor": 13, "patch": 6}}"#
        let source = InMemoryDocumentSource([DependencyVersionSource.pythonURL.absoluteString: Data(json.utf8)])
        #expect(try DependencyVersionSource(.python).availableVersions(prerelease: false, from: source) == ["3.13.6", "3.13.3", "3.13.2", "3.13.1"])
    }

    // MARK: constraints (the reference's examples on the R list)

    @Test func latestIsTheNewestVersion() throws {
        #expect(try Self.r(VersionConstraint(latest: true)) == ["4.5.1"])
    }

    @Test func latestWithCountIsTheNewestPatchOfEachMinorLine() throws {
        #expect(try Self.r(VersionConstraint(latest: true, count: 2)) == ["4.5.1", "4.4.3"])
    }

    @Test func maxWithoutPatchKeepsItsWholeMinorLine() throws {
        #expect(try Self.r(VersionConstraint(count: 1, max: "4.4")) == ["4.4.3"])
    }

    @Test func maxWithPatchIsAnUpperBound() throws {
        #expect(try Self.r(VersionConstraint(count: 2, max: "4.4.1")) == ["4.4.1", "4.3.3"])
    }

    @Test func maxWithOnlyAMajorKeepsItsWholeMajorLine() throws {
        #expect(try Self.r(VersionConstraint(count: 3, max: "4")) == ["4.5.1", "4.4.3", "4.3.3"])
    }

    @Test func minWithLatestKeepsEveryMinorLineFromTheBoundUp() throws {
        #expect(try Self.r(VersionConstraint(latest: true, min: "4.3")) == ["4.5.1", "4.4.3", "4.3.3"])
    }

    @Test func maxAloneKeepsEveryMinorLineUpToIt() throws {
        #expect(try Self.r(VersionConstraint(max: "4.4")) == ["4.4.3", "4.3.3", "4.2.3", "4.1.3", "4.0.5", "3.6.3", "3.0.3"])
    }

    @Test func maxAndMinTogetherMakeARange() throws {
        #expect(try Self.r(VersionConstraint(max: "4.4.2", min: "4.1")) == ["4.4.2", "4.3.3", "4.2.3", "4.1.3"])
    }

    @Test func latestFalseStillTakesTheNewestCount() throws {
        #expect(try Self.r(VersionConstraint(latest: false, count: 2)) == ["4.5.1", "4.4.3"])
    }

    @Test func aConstraintAboveEveryVersionSelectsNothing() throws {
        #expect(try Self.r(VersionConstraint(latest: true, min: "5.0")) == [])
    }

    @Test func prereleaseConstraintsSeeThePreReleases() throws {
        let c = DependencyConstraint(dependency: .quarto, constraint: VersionConstraint(latest: true), prerelease: true)
        #expect(try DependencyVersionSource(.quarto).versions(for: c, from: Self.mirror) == ["1.9.12"])
        let stable = DependencyConstraint(dependency: .quarto, constraint: VersionConstraint(latest: true, count: 3))
        #expect(try DependencyVersionSource(.quarto).versions(for: stable, from: Self.mirror) == ["1.8.25", "v1.7.34", "v1.6.43"])
    }

    @Test func positronLinesAreYearAndMonth() throws {
        let c = DependencyConstraint(dependency: .positron, constraint: VersionConstraint(count: 2, max: "2025.09"))
        #expect(try DependencyVersionSource(.positron).versions(for: c, from: Self.mirror) == ["2025.09.0-139", "2025.08.2-11"])
    }

    @Test func selectOrdersItsInputItself() throws {
        #expect(try VersionConstraint(latest: true, count: 2).select(from: ["4.4.1", "v4.5.0", "4.4.3"]) == ["v4.5.0", "4.4.3"])
    }

    @Test func anUnparseableBoundIsAnError() {
        #expect { try VersionConstraint(max: "four").select(from: ["4.4.1"]) } throws: { ($0 as? BakeryError)?.code == .versionResolution }
    }

    @Test func constraintsParseFromJSONWithBakeryYAMLRules() throws {
        #expect(try VersionConstraint.parse(#"{"latest": true}"#, option: "--constraint") == VersionConstraint(latest: true, count: 1))
        #expect(try VersionConstraint.parse(#"{"max": 4.4, "count": 1}"#, option: "--constraint") == VersionConstraint(count: 1, max: "4.4"))
        for bad in [#"{"count": 2}"#, #"{"latest": true, "max": "4"}"#, #"{"latest": true, "colour": 1}"#, #"{"min": "4.5", "max": "4.4"}"#, "[1]", "{"] {
            #expect(throws: BakeryError.self, "\(bad)") { try VersionConstraint.parse(bad, option: "--constraint") }
        }
    }

    // MARK: wrong shapes

    static func wrong(_ d: DependencyName, _ url: URL, _ body: String, prerelease: Bool = false, mentions field: String) {
        var docs: [String: Data] = [:]
        for u in DependencyVersionSource(d).documentURLs(prerelease: prerelease) { docs[u.absoluteString] = try? mirror.document(u) }
        docs[url.absoluteString] = Data(body.utf8)
        let source = InMemoryDocumentSource(docs)
        #expect {
            try DependencyVersionSource(d).availableVersions(prerelease: prerelease, from: source)
        } throws: { error in
            guard let e = error as? BakeryError else { return false }
            return e.code == .versionResolution && e.message.contains(url.absoluteString) && e.message.contains(field)
        }
    }

    @Test func documentsOfTheWrongShapeNameTheURLAndField() {
        Self.wrong(.python, DependencyVersionSource.pythonURL, "[]", mentions: "the document")
        Self.wrong(.python, DependencyVersionSource.pythonURL, #"{"x": {"name": "cpython", "os": "linux", "major": 3, "minor": "13", "patch": 1}}"#, mentions: "\"x\".minor")
        Self.wrong(.python, DependencyVersionSource.pythonURL, #"{"x": 3}"#, mentions: "\"x\"")
        Self.wrong(.R, DependencyVersionSource.rURL, #"{"versions": []}"#, mentions: "r_versions")
        Self.wrong(.R, DependencyVersionSource.rURL, #"{"r_versions": ["4.5.1", 4]}"#, mentions: "r_versions[1]")
        Self.wrong(.R, DependencyVersionSource.rURL, #"{"r_versions": ["4.5.1", "release"]}"#, mentions: "'release'")
        Self.wrong(.R, DependencyVersionSource.rURL, "not json", mentions: "not JSON")
        Self.wrong(.quarto, DependencyVersionSource.quartoURL, #"{"version": 1.8}"#, mentions: "version")
        Self.wrong(.quarto, DependencyVersionSource.quartoPrereleaseURL, #"{}"#, prerelease: true, mentions: "version")
        Self.wrong(.quarto, DependencyVersionSource.quartoOlderURL, "title: v1.7.34\n", mentions: "the document")
        Self.wrong(.quarto, DependencyVersionSource.quartoOlderURL, "- title: v1.7.34\n- date: 2025-01-01\n", mentions: "item 2 title")
        Self.wrong(.quarto, DependencyVersionSource.quartoOlderURL, "- [unclosed\n", mentions: "is not YAML")
        Self.wrong(.positron, DependencyVersionSource.positronURL, #"{"releases": {}}"#, mentions: "releases")
        Self.wrong(.positron, DependencyVersionSource.positronURL, #"{"releases": [{"version": "2025.10.1-4"}, {"url": "x"}]}"#, mentions: "releases[1].version")
        Self.wrong(.positron, DependencyVersionSource.positronDailyURL, #"{"versions": "2025.11.0-37"}"#, prerelease: true, mentions: "version")
    }

    @Test func aMissingDocumentNamesTheFileLookedFor() {
        let empty = FolderDocumentSource(root: FileManager.default.temporaryDirectory.appendingPathComponent("bakery-no-mirror-\(UUID().uuidString)"))
        #expect {
            try DependencyVersionSource(.R).availableVersions(prerelease: false, from: empty)
        } throws: { error in
            let e = error as? BakeryError
            return e?.code == .versionResolution && e?.message.contains("cdn.posit.co/r/versions.json") == true
        }
    }

    // MARK: the folder source

    @Test func theFolderSourceMapsHostAndPathAndRefusesEscapes() throws {
        let url = URL(string: "https://cdn.posit.co/r/versions.json")!
        #expect(try Self.mirror.file(for: url).path == Self.folder.standardizedFileURL.path + "/cdn.posit.co/r/versions.json")
        #expect(try Self.mirror.exists(url))
        #expect(try !Self.mirror.exists(URL(string: "https://cdn.posit.co/r/missing.json")!))
        #expect(try !Self.mirror.exists(URL(string: "https://cdn.posit.co/r")!))   // a folder is not a document
        for bad in ["https://cdn.posit.co/r/../../../etc/passwd", "https://cdn.posit.co/r/versions.json?x=1", "file:///etc/passwd", "https://cdn.posit.co/"] {
            #expect(throws: BakeryError.self, "\(bad)") { try Self.mirror.document(URL(string: bad)!) }
        }
    }

    // MARK: the resolver

    static let resolver = SourcedVersionResolver(source: mirror)

    @Test func theMatrixExampleExpandsFromTheSources() throws {
        let config = try Fixtures.load("06-matrix-images").config
        var filter = TargetFilter()
        filter.matrixVersions = .include
        let targets = try TargetSelector(filter: filter, resolver: Self.resolver).select([TargetProject(config: config, context: ".")])
        #expect(targets.map(\.version.name) == [
            "R4.5.1-python3.13.7-quarto1.8.25", "R4.5.1-python3.12.11-quarto1.8.25",
            "R4.4.3-python3.13.7-quarto1.8.25", "R4.4.3-python3.12.11-quarto1.8.25",
        ])
        #expect(targets.filter(\.version.latest).map(\.version.name) == ["R4.5.1-python3.13.7-quarto1.8.25"])
        #expect(targets[1].version.dependencies.map { "\($0.dependency.rawValue)=\($0.versions.joined())" } == ["R=4.5.1", "python=3.12.11", "quarto=1.8.25"])
        #expect(targets.allSatisfy { $0.os?.name == "Ubuntu 24.04" && $0.version.subpath == "matrix" })
    }

    @Test func theResolverReadsEachListOnce() throws {
        final class Counting: DocumentSource, @unchecked Sendable {
            let inner: any DocumentSource
            let lock = NSLock()
            var reads: [String] = []
            init(_ inner: any DocumentSource) { self.inner = inner }
            func document(_ url: URL) throws(BakeryError) -> Data {
                lock.withLock { reads.append(url.absoluteString) }
                return try inner.document(url)
            }
            func exists(_ url: URL) throws(BakeryError) -> Bool { try inner.exists(url) }
        }
        let counting = Counting(Self.mirror)
        let resolver = SourcedVersionResolver(source: counting)
        let config = try Fixtures.load("06-matrix-images").config
        let image = try #require(config.images.first)
        for _ in 0..<3 {
            _ = try resolver.versions(for: DependencyConstraint(dependency: .R, constraint: VersionConstraint(latest: true)), image: image)
        }
        _ = try resolver.versions(for: DependencyConstraint(dependency: .quarto, constraint: VersionConstraint(latest: true), prerelease: true), image: image)
        _ = try resolver.versions(for: DependencyConstraint(dependency: .quarto, constraint: VersionConstraint(latest: true)), image: image)
        #expect(counting.reads.filter { $0.hasSuffix("r/versions.json") }.count == 1)
        #expect(counting.reads.filter { $0.hasSuffix("_download.json") }.count == 2)   // with and without pre-releases
    }

    @Test func aConstraintSelectingNothingIsAClearError() throws {
        let image = try #require(try Fixtures.load("06-matrix-images").config.images.first)
        #expect {
            try Self.resolver.versions(for: DependencyConstraint(dependency: .R, constraint: VersionConstraint(latest: true, min: "9")), image: image)
        } throws: { error in
            let e = error as? BakeryError
            return e?.code == .versionResolution && e?.message.contains("selects none of the 16 available versions") == true
        }
    }

    @Test func createVersionWritesTheResolvedVersionsAsDependencies() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-deps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("app/template"), withIntermediateDirectories: true)
        try "FROM docker.io/library/ubuntu:24.04\n".write(to: root.appendingPathComponent("app/template/Containerfile.ubuntu2404.jinja2"), atomically: true, encoding: .utf8)
        try (Fixtures.header + """
          - name: app
            dependencyConstraints:
              - dependency: R
                constraint: {latest: true, count: 2}
              - dependency: positron
                constraint: {latest: true}
                prerelease: true
            versions:
              - name: "1.0.0"
                latest: true
                os:
                  - name: Ubuntu 24.04

        """).write(to: root.appendingPathComponent("bakery.yaml"), atomically: true, encoding: .utf8)
        var changes = try ProjectChanges(root: root, log: TargetLog())
        try changes.createVersion(ProjectChanges.NewVersion(image: "app", name: "2.0.0"), resolver: Self.resolver).commit()
        let config = try ConfigLoader.load(context: root).config
        let created = try #require(config.image(named: "app")?.versions.first { $0.name == "2.0.0" })
        #expect(created.dependencies.map(\.dependency) == [.R, .positron])
        #expect(created.dependencies.map(\.versions) == [["4.5.1", "4.4.3"], ["2025.11.0-37"]])
    }
}
