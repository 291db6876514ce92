// The whole multi-platform flow, for real, on loopback: Examples/03 (two variants) built with buildah for linux/amd64
// and for linux/arm64 (its RUN steps under qemu-user-static, from the lab's debootstrap arm64 stand-in), pushed by
// digest to the lab registry as the temporary registry, published with `bakery ci publish` to a second
// docker-registry that demands htpasswd basic auth, checked per architecture with `skopeo --override-arch`,
// rebuilt with `--skip-unchanged` (nothing, then one target after a template change), and the temporary
// repository cleaned with `bakery clean temp-registry`. Prints the figures the closing note quotes.
import Foundation
import OCIRegistry
import Testing
import TestSupport

extension LabSuites {
@Suite(.serialized)
struct MultiPlatformPublishTests {
    static let account = LoopbackRegistry.Account(username: "ci-publisher", password: "canary-e2e-Kx94-never-print")
    static let platforms = ["linux/amd64", "linux/arm64"]
    static let archStep = #"RUN echo "bakery-arch=$(uname -m)/$(dpkg --print-architecture)" | tee /bakery-arch"#

    /// `skopeo <command> --tls-verify=false --creds … <arguments>` against the destination, the platform chosen by
    /// `--override-arch` when `arch` is given.
    static func skopeo(_ command: String, _ arguments: [String], arch: String? = nil) async throws -> ChildProcess.Ending {
        var argv = ["--override-os", "linux"]
        if let arch { argv += ["--override-arch", arch] }
        argv += [command, "--tls-verify=false", "--creds", "\(account.username):\(account.password)"] + arguments
        let finalArguments = argv
        return try await ContainerLab.onPlainThread {
            try ChildProcess.start("skopeo", finalArguments, in: URL(fileURLWithPath: "/")).finish(timeout: 120)
        }
    }

    @Test(.enabled(if: ContainerLab.shouldRunArm64))
    func buildsBothArchitecturesPublishesVerifiesSkipsUnchangedAndCleans() async throws {
        let lab = try await ContainerLab.shared()
        try #require(lab.supportsArm64, "the lab serves only \(lab.platforms): scripts/container-lab up could not run arm64 binaries")
        let destination = try await LoopbackRegistry.start(account: Self.account)
        defer { destination.stop() }
        let id = String(UUID().uuidString.lowercased().prefix(8))
        let dir = try EngineBuildTests.labCopy(of: "03-image-variants", lab: lab, namespace: "e2e-\(id)")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The destination is the registry with auth; the lab registry (no auth) is the temporary one.
        let config = dir.appendingPathComponent("bakery.yaml")
        try (try String(contentsOf: config, encoding: .utf8)).replacingOccurrences(of: "host: \"\(lab.registry)\"", with: "host: \"\(destination.host)\"")
            .write(to: config, atomically: false, encoding: .utf8)
        // The template gets a RUN step that says where it ran (the test's copy only), then is rendered again.
        let template = dir.appendingPathComponent("example-image/template/Containerfile.jinja2")
        try ((try String(contentsOf: template, encoding: .utf8)) + "\n" + Self.archStep + "\n").write(to: template, atomically: false, encoding: .utf8)
        let render = try await EngineBuildTests.bakery(["update", "files", "--all", "--context", dir.path], in: dir, lab: lab)
        try #require(render.status == 0, "\(render.stderr)")

        let temp = "\(lab.registry)/e2e-\(id)"
        let auth = ["BAKERY_REGISTRY_HOST": destination.host, "BAKERY_REGISTRY_USERNAME": Self.account.username,
                    "BAKERY_REGISTRY_PASSWORD": Self.account.password]
        let planned = try await EngineBuildTests.plan(dir, [], lab: lab)
        #expect(planned.count == 2, "Examples/03 has a Standard and a Minimal target")
        var outputs = render.stdout + render.stderr

        /// Builds every target for one platform, --skip-unchanged, pushed by digest; the metadata file's entries.
        func build(_ platform: String) async throws -> (run: ChildProcess.Ending, entries: [String: [String: Any]], seconds: Double) {
            let arch = String(platform.dropFirst("linux/".count))
            let file = dir.appendingPathComponent("\(arch).json")
            let began = Date()
            let run = try await EngineBuildTests.bakery(
                ["build", "--context", dir.path, "--strategy", "build", "--engine", "buildah", "--image-platform", platform,
                 "--temp-registry", temp, "--push", "--pull", "--no-load", "--metadata-file", file.path, "--skip-unchanged", "-j", "1"],
                in: dir, lab: lab, extra: auth)
            let seconds = Date().timeIntervalSince(began)
            outputs += run.stdout + run.stderr
            try #require(run.status == 0, "\(platform): \(run.stderr.suffix(4000))")
            let text = try String(contentsOf: file, encoding: .utf8)
            outputs += text
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [String: Any]], "\(text)")
            return (run, entries, seconds)
        }

        let cleanupImages = ["\(temp)/example-image/tmp"]
        let base = "docker.io/library/ubuntu:24.04"
        let previousBase = try await lab.localImageID(base)
        var failure: (any Error)?
        do {
            // 1. Per-architecture builds. `--pull`: each build takes the base for its platform from the lab registry
            //    (an arm64 build leaves the local base name pointing at the arm64 stand-in).
            var digests: [String: [String: String]] = [:]   // uid → arch → digest
            var configs: [String: [String: String]] = [:]   // uid → arch → config digest
            var buildSeconds: [String: Double] = [:]
            for platform in Self.platforms {
                let arch = String(platform.dropFirst("linux/".count))
                let (run, entries, seconds) = try await build(platform)
                buildSeconds[platform] = seconds
                #expect(Set(entries.keys) == Set(planned.keys), "\(platform): \(entries.keys)")
                let machine = arch == "arm64" ? "aarch64/arm64" : "x86_64/amd64"
                #expect(run.stderr.contains("bakery-arch=\(machine)"), "the RUN step ran as \(arch): \(run.stderr.suffix(2000))")
                for (uid, entry) in entries {
                    let platformObject = (entry["containerimage.descriptor"] as? [String: Any])?["platform"] as? [String: String]
                    #expect(platformObject?["architecture"] == arch)
                    digests[uid, default: [:]][arch] = entry["containerimage.digest"] as? String
                    configs[uid, default: [:]][arch] = entry["containerimage.config.digest"] as? String
                }
            }

            // 2. Publish to the destination with basic auth.
            let began = Date()
            let publish = try await EngineBuildTests.bakery(["ci", "publish", "amd64.json", "arm64.json", "--context", dir.path,
                                                             "--temp-registry", temp, "--summary"], in: dir, lab: lab, extra: auth)
            let publishSeconds = Date().timeIntervalSince(began)
            outputs += publish.stdout + publish.stderr
            if publish.status != 0 { print("multi-platform publish: ci publish failed:\n\(publish.stderr.suffix(6000))") }
            try #require(publish.status == 0, "\(publish.stderr.suffix(4000))")
            #expect(publish.stderr.contains("✅ Published 2 target(s)"))
            let figures = publish.stderr.split(separator: "\n").first { $0.contains("registry request(s)") }.map(String.init) ?? ""
            #expect(!figures.isEmpty)

            // 3. Every tag is an index whose amd64 and arm64 images are the ones built, annotated with the labels.
            for (uid, target) in planned {
                for tag in target.tags {
                    let raw = try await Self.skopeo("inspect", ["--raw", "docker://\(tag)"])
                    try #require(raw.status == 0, "\(tag): \(raw.stderr)")
                    let index = try #require(try JSONSerialization.jsonObject(with: Data(raw.stdout.utf8)) as? [String: Any])
                    let annotations = index["annotations"] as? [String: String] ?? [:]
                    for (key, value) in target.labels where key != "org.opencontainers.image.created" {
                        #expect(annotations[key] == value, "\(tag): annotation \(key)")
                    }
                    #expect(annotations["co.posit.bakery.input-digest"] == nil || annotations["co.posit.bakery.input-digest"]?.hasPrefix("sha256:") == true)
                    // Each platform entry of the index is the image built for it …
                    let children = (index["manifests"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) { map, entry in
                        if let arch = (entry["platform"] as? [String: Any])?["architecture"] as? String { map[arch] = entry["digest"] as? String }
                    }
                    #expect(children == digests[uid] ?? [:], "\(tag): \(raw.stdout)")
                    // … and a client asking for that platform gets it: skopeo resolves the index per architecture.
                    for arch in ["amd64", "arm64"] {
                        let resolved = try await Self.skopeo("inspect", ["--raw", "--config", "docker://\(tag)"], arch: arch)
                        let config = try #require(try JSONSerialization.jsonObject(with: Data(resolved.stdout.utf8)) as? [String: Any], "\(tag) for \(arch)")
                        #expect(config["architecture"] as? String == arch, "\(tag) for \(arch)")
                        let configDigest = Digest.sha256(of: Data(resolved.stdout.utf8)).description
                        #expect(configDigest == configs[uid]?[arch], "\(tag) for \(arch): the config of the image built")
                    }
                }
            }

            // 4. Nothing changed: both platforms skip every target and push nothing.
            var skipSeconds: [String: Double] = [:]
            for platform in Self.platforms {
                let (run, entries, seconds) = try await build(platform)
                skipSeconds[platform] = seconds
                #expect(entries.isEmpty, "\(platform): nothing built, nothing to publish")
                #expect(run.stderr.contains("2 target(s) unchanged, 0 built"), "\(platform): \(run.stderr.suffix(2000))")
            }

            // 5. A template change that only the Minimal variant renders: exactly that target is rebuilt.
            try ((try String(contentsOf: template, encoding: .utf8))
                 + "{%- if Image.Variant == \"Minimal\" %}\nRUN echo minimal-v2 > /bakery-minimal\n{%- endif %}\n").write(to: template, atomically: false, encoding: .utf8)
            let rerender = try await EngineBuildTests.bakery(["update", "files", "--all", "--context", dir.path], in: dir, lab: lab)
            try #require(rerender.status == 0, "\(rerender.stderr)")
            let (changed, entries, changedSeconds) = try await build("linux/amd64")
            #expect(entries.keys.sorted() == planned.keys.filter { $0.contains("minimal") }, "\(entries.keys)")
            #expect(changed.stderr.contains("1 target(s) unchanged, 1 built"), "\(changed.stderr.suffix(2000))")
            // Publishing it replaces Minimal's amd64 image and keeps its published arm64 one; Standard is not touched.
            let republish = try await EngineBuildTests.bakery(["ci", "publish", "amd64.json", "arm64.json", "--context", dir.path,
                                                               "--temp-registry", temp], in: dir, lab: lab, extra: auth)
            outputs += republish.stdout + republish.stderr
            #expect(republish.status == 0, "\(republish.stderr.suffix(3000))")
            #expect(republish.stderr.contains("✅ Published 1 target(s)"))
            let minimal = try #require(planned.first { $0.key.contains("minimal") })
            let rebuilt = (entries[minimal.key]?["containerimage.digest"] as? String)
            for tag in minimal.value.tags {
                let raw = try await Self.skopeo("inspect", ["--raw", "docker://\(tag)"])
                let index = try JSONSerialization.jsonObject(with: Data(raw.stdout.utf8)) as? [String: Any]
                let children = (index?["manifests"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) { map, entry in
                    if let arch = (entry["platform"] as? [String: Any])?["architecture"] as? String { map[arch] = entry["digest"] as? String }
                }
                #expect(children["amd64"] == rebuilt && children["arm64"] == digests[minimal.key]?["arm64"], "\(tag): \(children)")
            }

            // 6. Clean the temporary repository: every temporary tag goes; the destination and the lab's base stay.
            let tempRepository = "\(temp)/example-image/tmp"
            let before = try await lab.tags(repository: String(tempRepository.dropFirst(lab.registry.count + 1)))
            // The three temporary indexes (two, then Minimal's again), and the tag podman and buildah push each
            // target and platform under.
            #expect(before.filter { !$0.hasSuffix("-linux-amd64") && !$0.hasSuffix("-linux-arm64") }.count == 3, "the temporary indexes: \(before)")
            #expect(before.filter { $0.hasSuffix("-linux-amd64") || $0.hasSuffix("-linux-arm64") }.count == 4, "\(before)")
            let clean = try await EngineBuildTests.bakery(["clean", "temp-registry", temp, "--older-than", "0", "--context", dir.path],
                                                          in: dir, lab: lab, extra: auth)
            outputs += clean.stdout + clean.stderr
            #expect(clean.status == 0, "\(clean.stderr)")
            #expect(try await lab.tags(repository: String(tempRepository.dropFirst(lab.registry.count + 1))).isEmpty)
            let anyTag = try #require(planned.values.first?.tags.first)
            #expect(try await Self.skopeo("inspect", ["--raw", "docker://\(anyTag)"]).status == 0)
            #expect(try await lab.tags(repository: "library/ubuntu").contains("24.04"))

            // 7. The destination's password never reached an output, a log line or a metadata file.
            #expect(!outputs.contains(Self.account.password))

            print(String(format: "multi-platform publish: builds amd64 %.1f s, arm64 (qemu) %.1f s; ci publish of 2 targets × 2 platforms to 127.0.0.1 with basic auth %.1f s wall",
                         buildSeconds["linux/amd64"] ?? 0, buildSeconds["linux/arm64"] ?? 0, publishSeconds))
            print("multi-platform publish: \(figures)")
            print(String(format: "multi-platform publish: --skip-unchanged re-run amd64 %.1f s, arm64 %.1f s (0 built); after the Minimal template change %.1f s (1 built, 1 unchanged)",
                         skipSeconds["linux/amd64"] ?? 0, skipSeconds["linux/arm64"] ?? 0, changedSeconds))
        } catch {
            failure = error
        }
        try? await lab.removeLocalImages(cleanupImages)
        if let previousBase {
            _ = try? await lab.run("podman", ["tag", previousBase, base])
        }
        if let failure {
            print("multi-platform publish: stopped by \(failure)")
            throw failure
        }
    }
}
} // extension LabSuites
