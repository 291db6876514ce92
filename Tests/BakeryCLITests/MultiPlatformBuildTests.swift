// Per-architecture builds through qemu: the container lab serves its stand-in base as an amd64 + arm64 index,
// and `bakery build --image-platform linux/arm64 --temp-registry T --push --metadata-file F` builds Examples/01
// for arm64 (its RUN steps under qemu-user-static), pushes by digest to T and records that platform's digest;
// the same for linux/amd64. What `ci publish` merges. Needs the lab with arm64 (Tests/README.md); CI requires it.
import Foundation
import Testing
import TestSupport

extension LabSuites {
@Suite(.serialized)
struct MultiPlatformBuildTests {
    /// The test's own RUN step: it prints and writes to /bakery-arch what `uname -m` and dpkg said inside the
    /// build, so for arm64 it is only right when the step really ran as an arm64 process. `run` makes the
    /// step new to the layer cache (bakery builds with `--layers`), so it runs, and prints, on every test run.
    static func archStep(run: String) -> String {
        #"RUN echo "bakery-arch=$(uname -m)/$(dpkg --print-architecture)" | tee /bakery-arch && echo test-run-"# + run
    }

    /// What each platform's RUN step must print and write.
    static let expected: [String: String] = [
        "linux/arm64": "bakery-arch=aarch64/arm64",
        "linux/amd64": "bakery-arch=x86_64/amd64",
    ]

    @Test(.enabled(if: ContainerLab.shouldRunArm64))
    func theLabServesEveryBaseAsAnAmd64AndArm64Index() async throws {
        let lab = try await ContainerLab.shared()
        try #require(lab.supportsArm64, "the lab serves only \(lab.platforms): scripts/container-lab up could not run arm64 binaries (see its output)")
        #expect(lab.platforms == ["linux/amd64", "linux/arm64"])
        #expect(lab.environment["BAKERY_LAB_PLATFORMS"] == "linux/amd64,linux/arm64")
        #expect(lab.arm64RootfsDigest?.count == 64)
        #expect(lab.arm64RootfsDigest != lab.rootfsDigest)

        for reference in ["docker.io/library/ubuntu:24.04", "docker.io/library/ubuntu:22.04", "docker.io/library/debian:bookworm"] {
            let raw = try await lab.output("skopeo", ["inspect", "--raw", "docker://\(reference)"])
            let index = try #require(try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any], "\(reference): \(raw)")
            let mediaType = index["mediaType"] as? String
            #expect(mediaType == "application/vnd.docker.distribution.manifest.list.v2+json"
                    || mediaType == "application/vnd.oci.image.index.v1+json", "\(reference) is not an index: \(raw)")
            let entries = (index["manifests"] as? [[String: Any]]) ?? []
            let architectures = entries.compactMap { ($0["platform"] as? [String: Any])?["architecture"] as? String }
            #expect(architectures.sorted() == ["amd64", "arm64"], "\(reference): \(raw)")
            #expect(entries.allSatisfy { ($0["platform"] as? [String: Any])?["os"] as? String == "linux" })

            // Each platform resolves to its own stand-in: the label names the tarball it was imported from.
            for (arch, digest) in [("amd64", lab.rootfsDigest), ("arm64", lab.arm64RootfsDigest ?? "")] {
                let text = try await lab.output("skopeo", ["--override-arch", arch, "inspect", "--config", "docker://\(reference)"])
                let config = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                #expect(config["architecture"] as? String == arch, "\(reference) for \(arch)")
                #expect(config["os"] as? String == "linux")
                let labels = (config["config"] as? [String: Any])?["Labels"] as? [String: String]
                #expect(labels?[ContainerLab.rootfsDigestLabel] == digest, "\(reference) for \(arch)")
            }
        }
    }

    @Test(.enabled(if: ContainerLab.shouldRunArm64))
    func buildsExample01PerArchitectureAndPushesByDigest() async throws {
        let lab = try await ContainerLab.shared()
        try #require(lab.supportsArm64, "the lab serves only \(lab.platforms): scripts/container-lab up could not run arm64 binaries (see its output)")
        let id = String(UUID().uuidString.lowercased().prefix(8))
        let dir = try EngineBuildTests.labCopy(of: "01-basic-image", lab: lab, namespace: "multi-\(id)")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The test's copy only (Examples/ is never edited): one more RUN that says where it ran.
        let containerfile = dir.appendingPathComponent("example-image/1.0.0/Containerfile")
        let original = try String(contentsOf: containerfile, encoding: .utf8)
        #expect(original.contains("RUN apt-get update"), "Examples/01 no longer has its RUN step")
        try (original + "\n" + Self.archStep(run: id) + "\n").write(to: containerfile, atomically: false, encoding: .utf8)

        let temp = "\(lab.registry)/multi-\(id)"
        let tempRepository = "\(temp)/example-image/tmp"
        let uids = Set(try await EngineBuildTests.plan(dir, [], lab: lab).keys)
        #expect(uids == ["example-image-1-0-0"])

        // Building for arm64 points the local base name at the arm64 stand-in; afterwards it points where
        // it did before (the other lab suites build amd64 from it), or goes.
        let base = "docker.io/library/ubuntu:24.04"
        let previousBase = try await lab.localImageID(base)
        var pulled: [String] = []
        var failure: (any Error)?
        do {
            var digests: [String: String] = [:]
            var seconds: [String: Double] = [:]
            for platform in ["linux/arm64", "linux/amd64"] {
                let arch = String(platform.dropFirst("linux/".count))
                let metadataFile = dir.appendingPathComponent("\(arch).json")
                let began = Date()
                let run = try await EngineBuildTests.bakery(
                    ["build", "--context", dir.path, "--strategy", "build", "--engine", "buildah", "--image-platform", platform,
                     "--temp-registry", temp, "--push", "--metadata-file", metadataFile.path], in: dir, lab: lab)
                seconds[platform] = Date().timeIntervalSince(began)
                try #require(run.status == 0, "\(platform): \(run.stderr.suffix(4000))")
                let want: String = Self.expected[platform] ?? "?"
                // The RUN step's output, shown with the target's prefix: it ran as the platform's process.
                #expect(run.stderr.contains(want), "\(platform): \(run.stderr.suffix(3000))")

                let text = try String(contentsOf: metadataFile, encoding: .utf8)
                let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [String: Any]]
                let metadata = try #require(parsed, "\(text)")
                #expect(Set(metadata.keys) == uids)
                for uid in uids {
                    let entry = try #require(metadata[uid], "\(arch).json has no entry for \(uid): \(text)")
                    let digest = try #require(entry["containerimage.digest"] as? String, "\(uid): no containerimage.digest")
                    #expect(digest.hasPrefix("sha256:") && digest.count == 71)
                    let descriptor: [String: Any] = (entry["containerimage.descriptor"] as? [String: Any]) ?? [:]
                    let descriptorDigest: String? = descriptor["digest"] as? String
                    #expect(descriptorDigest == digest)
                    let platformObject: [String: String]? = descriptor["platform"] as? [String: String]
                    #expect(platformObject == ["architecture": arch, "os": "linux"], "\(uid): \(text)")
                    let imageName: String? = entry["image.name"] as? String
                    #expect(imageName == tempRepository)
                    if platform == "linux/arm64" { print("multi-platform build: \(arch).json:\n\(text)") }
                    digests[platform] = digest

                    // The registry holds an image manifest (not an index) under that digest, its config the platform's.
                    let reference = "\(tempRepository)@\(digest)"
                    let raw = try await lab.output("skopeo", ["inspect", "--raw", "docker://\(reference)"])
                    let manifest = try #require(try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any], "\(raw)")
                    #expect(manifest["manifests"] == nil && manifest["config"] != nil, "\(reference) is not an image manifest: \(raw)")
                    #expect(try await lab.manifestDigest(reference: reference) == digest)
                    let configDigest = (manifest["config"] as? [String: Any])?["digest"] as? String
                    #expect(entry["containerimage.config.digest"] as? String == configDigest)
                    let config = try await lab.imageConfig(reference: reference)
                    #expect(config["architecture"] as? String == arch, "\(reference)")
                    #expect(config["os"] as? String == "linux")
                    let history = try await lab.history(reference: reference)
                    #expect(history.contains { $0.contains("bakery-arch=") }, "\(history)")

                    // What the RUN step wrote, read back from the pushed image (run under qemu for arm64).
                    pulled.append(reference)
                    let cat = try await lab.run("podman", ["run", "--rm", "--pull=always", "--network=none", "--arch", arch, reference,
                                                           "cat", "/bakery-arch"])
                    #expect(cat.status == 0, "\(cat.stderr)")
                    #expect(cat.stdout == want + "\n", "\(reference)")
                }
            }
            #expect(digests.count == 2 && digests["linux/arm64"] != digests["linux/amd64"], "\(digests)")
            print(String(format: "multi-platform build: Examples/01 with buildah, linux/arm64 (under qemu) %.1f s, linux/amd64 %.1f s",
                         seconds["linux/arm64"] ?? 0, seconds["linux/amd64"] ?? 0))
            print("multi-platform build: pushed by digest to \(tempRepository): \(digests.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        } catch {
            failure = error
        }
        try? await lab.removeLocalImages([tempRepository] + pulled)
        if let previousBase {
            _ = try? await lab.run("podman", ["tag", previousBase, base])
        } else {
            try? await lab.removeLocalImages([base])
        }
        if let failure { throw failure }
    }
}
} // extension LabSuites
