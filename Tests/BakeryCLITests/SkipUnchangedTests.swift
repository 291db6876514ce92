// `bakery build --skip-unchanged` with buildah against the container lab: a second run builds nothing, and after
// one target's Containerfile changes exactly that target is rebuilt. Needs the lab (Tests/README.md); CI requires it.
import Foundation
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
