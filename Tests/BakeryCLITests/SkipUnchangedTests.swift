// `bakery build --skip-unchanged` with buildah against the container lab: a second run builds nothing, and after
// one target's Containerfile changes exactly that target is rebuilt. Needs the lab (Tests/README.md); CI requires it.
import Bakery
import Foundation
import OCIRegistry
import Testing
import TestSupport

extension LabSuites {
@Suite(.serialized)
struct SkipUnchangedTests {
    static let label = "co.posit.bakery.input-digest"

    @Test(.enabled(if: ContainerLab.shouldRun))
    func aSecondRunBuildsNothingAndAChangedTargetIsRebuiltAlone() async throws {
        let lab = try await ContainerLab.shared()
        let dir = try EngineBuildTests.labCopy(of: "03-image-variants", lab: lab, namespace: "skip-unchanged-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let planned = try await EngineBuildTests.plan(dir, [], lab: lab)
        try #require(planned.count == 2, "Examples/03 has two targets (Standard and Minimal)")
        #expect(planned.values.allSatisfy { $0.labels[Self.label] == nil }, "the plan without --skip-unchanged carries no input digest")
        let arguments = ["build", "--context", dir.path, "--strategy", "build", "--engine", "buildah", "-j", "2", "--push", "--skip-unchanged"]
        let clock = ContinuousClock()
        func build() async throws -> (ChildProcess.Ending, Duration) {
            let start = clock.now
            let ending = try await EngineBuildTests.bakery(arguments, in: dir, lab: lab)
            return (ending, clock.now - start)
        }
        /// Per target: the digest its first tag's manifest has, and the input digest label on it.
        func published() async throws -> [String: (manifest: String, input: String?)] {
            var out: [String: (manifest: String, input: String?)] = [:]
            for (uid, target) in planned {
                let tag = target.tags[0]
                out[uid] = (try await lab.manifestDigest(reference: tag), try await lab.labels(reference: tag)[Self.label])
            }
            return out
        }
        defer { try? lab.removeLocalImages(planned.values.flatMap(\.tags)) }

        // 1: nothing published yet, so everything is built, labelled with its input digest.
        let (first, firstTime) = try await build()
        #expect(first.status == 0, "\(first.stderr.suffix(4000))")
        #expect(first.stderr.contains("INFO: 0 target(s) unchanged, 2 built"), "\(first.stderr.suffix(3000))")
        let afterFirst = try await published()
        for (uid, target) in planned {
            let input = afterFirst[uid]?.input
            #expect(input?.hasPrefix("sha256:") == true && input?.count == 71, "\(uid): no input digest label")
            // Every tag holds the same image.
            for tag in target.tags { #expect(try await lab.manifestDigest(reference: tag) == afterFirst[uid]?.manifest, "\(tag)") }
        }
        #expect(Set(afterFirst.values.compactMap(\.input)).count == 2, "the two variants have different inputs")

        // 2: nothing changed: no engine command runs, the registry keeps the same images.
        let (second, secondTime) = try await build()
        #expect(second.status == 0, "\(second.stderr.suffix(4000))")
        #expect(second.stderr.contains("INFO: 2 target(s) unchanged, 0 built"), "\(second.stderr.suffix(3000))")
        for (uid, _) in planned {
            let input = afterFirst[uid]?.input ?? "?"
            #expect(second.stderr.contains("unchanged (input \(input))"), "\(uid) was not reported unchanged")
        }
        #expect(!second.stderr.contains("STEP 1/") && !second.stderr.contains("Successfully built"), "a build ran: \(second.stderr.suffix(3000))")
        #expect(second.stderr.contains("✅ Build completed: 0 built, 2 unchanged, 0 failed"))
        let afterSecond = try await published()
        for (uid, _) in planned { #expect(afterSecond[uid]?.manifest == afterFirst[uid]?.manifest, "\(uid) was pushed again") }
        print("second run, last lines:\n" + second.stderr.split(separator: "\n").suffix(5).joined(separator: "\n"))

        // 2b: with --temp-registry the real tags are compared (where `ci publish` puts the images): nothing is
        // pushed to the temporary repository and no metadata entry is written, so publish has nothing to redo.
        let metadataFile = dir.appendingPathComponent("metadata.json")
        let temporary = try await EngineBuildTests.bakery(arguments + ["--temp-registry", lab.registry, "--metadata-file", metadataFile.path],
                                                          in: dir, lab: lab)
        #expect(temporary.status == 0, "\(temporary.stderr.suffix(4000))")
        #expect(temporary.stderr.contains("INFO: 2 target(s) unchanged, 0 built"), "\(temporary.stderr.suffix(3000))")
        let metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: metadataFile)) as? [String: Any]
        #expect(metadata?.isEmpty == true, "a skipped target wrote metadata: \(String(describing: metadata))")
        #expect(try await lab.tags(repository: "skip-unchanged-\(getpid())/example-image/tmp").isEmpty)
        #expect(try await lab.tags(repository: "example-image/tmp").isEmpty)

        // 3: the Minimal variant's Containerfile changes: it alone is rebuilt.
        let minimal = try #require(planned.keys.first { $0.contains("min") })
        let standard = try #require(planned.keys.first { $0 != minimal })
        let file = dir.appendingPathComponent("example-image/1.0.0/Containerfile.min")
        var text = try String(contentsOf: file, encoding: .utf8)
        text += "\nLABEL co.posit.test.changed=\"yes\"\n"
        try text.write(to: file, atomically: false, encoding: .utf8)
        let (third, thirdTime) = try await build()
        #expect(third.status == 0, "\(third.stderr.suffix(4000))")
        #expect(third.stderr.contains("INFO: 1 target(s) unchanged, 1 built"), "\(third.stderr.suffix(3000))")
        let afterThird = try await published()
        #expect(afterThird[standard]?.manifest == afterFirst[standard]?.manifest, "the unchanged Standard variant was rebuilt")
        #expect(afterThird[minimal]?.manifest != afterFirst[minimal]?.manifest, "the changed Minimal variant was not rebuilt")
        #expect(afterThird[minimal]?.input != afterFirst[minimal]?.input)
        #expect(try await lab.labels(reference: planned[minimal]!.tags[0])["co.posit.test.changed"] == "yes")
        // Without --skip-unchanged the plan is what it was: no input digest label.
        let plain = try await EngineBuildTests.plan(dir, [], lab: lab)
        #expect(plain.values.allSatisfy { $0.labels[Self.label] == nil })
        print("skip-unchanged timings: first run (2 built) \(firstTime), second run (0 built) \(secondTime), third run (1 built) \(thirdTime)")
    }

    @Test(.enabled(if: ContainerLab.shouldRun))
    func withoutPushTheLocalImageCounts() async throws {
        let lab = try await ContainerLab.shared()
        let dir = try EngineBuildTests.labCopy(of: "01-basic-image", lab: lab, namespace: "skip-local-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let planned = try await EngineBuildTests.plan(dir, [], lab: lab)
        defer { try? lab.removeLocalImages(planned.values.flatMap(\.tags)) }
        let arguments = ["build", "--context", dir.path, "--strategy", "build", "--engine", "buildah", "--skip-unchanged"]
        let first = try await EngineBuildTests.bakery(arguments, in: dir, lab: lab)
        #expect(first.status == 0, "\(first.stderr.suffix(4000))")
        #expect(first.stderr.contains("INFO: 0 target(s) unchanged, 1 built"), "\(first.stderr.suffix(3000))")
        // Never pushed: the registry has nothing, the local store has the image with the label.
        for target in planned.values { #expect(try await lab.tags(repository: EngineBuildTests.split(target.tags[0]).repository).isEmpty) }
        let second = try await EngineBuildTests.bakery(arguments, in: dir, lab: lab)
        #expect(second.status == 0, "\(second.stderr.suffix(4000))")
        #expect(second.stderr.contains("INFO: 1 target(s) unchanged, 0 built"), "\(second.stderr.suffix(3000))")
        // With --push the registry must hold it: the local image is not enough.
        let pushed = try await EngineBuildTests.bakery(arguments + ["--push"], in: dir, lab: lab)
        #expect(pushed.status == 0, "\(pushed.stderr.suffix(4000))")
        #expect(pushed.stderr.contains("INFO: 0 target(s) unchanged, 1 built"), "\(pushed.stderr.suffix(3000))")
        #expect(pushed.stderr.contains("is not in the registry"), "\(pushed.stderr.suffix(3000))")
    }
}
} // extension LabSuites

/// The bake strategy with the fake engine and a loopback registry: targets whose tags hold images labelled with
/// their input digest are left out of the bake plan file; a tag with another digest is built.
@Suite struct SkipUnchangedBakeTests {
    /// Pushes an image (no layers) whose config carries `labels`, for `platforms` (an index when several), to `tag`.
    static func push(_ tag: String, labels: [String: String], platforms: [String], client: RegistryClient) async throws {
        let reference = try ImageReference(parsing: tag)
        var children: [Descriptor] = []
        for text in platforms {
            let platform = try OCIRegistry.Platform(parsing: text)
            let config = try JSONSerialization.data(withJSONObject: ["architecture": platform.architecture, "os": platform.os,
                                                                     "config": ["Labels": labels],
                                                                     "rootfs": ["type": "layers", "diff_ids": [String]()]])
            let configDescriptor = try await client.uploadBlob(config, mediaType: MediaType.ociConfig, to: reference)
            let manifest = try canonicalJSON(ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: configDescriptor.digest,
                                                                              size: configDescriptor.size), layers: []))
            if platforms.count == 1 {
                try await client.putManifest(manifest, mediaType: MediaType.ociManifest, to: reference)
                return
            }
            let digest = try await client.putManifest(manifest, mediaType: MediaType.ociManifest, to: reference.with(tag: nil).with(digest: Digest.sha256(of: manifest)))
            children.append(Descriptor(mediaType: MediaType.ociManifest, digest: digest, size: Int64(manifest.count), platform: platform))
        }
        try await client.putManifest(try canonicalJSON(ImageIndex(manifests: children)), mediaType: MediaType.ociIndex, to: reference)
    }

    /// uid → (tags, input digest label, platforms) of the plan file the fake bake read.
    static func baked(_ box: BuildCommandTests.Sandbox) throws -> [String: (tags: [String], input: String?, platforms: [String])] {
        let data = try Data(contentsOf: box.root.appendingPathComponent("bake-plan.json"))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let targets = json?["target"] as? [String: [String: Any]] ?? [:]
        return targets.mapValues { t in
            ((t["tags"] as? [String]) ?? [], (t["labels"] as? [String: String])?["co.posit.bakery.input-digest"], (t["platforms"] as? [String]) ?? [])
        }
    }

    @Test(.enabled(if: LoopbackRegistry.shouldRun))
    func unchangedTargetsAreLeftOutOfTheBakePlan() async throws {
        let registry = try await LoopbackRegistry.start()
        defer { registry.stop() }
        let box = try BuildCommandTests.Sandbox()
        defer { box.remove() }
        let config = box.project.appendingPathComponent("bakery.yaml")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "host: ghcr.io", with: "host: \(registry.host)")
        try text.write(to: config, atomically: false, encoding: .utf8)

        let first = try box.build(["--skip-unchanged"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("INFO: 0 target(s) unchanged, 3 built"), "\(first.stderr)")
        let planned = try Self.baked(box)
        #expect(planned.count == 3)
        #expect(planned.values.allSatisfy { $0.input?.hasPrefix("sha256:") == true }, "every target carries its input digest")
        let alpha1 = try #require(planned[BuildCommandTests.alpha1]), alpha2 = try #require(planned[BuildCommandTests.alpha2])
        let beta = try #require(planned[BuildCommandTests.beta])
        #expect(alpha2.platforms.count == 2)

        // alpha 1.0.0 and the two-platform alpha 2.0.0 are published with their digests; beta with other inputs.
        let client = RegistryClient(credentials: CredentialStore(entries: [:]))
        for tag in alpha1.tags { try await Self.push(tag, labels: ["co.posit.bakery.input-digest": alpha1.input!], platforms: alpha1.platforms, client: client) }
        for tag in alpha2.tags { try await Self.push(tag, labels: ["co.posit.bakery.input-digest": alpha2.input!], platforms: alpha2.platforms, client: client) }
        let other = "sha256:" + String(repeating: "0", count: 64)
        for tag in beta.tags { try await Self.push(tag, labels: ["co.posit.bakery.input-digest": other], platforms: beta.platforms, client: client) }

        let second = try box.build(["--skip-unchanged"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("INFO: 2 target(s) unchanged, 1 built"), "\(second.stderr)")
        for uid in [BuildCommandTests.alpha1, BuildCommandTests.alpha2] {
            #expect(second.stderr.contains("INFO: Skipping '\(BuildCommandTests.displays[uid]!)': unchanged (input \(planned[uid]!.input!))"))
        }
        #expect(second.stderr.contains("was built from other inputs (\(other))"), "\(second.stderr)")
        #expect(second.stderr.contains("✅ Build completed: 1 built, 2 unchanged, 0 failed"))
        let bakedAgain = try Self.baked(box)
        #expect(Array(bakedAgain.keys) == [BuildCommandTests.beta], "only beta is baked")
        #expect(bakedAgain[BuildCommandTests.beta]?.input == beta.input, "the creation time is not an input")
        let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: box.root.appendingPathComponent("bake-plan.json"))) as? [String: Any]
        let groups = plan?["group"] as? [String: [String: Any]] ?? [:]
        #expect(groups.values.allSatisfy { ($0["targets"] as? [String] ?? []).allSatisfy { $0 == BuildCommandTests.beta } }, "\(groups)")

        // Everything unchanged: no bake at all.
        for tag in beta.tags { try await Self.push(tag, labels: ["co.posit.bakery.input-digest": beta.input!], platforms: beta.platforms, client: client) }
        let calls = box.engineCalls.count
        let third = try box.build(["--skip-unchanged"])
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stderr.contains("INFO: 3 target(s) unchanged, 0 built"), "\(third.stderr)")
        #expect(box.engineCalls.count == calls, "an engine command ran: \(box.engineCalls.dropFirst(calls))")
        // No bake ran, so bakery writes the metadata file itself: no entry, as for every unchanged target.
        let metadata = box.root.appendingPathComponent("metadata.json")
        let fourth = try box.build(["--skip-unchanged", "--image-name", "beta", "--metadata-file", metadata.path])
        #expect(fourth.status == 0, "\(fourth.stderr)")
        #expect(fourth.stderr.contains("INFO: 1 target(s) unchanged, 0 built"), "\(fourth.stderr)")
        #expect(try String(contentsOf: metadata, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "{}")
        #expect(box.engineCalls.count == calls)
        // alpha 2.0.0 built for one platform alone has other inputs than its two-platform build: it is built.
        let onePlatform = try box.build(["--skip-unchanged", "--image-platform", "linux/amd64"])
        #expect(onePlatform.status == 0, "\(onePlatform.stderr)")
        #expect(onePlatform.stderr.contains("INFO: 2 target(s) unchanged, 1 built"), "\(onePlatform.stderr)")
        #expect(Array(try Self.baked(box).keys) == [BuildCommandTests.alpha2])
        // Without the flag, the bake plan carries no input digest.
        let plain = try box.build(["--plan"])
        #expect(plain.status == 0 && !plain.stdout.contains("co.posit.bakery.input-digest"))
    }
}
