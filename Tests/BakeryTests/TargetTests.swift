import Bakery
import BakeryYAML
import Foundation
import Testing

/// Version semantics, target identity, labels, git revision and change classification.
@Suite("Targets")
struct TargetTests {
    @Test func versionOrder() throws {
        func p(_ s: String) -> ParsedVersion { ParsedVersion(s)! }
        #expect(p("2026.03.1") > p("2026.03.1-rc.1"))
        #expect(p("1.10.0") > p("1.9.0"))
        #expect(p("2026.5") == p("2026.05.0"))
        #expect(p("1.0.0-alpha") < p("1.0.0-alpha.1"))
        #expect(p("1.0.0-alpha.1") < p("1.0.0-alpha.beta"))
        #expect(p("1.0.0-2") < p("1.0.0-10"))
        #expect(p("2026.04.0+526.pro2") == p("2026.04.0+1"))
        #expect(p("R4.4.3-python3.13.12") < p("R4.5.1-python3.12.1"))
        #expect(ParsedVersion("2026") == nil)
        #expect(ParsedVersion("latest") == nil)
        #expect(VersionOrder.compare("banana", "1.0", log: nil) < 0)
    }

    @Test func imageVersionMatching() {
        #expect(ParsedVersion.matches(filter: "2026.05", version: "2026.05.0-dev+15-gSHA"))
        #expect(ParsedVersion.matches(filter: "2026", version: "2026.03.1"))
        #expect(ParsedVersion.matches(filter: "2026.04", version: "2026.04.0+526.pro2"))
        #expect(ParsedVersion.matches(filter: "2026.5", version: "2026.05.1"))
        #expect(!ParsedVersion.matches(filter: "2026.03.1", version: "2026.03.10"))
        #expect(!ParsedVersion.matches(filter: "R4.4", version: "R4.4.3-python3.13.12"))
        #expect(ParsedVersion.matches(filter: "R4.4.3", version: "R4.4.3-python3.13.12"))
        #expect(!ParsedVersion.matches(filter: "1.0.0-rc.1", version: "1.0.0-rc.2"))
        #expect(ParsedVersion.matches(filter: "1.0.0-rc.1", version: "1.0.0-rc.1+b5"))
    }

    static func config(_ yaml: String) throws -> BakeryConfig {
        try ConfigLoader.load(bytes: Array(yaml.utf8), displayPath: "bakery.yaml", context: URL(fileURLWithPath: "/p"),
                              file: URL(fileURLWithPath: "/p/bakery.yaml")).config
    }

    static let yaml = """
    repository:
      url: github.com/example/p
    registries:
      - host: ghcr.io
        namespace: example
    images:
      - name: workbench
        variants:
          - name: Standard
            extension: std
            tagDisplayName: std
            primary: true
        versions:
          - name: 2026.04.0+526.pro2
            subpath: "2026.04"
            latest: true
            os:
              - name: Ubuntu 24.04
    """

    @Test func identityPathsAndTags() throws {
        let targets = try TargetSelector(filter: TargetFilter()).select([TargetProject(config: Self.config(Self.yaml), context: ".")])
        let t = try #require(targets.first)
        #expect(t.uid == "workbench-2026-04-0-526-pro2-standard-ubuntu-24-04")
        #expect(t.display == "ImageTarget(image='workbench', version='2026.04.0+526.pro2', variant='Standard', os='Ubuntu 24.04')")
        #expect(t.containerfile == "workbench/2026.04/Containerfile.ubuntu2404.std")
        #expect(t.cacheReference(registry: "ghcr.io/posit-dev", platforms: t.platforms) == "ghcr.io/posit-dev/workbench/cache:2026.04.0-ubuntu-24.04-std-amd64")
        let tags = try Tagger().tags(for: t)
        #expect(tags.contains("ghcr.io/example/workbench:2026.04.0-526.pro2-std"))
        #expect(tags.contains("ghcr.io/example/workbench:2026.04.0-ubuntu-24.04"))
        #expect(tags.contains("ghcr.io/example/workbench:latest"))
        #expect(tags == tags.sorted())
        #expect(Set(tags).count == tags.count)
    }

    @Test func createdLabelHonoursSourceDateEpoch() {
        #expect(Labels.createdTimestamp(environment: ["SOURCE_DATE_EPOCH": "1700000000"]) == "2023-11-14T22:13:20")
        let now = Labels.createdTimestamp(environment: [:])
        #expect(now.count >= 19 && now.dropFirst(10).first == "T")
    }

    @Test func gitRevisionFromFilesAndPackedRefs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("git-\(UUID().uuidString)")
        let git = dir.appendingPathComponent(".git")
        try FileManager.default.createDirectory(at: git.appendingPathComponent("refs/heads"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sha = String(repeating: "ab", count: 20)
        try "ref: refs/heads/main\n".write(to: git.appendingPathComponent("HEAD"), atomically: true, encoding: .utf8)
        try "# pack-refs with: peeled\n\(sha) refs/heads/main\n".write(to: git.appendingPathComponent("packed-refs"), atomically: true, encoding: .utf8)
        let sub = dir.appendingPathComponent("Connect")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        #expect(GitRevision.head(of: sub) == sha)
        let loose = String(repeating: "cd", count: 20)
        try "\(loose)\n".write(to: git.appendingPathComponent("refs/heads/main"), atomically: true, encoding: .utf8)
        #expect(GitRevision.head(of: sub) == loose)
        #expect(GitRevision.head(of: FileManager.default.temporaryDirectory.appendingPathComponent("no-repo-\(UUID().uuidString)")) == nil)
    }

    @Test func changedPathsSelectVersions() throws {
        let config = try Self.config(Self.yaml)
        let one = ChangeSelection.classify(["workbench/2026.04/Containerfile.ubuntu2404.std"], config: config, bakeryYAMLChange: nil)
        #expect(one.images?["workbench"]?.versions == ["2026.04.0+526.pro2"])
        #expect(ChangeSelection.classify(["README.md", ".github/CODEOWNERS"], config: config, bakeryYAMLChange: nil).images?.isEmpty == true)
        #expect(ChangeSelection.classify([".github/workflows/ci.yml"], config: config, bakeryYAMLChange: nil) == .full)
        #expect(ChangeSelection.classify(["bakery.yaml"], config: config, bakeryYAMLChange: nil) == .full)
        #expect(ChangeSelection.classify(["scripts/x.sh"], config: config, bakeryYAMLChange: nil) == .full)
        #expect(ChangeSelection.classify(["workbench/notes.txt"], config: config, bakeryYAMLChange: nil).images?["workbench"]?.allReleases == true)
        #expect(ChangeSelection.classify(["workbench/template/Containerfile.jinja2"], config: config, bakeryYAMLChange: nil).images?.isEmpty == true)
    }

    @Test func semanticBakeryYAMLDiff() {
        let old = Self.yaml
        // Only a new version: that version.
        let added = old + "\n      - name: 2026.05.0\n        os:\n          - name: Ubuntu 24.04\n"
        #expect(BakeryYAMLDiff.change(old: old, new: added).images?["workbench"]?.versions == ["2026.05.0"])
        // Losing latest only: nothing to rebuild.
        let lost = old.replacingOccurrences(of: "latest: true", with: "latest: false")
        #expect(BakeryYAMLDiff.change(old: old, new: lost).images?.isEmpty == true)
        // A change outside images: everything.
        let registry = old.replacingOccurrences(of: "namespace: example", with: "namespace: other")
        #expect(BakeryYAMLDiff.change(old: old, new: registry) == .full)
        // An image-level change: all releases of that image.
        let variant = old.replacingOccurrences(of: "extension: std", with: "extension: standard")
        #expect(BakeryYAMLDiff.change(old: old, new: variant).images?["workbench"]?.allReleases == true)
        #expect(BakeryYAMLDiff.change(old: old, new: "images: [") == .full)
    }
}
