@testable import Bakery
import Foundation
import OCIRegistry
import Testing

/// What `ci publish` derives before it talks to a registry: the push order, the merge sources from several
/// metadata files, the temporary tag and the destination groups.
@Suite("publish: push order, merge sources, temporary tag, destination groups")
struct PublishTargetTests {
    static let yaml = """
    repository:
      url: github.com/example/p
    registries:
      - host: ghcr.io
        namespace: acme
      - host: docker.io
        namespace: acme
    images:
      - name: app
        variants:
          - name: Standard
            extension: std
            primary: true
          - name: Minimal
            extension: min
        versions:
          - name: 2.0.0
            latest: true
            os:
              - name: Ubuntu 24.04
                primary: true
              - name: Ubuntu 22.04
          - name: 1.10.0
            os:
              - name: Ubuntu 24.04
                primary: true
          - name: 1.9.0
            os:
              - name: Ubuntu 24.04
                primary: true
      - name: aa
        versions:
          - name: 1.0.0
    """

    static func plan(_ targets: [ImageTarget]) throws -> BakePlan {
        let facts = ProjectFacts(repository: try HadolintTests.config(yaml).repository, revision: "abc")
        return try BakePlan.make(targets, facts: [".": facts], options: PlanOptions(), tagger: Tagger(), created: "2026-12-05T00:00:00Z")
    }

    static func metadata(_ uids: [String], platform: String, created: String = "2026-12-05T10:00:00Z", digestByte: String = "a") -> BuildMetadataFile {
        let entries = Dictionary(uniqueKeysWithValues: uids.map { uid in
            (uid, BuildMetadataFile.Entry(names: ["r.example/\(uid)/tmp:latest"], digest: "sha256:" + String(repeating: digestByte, count: 64),
                                          platform: platform, created: BuildMetadataFile.parseDate(created)))
        })
        return BuildMetadataFile(path: "\(platform.replacingOccurrences(of: "/", with: "-")).json", entries: entries)
    }

    @Test func latestAndPrimaryTargetsArePushedLastPerImage() throws {
        let targets = try HadolintTests.targets(Self.yaml)
        let plan = try Self.plan(targets)
        let published = PublishTarget.make(targets, plan: plan, metadata: [Self.metadata(targets.map(\.uid), platform: "linux/amd64")]).sortedForPush()
        #expect(published.map(\.uid) == [
            "aa-1-0-0",
            // Not latest, in version order (1.9.0 before 1.10.0, not string order); fewer primary flags first.
            "app-1-9-0-minimal-ubuntu-24-04", "app-1-9-0-standard-ubuntu-24-04",
            "app-1-10-0-minimal-ubuntu-24-04", "app-1-10-0-standard-ubuntu-24-04",
            // The latest version last; its primary OS and primary variant target is the very last.
            "app-2-0-0-minimal-ubuntu-22-04", "app-2-0-0-minimal-ubuntu-24-04", "app-2-0-0-standard-ubuntu-22-04",
            "app-2-0-0-standard-ubuntu-24-04",
        ])
    }

    @Test func onlyTargetsTheMetadataNamesArePublished() throws {
        let targets = try HadolintTests.targets(Self.yaml)
        let published = PublishTarget.make(targets, plan: try Self.plan(targets), metadata: [Self.metadata(["aa-1-0-0", "not-a-target"], platform: "linux/amd64")])
        #expect(published.map(\.uid) == ["aa-1-0-0"])
        #expect(published[0].sources == [.init(platform: "linux/amd64", reference: "r.example/aa-1-0-0/tmp@sha256:" + String(repeating: "a", count: 64),
                                               file: "linux-amd64.json")])
    }

    @Test func theNewestEntryPerPlatformIsMergedAndPlatformsAreSorted() throws {
        let targets = try HadolintTests.targets(Self.yaml).filter { $0.uid == "aa-1-0-0" }
        let files = [Self.metadata(["aa-1-0-0"], platform: "linux/arm64", created: "2026-12-05T10:00:00Z", digestByte: "1"),
                     Self.metadata(["aa-1-0-0"], platform: "linux/amd64", created: "2026-12-05T09:00:00Z", digestByte: "2"),
                     Self.metadata(["aa-1-0-0"], platform: "linux/arm64", created: "2026-12-05T11:00:00Z", digestByte: "3"),
                     Self.metadata(["aa-1-0-0"], platform: "linux/arm64", created: "2026-12-04T11:00:00Z", digestByte: "4")]
        let target = try #require(PublishTarget.make(targets, plan: try Self.plan(targets), metadata: files).first)
        #expect(target.sources.map(\.platform) == ["linux/amd64", "linux/arm64"])
        #expect(target.sources.map { $0.reference.suffix(1) } == ["2", "3"])
    }

    @Test func theTemporaryTagIsTheUIDAndAHashOfTheSourcesAndStaysAValidTag() throws {
        let targets = try HadolintTests.targets(Self.yaml)
        let plan = try Self.plan(targets)
        let one = try #require(PublishTarget.make(targets, plan: plan, metadata: [Self.metadata(["aa-1-0-0"], platform: "linux/amd64")]).first)
        let other = try #require(PublishTarget.make(targets, plan: plan, metadata: [Self.metadata(["aa-1-0-0"], platform: "linux/amd64", digestByte: "b")]).first)
        let tag = one.temporaryTag(registry: "127.0.0.1:5000/ci")
        #expect(tag.hasPrefix("127.0.0.1:5000/ci/aa/tmp:aa-1-0-0"))
        #expect(tag.count == "127.0.0.1:5000/ci/aa/tmp:aa-1-0-0".count + 10)
        #expect(tag != other.temporaryTag(registry: "127.0.0.1:5000/ci"), "other sources, another index")
        var long = one
        long.uid = String(repeating: "u", count: 300)
        let longTag = long.temporaryTag(registry: "r.example")
        let parsed = try ImageReference(parsing: longTag)
        #expect(parsed.tag?.count == 128)
        #expect(parsed.tag?.hasSuffix(String(tag.suffix(10))) == true)
    }

    @Test func tagsAreGroupedByDestinationRepository() throws {
        let targets = try HadolintTests.targets(Self.yaml)
        let plan = try Self.plan(targets)
        let target = try #require(PublishTarget.make(targets, plan: plan, metadata: [Self.metadata(["app-2-0-0-standard-ubuntu-24-04"], platform: "linux/amd64")]).first)
        let groups = target.destinationGroups
        #expect(groups.map(\.repository) == ["docker.io/acme/app", "ghcr.io/acme/app"])
        #expect(groups.allSatisfy { $0.tags.contains("latest") && $0.tags.contains("2.0.0") })
        #expect(groups.flatMap { g in g.tags.map { "\(g.repository):\($0)" } } == target.tags)
        #expect(EngineCommands.repository(of: "127.0.0.1:5000/team/app:1.0") == "127.0.0.1:5000/team/app")
        #expect(EngineCommands.repository(of: "127.0.0.1:5000/team/app") == "127.0.0.1:5000/team/app")
    }
}
