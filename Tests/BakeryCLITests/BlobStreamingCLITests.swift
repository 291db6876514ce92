// `bakery ci publish` moving an image with a 300 MB layer from a temporary registry to the destination (two real
// registries on 127.0.0.1): the layer streams through a private temporary folder, which is gone afterwards, also
// when the publish is interrupted (Ctrl-C) mid-copy, and the process's peak memory stays far below the layer's size.
import Bakery
import Foundation
import OCIRegistry
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized, .enabled(if: LoopbackRegistry.shouldRun))
struct BlobStreamingCLITests {
    static let uid = "hello-1-0-0-ubuntu-24-04"
    /// 300 MiB and a bit; Tests/Benchmarks/publish-memory.sh sets BAKERY_BENCH_LAYER_MIB to measure other sizes.
    static let layerSize = (Int(ProcessInfo.processInfo.environment["BAKERY_BENCH_LAYER_MIB"] ?? "") ?? 300) * 1024 * 1024 + 4_321

    /// The publish project of CIPublishCommandTests, with one amd64 image of `uid` whose layer is `layerSize`
    /// bytes, pushed by digest to `<temp>/hello/tmp` with the streaming upload, and `amd64.json` naming it.
    /// Returns the layer's descriptor; `tmp` is an empty folder for the child's TMPDIR.
    static func setUp() async throws -> (setup: CIPublishCommandTests.Setup, layer: Descriptor, tmp: URL) {
        let setup = try await CIPublishCommandTests.Setup()
        let tmp = setup.project.appendingPathComponent(".tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let repository = try ImageReference(parsing: "\(setup.temp.host)/hello/tmp")
        let file = tmp.appendingPathComponent("layer")
        try SeededRandom.writeFile(size: layerSize, seed: 300, to: file)
        let layer = try await setup.client.uploadBlob(from: file, mediaType: MediaType.ociLayerGzip, to: repository)
        try FileManager.default.removeItem(at: file)
        let config = try canonicalJSON(["architecture": "amd64", "os": "linux", "created": "2026-12-01T10:00:00Z"])
        let configDescriptor = try await setup.client.uploadBlob(config, mediaType: MediaType.ociConfig, to: repository)
        let manifest = try canonicalJSON(ImageManifest(config: configDescriptor, layers: [layer]))
        let digest = Digest.sha256(of: manifest)
        try await setup.client.putManifest(manifest, mediaType: MediaType.ociManifest, to: repository.with(digest: digest))
        let metadata = """
        {
          "\(uid)": {"containerimage.digest": "\(digest)", "containerimage.descriptor": {"mediaType": "\(MediaType.ociManifest)", \
        "digest": "\(digest)", "size": \(manifest.count), "platform": {"architecture": "amd64", "os": "linux"}}, \
        "image.name": "\(setup.temp.host)/hello/tmp"}
        }

        """
        try metadata.write(to: setup.project.appendingPathComponent("amd64.json"), atomically: true, encoding: .utf8)
        return (setup, layer, tmp)
    }

    static func environment(_ setup: CIPublishCommandTests.Setup, tmp: URL) -> [String: String] {
        ["BAKERY_REGISTRY_HOST": setup.destination.host, "BAKERY_REGISTRY_USERNAME": CIPublishCommandTests.account.username,
         "BAKERY_REGISTRY_PASSWORD": CIPublishCommandTests.account.password, "TMPDIR": tmp.path]
    }

    @Test func aLayerOf300MBIsPublishedAcrossRegistriesWithAPeakMemoryFarBelowIt() async throws {
        let (setup, layer, tmp) = try await Self.setUp()
        defer { setup.stop() }
        let child = try ChildProcess.start(BakeryBinary.path, ["ci", "publish", "amd64.json", "--temp-registry", setup.temp.host],
                                           in: setup.project, environment: Self.environment(setup, tmp: tmp))
        let result = try await ContainerLab.onPlainThread { child.finish(timeout: 600, measuringMemory: true) }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("✅ Published 1 target(s)"), "\(result.stderr)")
        // Every tag names an index whose image has the layer, and the destination holds all of it.
        let tags = try setup.tags(Self.uid)
        #expect(!tags.isEmpty)
        for tag in tags {
            let index = try ImageIndex.decode(try await setup.client.manifest(try ImageReference(parsing: tag)).data)
            #expect(index.manifests.count == 1, "\(tag)")
        }
        let destination = try ImageReference(parsing: try #require(tags.first))
        #expect(try await setup.client.blobSize(layer.digest, in: destination) == Int64(Self.layerSize))
        // The child's peak resident set (VmHWM). Holding the layer would need its 300 MiB on top of the run's own
        // baseline (runtime, Foundation, URLSession: about 100 MiB); fetched in ranges and uploaded in chunks it
        // peaks at about 110 MiB whatever the layer's size (Tests/Benchmarks/publish-memory.sh).
        let peak = try #require(result.peakResidentKiB, "no VmHWM was read")
        print("bakery ci publish with a \(Self.layerSize / (1 << 20)) MiB layer: peak RSS \(peak / 1024) MiB")
        #expect(peak < 250 * 1024, "peak RSS \(peak) KiB for a \(Self.layerSize)-byte layer")
        // The layer went through the private folder, which is gone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
        #expect(!(result.stdout + result.stderr).contains(CIPublishCommandTests.account.password))
    }

    @Test func anInterruptedPublishLeavesNoTemporaryFolder() async throws {
        let (setup, layer, tmp) = try await Self.setUp()
        defer { setup.stop() }
        let child = try ChildProcess.start(BakeryBinary.path, ["ci", "publish", "amd64.json", "--temp-registry", setup.temp.host],
                                           in: setup.project, environment: Self.environment(setup, tmp: tmp))
        // Wait until the layer is on its way through the private folder, then press Ctrl-C.
        var seen: [String] = []
        for _ in 0..<600 where seen.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            seen = ((try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []).filter { $0.hasPrefix("bakery-blob-") }
        }
        #expect(seen.count == 1, "a bakery-blob-* folder appeared in TMPDIR")
        kill(child.pid, SIGINT)
        let ending = child.finish(timeout: 60)
        #expect(ending.status != 0 && !ending.timedOut, "\(ending.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty, "the folder is removed on cancellation")
        let destination = try ImageReference(parsing: "\(setup.destination.host)/team/hello")
        #expect(try await setup.client.blobSize(layer.digest, in: destination) == nil, "the copy stopped before the layer landed")
    }
}
