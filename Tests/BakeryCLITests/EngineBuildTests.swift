// `bakery build` with real engines (buildah, podman) against the container lab: the Examples' Ubuntu
// targets built and pushed to a loopback registry and checked there, and failures, fail-fast, retries,
// Ctrl-C and build secrets on small scratch projects. Needs the lab (Tests/README.md); CI requires it.
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension LabSuites {
@Suite(.serialized)
struct EngineBuildTests {
    static let engines = ["buildah", "podman"]

    /// A copy of an example project whose registries point at the lab registry, namespace `namespace`.
    static func labCopy(of example: String, lab: ContainerLab, namespace: String) throws -> URL {
        let dir = try BakeryBinary.temporaryCopy(of: BakeryBinary.repositoryRoot.appendingPathComponent("Examples/\(example)"))
        let file = dir.appendingPathComponent("bakery.yaml")
        var text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("host: \"ghcr.io\"") && text.contains("namespace: \"posit-dev\""))
        text = text.replacingOccurrences(of: "host: \"ghcr.io\"", with: "host: \"\(lab.registry)\"")
            .replacingOccurrences(of: "namespace: \"posit-dev\"", with: "namespace: \"\(namespace)\"")
        try text.write(to: file, atomically: false, encoding: .utf8)
        return dir
    }

    /// Runs bakery with the lab's environment (plus `extra`), plain output as in CI.
    static func bakery(_ arguments: [String], in dir: URL, lab: ContainerLab, extra: [String: String] = [:],
                       timeout: Double = 1200) async throws -> ChildProcess.Ending {
        var env = lab.environment
        env["CI"] = "true"
        // bakery's run folder (kept when a target fails) inside the scratch project, removed with it.
        let tmp = dir.appendingPathComponent(".tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        env["TMPDIR"] = tmp.path
        for (k, v) in extra { env[k] = v }
        let environment = env
        // On a thread of its own: a build takes minutes, and must not hold a cooperative-pool thread.
        return try await ContainerLab.onPlainThread {
            try ChildProcess.start(BakeryBinary.path, arguments, in: dir, environment: environment).finish(timeout: timeout)
        }
    }

    /// The plan's targets: uid → (tags, labels).
    static func plan(_ dir: URL, _ filters: [String], lab: ContainerLab) async throws -> [String: (tags: [String], labels: [String: String])] {
        let out = try await bakery(["build", "--plan", "-q", "--context", dir.path] + filters, in: dir, lab: lab)
        #expect(out.status == 0, "\(out.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        let targets = json?["target"] as? [String: [String: Any]] ?? [:]
        return targets.mapValues { (($0["tags"] as? [String]) ?? [], ($0["labels"] as? [String: String]) ?? [:]) }
    }

    static func split(_ tag: String) -> (repository: String, tag: String) {
        let colon = tag.lastIndex(of: ":")!
        return (String(tag[..<colon]), String(tag[tag.index(after: colon)...]))
    }

    // MARK: - The Examples, built and pushed

    /// The Examples whose Ubuntu targets the lab can build (its stand-in serves docker.io/library/ubuntu), with
    /// the filters that select those targets; DgossEngineTests tests the same images.
    static let ubuntuExamples: [(example: String, filters: [String])] = [
        ("01-basic-image", []),
        ("02-multiple-images-and-versions", ["--image-name", "ubuntu-base"]),
        ("03-image-variants", []),
        ("04-image-oses", ["--image-os", "Ubuntu"]),
    ]

    @Test(.enabled(if: ContainerLab.shouldRun), arguments: engines)
    func examplesBuildPushAndMatchThePlan(engine: String) async throws {
        let lab = try await ContainerLab.shared()
        let cases = Self.ubuntuExamples
        var built = 0
        for (example, filters) in cases {
            let dir = try Self.labCopy(of: example, lab: lab, namespace: "e2e-\(engine)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let planned = try await Self.plan(dir, filters, lab: lab)
            #expect(!planned.isEmpty, "\(example): no targets planned")
            let metadataFile = dir.appendingPathComponent("build-metadata.json")
            let run = try await Self.bakery(["build", "--context", dir.path, "--strategy", "build", "--engine", engine, "-j", "2",
                                       "--push", "--metadata-file", metadataFile.path] + filters, in: dir, lab: lab)
            #expect(run.status == 0, "\(example) with \(engine): \(run.stderr.suffix(4000))")
            guard run.status == 0 else { continue }
            #expect(run.stderr.contains("✅ Build completed: \(planned.count) built, 0 failed"))
            #expect(run.stderr.contains("INFO: Building with \(engine) (--engine \(engine))"))
            let metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: metadataFile)) as? [String: [String: Any]] ?? [:]
            #expect(Set(metadata.keys) == Set(planned.keys))
            for (uid, target) in planned {
                // Every planned tag is in the registry, under the digest the metadata file records.
                let digest = metadata[uid]?["containerimage.digest"] as? String
                #expect(digest?.hasPrefix("sha256:") == true, "\(uid): no digest in the metadata")
                for tag in target.tags {
                    let (repository, name) = Self.split(tag)
                    #expect(try await lab.tags(repository: repository).contains(name), "\(tag) was not pushed")
                    #expect(try await lab.manifestDigest(reference: tag) == digest, "\(tag): registry digest differs from the metadata")
                }
                let descriptor = metadata[uid]?["containerimage.descriptor"] as? [String: Any]
                #expect(descriptor?["digest"] as? String == digest)
                #expect((descriptor?["platform"] as? [String: String]) == ["architecture": "amd64", "os": "linux"])
                #expect((metadata[uid]?["image.name"] as? String) == target.tags.joined(separator: ","))
                // The image's labels are the plan's (the created time is taken when each command runs).
                let labels = try await lab.labels(reference: target.tags[0])
                for (key, value) in target.labels where key != "org.opencontainers.image.created" {
                    #expect(labels[key] == value, "\(uid): label \(key)")
                }
                #expect(labels["org.opencontainers.image.created"]?.hasPrefix("20") == true)
                let config = try await lab.imageConfig(reference: target.tags[0])
                #expect(metadata[uid]?["containerimage.config.digest"] as? String != nil)
                #expect(config["architecture"] as? String == "amd64")
                built += 1
                try await lab.removeLocalImages(target.tags)
            }
        }
        #expect(built == 9, "01: 1, 02 (Ubuntu): 2, 03: 2, 04 (Ubuntu): 4 targets")
    }

    // MARK: - Scratch projects: failures, fail-fast, retries, Ctrl-C, secrets

    /// Examples/04's configuration (Ubuntu targets: four) with one-line Containerfiles; `bodies` maps
    /// a Containerfile suffix (`ubuntu2204.min`) to its RUN line.
    static func scratch(_ lab: ContainerLab, runs bodies: [String: String] = [:], extraYAML: String = "") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-engine-\(UUID().uuidString.prefix(8))")
        let version = dir.appendingPathComponent("example-image/1.0.0")
        try FileManager.default.createDirectory(at: version, withIntermediateDirectories: true)
        var yaml = try String(contentsOf: BakeryBinary.repositoryRoot.appendingPathComponent("Examples/04-image-oses/bakery.yaml"), encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "host: \"ghcr.io\"", with: "host: \"\(lab.registry)\"")
            .replacingOccurrences(of: "namespace: \"posit-dev\"", with: "namespace: \"scratch-\(UUID().uuidString.prefix(6).lowercased())\"")
        yaml = yaml.replacingOccurrences(of: "  - name: example-image\n", with: "  - name: example-image\n" + extraYAML)
        try yaml.write(to: dir.appendingPathComponent("bakery.yaml"), atomically: false, encoding: .utf8)
        for os in ["ubuntu2404", "ubuntu2204", "rocky9"] {
            for variant in ["std", "min"] {
                let key = "\(os).\(variant)"
                let run = bodies[key] ?? "RUN echo \(key) > /built-for"
                try "FROM docker.io/library/ubuntu:24.04\n\(run)\n".write(to: version.appendingPathComponent("Containerfile.\(key)"),
                                                                         atomically: false, encoding: .utf8)
            }
        }
        return dir
    }

    static let ubuntu = ["--image-os", "Ubuntu", "--strategy", "build", "--engine", "buildah"]
    /// Plan order (by display): Minimal 22.04, Minimal 24.04, Standard 22.04, Standard 24.04.
    static let minimal2204 = "ImageTarget(image='example-image', version='1.0.0', variant='Minimal', os='Ubuntu 22.04')"

    static func localTags(_ dir: URL, lab: ContainerLab) async throws -> [String: [String]] {
        try await plan(dir, ["--image-os", "Ubuntu"], lab: lab).mapValues(\.tags)
    }

    @Test(.enabled(if: ContainerLab.shouldRun))
    func aBrokenTargetFailsAloneAndIsNamed() async throws {
        let lab = try await ContainerLab.shared()
        let dir = try Self.scratch(lab, runs: ["ubuntu2204.min": "RUN echo about to fail && exit 3"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let tags = try await Self.localTags(dir, lab: lab)
        try await lab.removeLocalImages(tags.values.flatMap { $0 })
        let run = try await Self.bakery(["build", "--context", dir.path, "-j", "2"] + Self.ubuntu, in: dir, lab: lab)
        #expect(run.status == 1)
        #expect(run.stderr.contains("ERROR: Failed to build image target '\(Self.minimal2204)'."))
        #expect(run.stderr.contains("❌ Build failed: 3 built, 1 failed, 0 skipped or stopped, of 4 target(s)"))
        #expect(run.stderr.contains("[example-image-1-0-0-minimal-ubuntu-22-04] about to fail"))
        // The failure's log is kept and named.
        let logLine = run.stderr.split(separator: "\n").first { $0.contains("full log: ") && $0.contains("minimal-ubuntu-22-04.log") }
        let logPath = logLine.map { String($0[$0.range(of: "full log: ")!.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: ") ")) }
        #expect(logPath.map { (try? String(contentsOfFile: $0, encoding: .utf8))?.contains("about to fail") ?? false } == true)
        // The other three were built.
        for (uid, list) in tags {
            let exists = try await lab.localImageID(list[0]) != nil
            #expect(exists == (uid != "example-image-1-0-0-minimal-ubuntu-22-04"), "\(uid)")
        }
        try await lab.removeLocalImages(tags.values.flatMap { $0 })
        if let logPath { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: logPath).deletingLastPathComponent().path) }
    }

    @Test(.enabled(if: ContainerLab.shouldRun))
    func failFastSkipsTargetsNotYetStarted() async throws {
        let lab = try await ContainerLab.shared()
        let dir = try Self.scratch(lab, runs: ["ubuntu2204.min": "RUN exit 3"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let tags = try await Self.localTags(dir, lab: lab)
        try await lab.removeLocalImages(tags.values.flatMap { $0 })
        let run = try await Self.bakery(["build", "--context", dir.path, "-j", "1", "--fail-fast"] + Self.ubuntu, in: dir, lab: lab)
        #expect(run.status == 1)
        #expect(run.stderr.contains("❌ Build failed: 0 built, 1 failed, 3 skipped or stopped, of 4 target(s)"))
        #expect(run.stderr.components(separatedBy: "not started: --fail-fast after '\(Self.minimal2204)' failed").count == 4)
        #expect(!run.stderr.contains("[example-image-1-0-0-standard-ubuntu-24-04]"), "a skipped target ran")
        for list in tags.values { #expect(try await lab.localImageID(list[0]) == nil) }
    }

    @Test(.enabled(if: ContainerLab.shouldRun))
    func retryRunsAFailingTargetAgain() async throws {
        let lab = try await ContainerLab.shared()
        let dir = try Self.scratch(lab, runs: ["ubuntu2204.min": "RUN echo attempt-marker && exit 3"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let started = Date()
        let run = try await Self.bakery(["build", "--context", dir.path, "--retry", "1", "--image-variant", "Minimal", "--image-os", "Ubuntu 22.04",
                                   "--strategy", "build", "--engine", "buildah"], in: dir, lab: lab)
        #expect(run.status == 1)
        #expect(Date().timeIntervalSince(started) >= 5, "the retry waits 5 s")
        #expect(run.stderr.contains("WARNING: Build failed for '\(Self.minimal2204)' (attempt 1/2). Retrying in 5s..."))
        #expect(run.stderr.components(separatedBy: "[example-image-1-0-0-minimal-ubuntu-22-04] attempt-marker").count == 3, "two attempts ran")
        #expect(run.stderr.contains("INFO: Building image '\(Self.minimal2204)' (attempt 2)"))
    }

    @Test(.enabled(if: ContainerLab.shouldRun))
    func interruptStopsEveryChild() async throws {
        let lab = try await ContainerLab.shared()
        let marker = "sleep 2\(Int.random(in: 100...999))"
        let dir = try Self.scratch(lab, runs: ["ubuntu2204.min": "RUN \(marker)", "ubuntu2204.std": "RUN \(marker)"])
        defer { try? FileManager.default.removeItem(at: dir) }
        var env = lab.environment
        env["CI"] = "true"
        let child = try ChildProcess.start(BakeryBinary.path, ["build", "--context", dir.path, "-j", "2", "--no-cache"] + Self.ubuntu,
                                           in: dir, environment: env)
        // Wait until both sleeps run inside their builds.
        var seen = 0
        for _ in 0..<600 {
            seen = Self.processes(matching: marker).count
            if seen >= 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(seen >= 2, "the builds never reached their RUN step")
        kill(child.pid, SIGINT)
        let ending = try await ContainerLab.onPlainThread { child.finish(timeout: 60) }
        #expect(!ending.timedOut)
        #expect(ending.status == 130, "\(ending.stderr.suffix(2000))")
        #expect(ending.stderr.contains("❌ Build interrupted: stopped "))
        #expect(ending.stderr.contains("example-image-1-0-0-minimal-ubuntu-22-04"))
        #expect(Self.processes(matching: marker).isEmpty, "a build step survived Ctrl-C")
        #expect(Self.processes(matching: dir.path).isEmpty, "an engine process survived Ctrl-C")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".bakery") }
        #expect(leftovers.isEmpty)
    }

    /// Command lines of running processes that contain `text`.
    static func processes(matching text: String) -> [String] {
        let me = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name -> String? in
            guard let pid = Int32(name), pid != me,
                  let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"), !data.isEmpty else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains(text) ? line : nil
        }
    }

    @Test(.enabled(if: ContainerLab.shouldRun))
    func aBuildSecretNeverLeaks() async throws {
        let lab = try await ContainerLab.shared()
        let secret = "s3cr3t-\(UUID().uuidString.prefix(12))"
        let dir = try Self.scratch(lab, runs: ["ubuntu2404.std": "RUN --mount=type=secret,id=token sh -c 'echo token is $(cat /run/secrets/token); test -s /run/secrets/token'"],
                                   extraYAML: "    buildSecrets:\n      - id: token\n        envVar: BAKERY_TEST_TOKEN\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let metadataFile = dir.appendingPathComponent("metadata.json")
        let run = try await Self.bakery(["build", "--context", dir.path, "--image-variant", "Standard", "--image-os", "Ubuntu 24.04",
                                   "--strategy", "build", "--engine", "buildah", "--push", "--no-clean", "--metadata-file", metadataFile.path],
                                  in: dir, lab: lab, extra: ["BAKERY_TEST_TOKEN": secret])
        #expect(run.status == 0, "\(run.stderr.suffix(3000))")
        #expect(run.stderr.contains("token is ***"), "the RUN step's output is shown, masked")
        #expect(!run.stderr.contains(secret) && !run.stdout.contains(secret))
        #expect(run.stderr.contains("--secret id=token,env=BAKERY_TEST_TOKEN") || run.stderr.contains("[example-image-1-0-0-standard-ubuntu-24-04]"))
        let metadata = try String(contentsOf: metadataFile, encoding: .utf8)
        #expect(!metadata.contains(secret))
        // The kept logs hold the masked line, never the value.
        let kept = run.stderr.split(separator: "\n").first { $0.contains("Logs and build files kept in ") }
        let folder = kept.map { String($0[$0.range(of: "kept in ")!.upperBound...]).replacingOccurrences(of: " (--no-clean)", with: "") }
        #expect(folder != nil)
        if let folder {
            let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            #expect(files.contains { $0.hasSuffix(".log") })
            for file in files {
                let text = (try? String(contentsOfFile: folder + "/" + file, encoding: .utf8)) ?? ""
                #expect(!text.contains(secret), "\(file) holds the secret")
            }
            #expect(files.contains { ((try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8)) ?? "").contains("token is ***") })
            try? FileManager.default.removeItem(atPath: folder)
        }
        // Nor does the pushed image's history.
        let tags = try await Self.plan(dir, ["--image-variant", "Standard", "--image-os", "Ubuntu 24.04"], lab: lab).values.first?.tags ?? []
        #expect(!tags.isEmpty)
        if let tag = tags.first {
            let history = try await lab.history(reference: tag)
            #expect(history.contains { $0.contains("/run/secrets/token") })
            #expect(!history.joined(separator: "\n").contains(secret))
        }
        try await lab.removeLocalImages(tags)
    }
}
} // extension LabSuites
