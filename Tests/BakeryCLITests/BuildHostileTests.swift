// `bakery build` attacked the way a hostile repository, environment or child process would: huge
// `--retry`, floods of output, secrets split across lines and pieces, a run folder that cannot be made,
// an engine that lies, a metadata file that cannot be written, signals at awkward moments, and two
// bakes of the same folder at once. Fake engines (a script first on PATH) for speed; one real buildah
// build against the container lab.
import Bakery
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite("bakery build, attacked")
struct BuildHostileTests {
    /// One image, one target (`img-1-0-0-ubuntu-24-04`), a build secret from `HX_TOKEN`.
    static func config(registry: String = "ghcr.io", namespace: String = "hostile", version: String = "1.0.0") -> String {
        """
        repository:
          url: "github.com/example/hostile"
        registries:
          - host: "\(registry)"
            namespace: "\(namespace)"
        images:
          - name: img
            buildSecrets:
              - id: token
                envVar: HX_TOKEN
            versions:
              - name: "\(version)"
                os:
                  - name: "Ubuntu 24.04"
                    primary: true

        """
    }

    static let uid = "img-1-0-0-ubuntu-24-04"
    static let containerfile = "img/1.0.0/Containerfile.ubuntu2404"

    /// Two lines; every check looks for its pieces too (`Zk9w`, `R2mX4v`), which a cut would leave.
    static let secret = "alpha-Q7Zk9w\nbeta-R2mX4v"
    static let secretPieces = ["alpha-Q7Zk9w", "beta-R2mX4v", "Zk9w", "R2mX4v"]

    /// The fake engine (`docker`, `podman`, `buildah`, `skopeo` are links to it). It records
    /// `<exe> <args>` in $FAKE_DIR/calls.log, then, for a build, does what HX_BUILD says and writes
    /// the image id unless told not to; `docker buildx bake` copies the plan aside and, with
    /// HX_BAKE_HOLD, waits until $FAKE_DIR/release exists; `skopeo` runs `sleep $HX_SKOPEO_SLEEP` in a child when set, else fails.
    static func fakeEngine(bash: String) -> String {
        "#!\(bash)\n" + #"""
        exe=${0##*/}
        printf '%s %s\n' "$exe" "$*" >> "$FAKE_DIR/calls.log"
        ARGS=("$@")
        opt() { V=""; local prev="" a; for a in "${ARGS[@]}"; do [ "$prev" = "$1" ] && V=$a; prev=$a; done; }
        pad() { head -c "$1" /dev/zero | tr '\0' "$2"; }
        case "$exe $1 $2" in
          "docker buildx version") echo "github.com/docker/buildx v0.99.0-fake"; exit 0 ;;
          "docker buildx bake")
            for a in "$@"; do [ "$a" = --print ] && exit 0; done
            cp .bakery-bake.json "$FAKE_DIR/bake-plan-$$.json"
            if [ -n "$HX_BAKE_HOLD" ]; then
              touch "$FAKE_DIR/bake-started"
              for i in $(seq 1 1200); do [ -e "$FAKE_DIR/release" ] && break; sleep 0.05; done
            fi
            exit 0 ;;
          "docker buildx build")
            # Metadata that records the secret's lines, the first followed by a combining mark.
            v=$HX_TOKEN; opt --metadata-file
            [ -n "$V" ] && printf '{"containerimage.digest": "sha256:%064d", "note": "a %s\xcc\x81 b %s"}\n' 2 "${v%%$'\n'*}" "${v#*$'\n'}" > "$V"
            exit 0 ;;
          "buildah build"*|"podman build"*)
            case "$HX_BUILD" in
              secrets)
                v=$HX_TOKEN; first=${v%%$'\n'*}
                printf 'whole:\n%s\n' "$v"
                printf 'joined:%s\n' "${v//$'\n'/}"
                printf 'combining:%s\xcc\x81\n' "$first"
                pad 65530 x; printf '%s\n' "$first"
                # Standard error ends with 64 KiB that start right after "alpha-Q7": the kept tail begins mid-secret.
                printf 'x %s\n' "$first" >&2
                for i in 1 2 3 4 5 6; do pad 9360 y >&2; echo >&2; done
                pad 9364 y >&2; echo >&2
                exit 1 ;;
              bigout) seq 1 40000; echo "STEP 2/2: COMMIT" ;;
              lines) for i in $(seq 1 4000); do echo "STEP 1/2: RUN line $i"; done ;;
              fail) echo "boom" >&2; exit 1 ;;
              noiid) exit 0 ;;
            esac
            opt --iidfile; [ -n "$V" ] && printf 'sha256:%064d' 3 > "$V"
            exit 0 ;;
          "skopeo "*)
            if [ -n "$HX_SKOPEO_SLEEP" ]; then touch "$FAKE_DIR/skopeo-started"; sleep "$HX_SKOPEO_SLEEP" & wait; fi
            echo "fake skopeo: no such image" >&2; exit 1 ;;
        esac
        exit 0
        """#
    }

    /// A project, the fake engines and a temporary folder of their own.
    final class Sandbox: @unchecked Sendable {
        let folder: FakeToolFolder
        var root: URL { folder.root }
        var project: URL { folder.project }
        var tmp: URL { folder.tmp }
        var bin: URL { folder.bin }
        var tools: URL { folder.tools }
        var planFile: URL { project.appendingPathComponent(".bakery-bake.json") }

        init(engines: [String] = ["docker", "podman", "buildah", "skopeo"], version: String = "1.0.0") throws {
            folder = try FakeToolFolder(prefix: "bakery-hostile", tools: ["bash", "cat", "cp", "head", "tr", "seq", "sleep", "touch", "env"])
            try folder.installFake(engines[0], script: BuildHostileTests.fakeEngine(bash: folder.bash), aliases: Array(engines.dropFirst()))
            try folder.writeProject(config: BuildHostileTests.config(version: version),
                                    files: ["img/\(version)/Containerfile.ubuntu2404": "FROM scratch\n"])
        }

        func remove() { try? FileManager.default.removeItem(at: root) }

        var environment: [String: String] {
            ["PATH": "\(bin.path):\(tools.path)", "FAKE_DIR": root.path, "TMPDIR": tmp.path, "CI": "true", "BAKERY_MAX_CONCURRENCY": "",
             "HX_BUILD": "", "HX_TOKEN": "", "HX_BAKE_HOLD": "", "HX_SKOPEO_SLEEP": ""]
        }

        /// `bakery build <arguments>` in the project, off the cooperative pool.
        func build(_ arguments: [String], environment extra: [String: String] = [:], timeout: Double = 60) async throws -> BakeryBinary.Result {
            var env = environment
            for (k, v) in extra { env[k] = v }
            let environment = env, project = project
            return try await ContainerLab.onPlainThread {
                try BakeryBinary.run(["build"] + arguments, in: project, timeout: timeout, environment: environment)
            }
        }

        /// Starts `bakery build <arguments>` and returns at once.
        func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> ChildProcess {
            var env = environment
            for (k, v) in extra { env[k] = v }
            return try ChildProcess.start(BakeryBinary.path, ["build"] + arguments, in: project, environment: env)
        }

        var calls: [String] {
            ((try? String(contentsOf: root.appendingPathComponent("calls.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        var buildCalls: [String] { calls.filter { $0.hasPrefix("buildah build") || $0.hasPrefix("podman build") } }

        /// Every file bakery left in its run folders, by name.
        var runFiles: [String: String] {
            var out: [String: String] = [:]
            let fm = FileManager.default
            for folder in (try? fm.contentsOfDirectory(atPath: tmp.path)) ?? [] where folder.hasPrefix("posit-bakery") {
                for file in (try? fm.contentsOfDirectory(atPath: tmp.path + "/" + folder)) ?? [] {
                    out[file] = (try? String(contentsOfFile: tmp.path + "/" + folder + "/" + file, encoding: .utf8)) ?? ""
                }
            }
            return out
        }

        /// Waits (up to `seconds`) until `condition` holds. Blocking: call it from a plain thread (a
        /// busy cooperative pool would resume an async poll long after the moment it waits for).
        static func waitUntil(seconds: Double = 60, _ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if condition() { return true }
                usleep(20_000)
            }
            return false
        }

        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path) }
    }

    static let buildah = ["--strategy", "build", "--engine", "buildah"]

    /// Whether `text` holds `piece`, byte for byte: `String.contains` compares characters, and a piece
    /// followed by a combining mark is another character, so it would miss exactly the leak looked for.
    static func holds(_ text: String, _ piece: String) -> Bool {
        Data(text.utf8).range(of: Data(piece.utf8)) != nil
    }

    static func noTrap(_ run: BakeryBinary.Result, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Backtrace") && !run.stderr.contains("Crash"),
                "a Swift trap: \(run.stderr.suffix(1500))", sourceLocation: sourceLocation)
    }

    // MARK: - Input that once crashed or failed a good build

    @Test func aHugeRetryCountIsNoTrap() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try await box.build(Self.buildah + ["--retry", "\(Int.max)"])
        Self.noTrap(run)
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        let bake = try await box.build(["--retry", "\(Int.max)"])
        Self.noTrap(bake)
        #expect(bake.status == 0, "\(bake.stderr.suffix(1500))")
    }

    @Test func aBuildThatPrintsMoreThan64KiBOnStandardOutputSucceeds() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try await box.build(Self.buildah, environment: ["HX_BUILD": "bigout"])
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        #expect(!run.stderr.contains("was stopped"))
        #expect(run.stderr.contains("[\(Self.uid)] 40000"), "every line is shown")
    }

    // MARK: - Secrets

    @Test func aMultiLineSecretIsMaskedWholeByLineAcrossPiecesAndAtTheCutOfTheErrorTail() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try await box.build(Self.buildah, environment: ["HX_BUILD": "secrets", "HX_TOKEN": Self.secret])
        #expect(run.status == 1)
        #expect(run.stderr.contains("[\(Self.uid)] joined:******"))
        #expect(Self.holds(run.stderr, "[\(Self.uid)] combining:***\u{301}"))
        #expect(run.stderr.contains("    …***"), "the error tail starts masked: \(run.stderr.suffix(400))")
        let files = box.runFiles
        #expect(files.keys.contains("\(Self.uid).log"))
        for piece in Self.secretPieces {
            #expect(!Self.holds(run.stderr, piece) && !Self.holds(run.stdout, piece), "\(piece) shown")
            for (name, text) in files {
                // A long line is logged in pieces: joined again, no piece may end inside the secret.
                #expect(!Self.holds(text.replacingOccurrences(of: "\n", with: ""), piece), "\(piece) in \(name)")
            }
        }
    }

    @Test func theMetadataFileMasksEachLineOfAMultiLineSecret() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let metadata = box.root.appendingPathComponent("meta.json")
        let run = try await box.build(["--strategy", "build", "--engine", "docker", "--metadata-file", metadata.path],
                                      environment: ["HX_TOKEN": Self.secret])
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        let text = (try? String(contentsOf: metadata, encoding: .utf8)) ?? ""
        #expect(text.contains("\"note\": \"a ***\u{301} b ***\""), "\(text)")
        for piece in Self.secretPieces { #expect(!Self.holds(text, piece), "\(piece) in the metadata file") }
    }

    // MARK: - Where bakery writes

    @Test func aTemporaryFolderThatCannotHoldTheRunFolderFailsBeforeAnyBuild() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let missing = box.root.appendingPathComponent("no-such-tmp").path
        let run = try await box.build(Self.buildah, environment: ["TMPDIR": missing])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot create bakery's run folder in \(missing)"), "\(run.stderr.suffix(1500))")
        #expect(box.buildCalls.isEmpty, "the engine ran, writing its files outside a private folder: \(box.calls)")
    }

    @Test func aUIDThatKeepsASlashStillGetsItsFilesInTheRunFolderItself() async throws {
        // "/" followed by a combining mark is one Character, which the UID keeps as it is.
        let box = try Sandbox(version: "1/\u{301}x")
        defer { box.remove() }
        let run = try await box.build(Self.buildah + ["--no-clean"])
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        let fm = FileManager.default
        let folders = try fm.contentsOfDirectory(atPath: box.tmp.path).filter { $0.hasPrefix("posit-bakery") }
        #expect(folders.count == 1)
        for folder in folders {
            let entries = try fm.contentsOfDirectory(atPath: box.tmp.path + "/" + folder)
            #expect(Set(entries) == ["img-1-\u{301}x-ubuntu-24-04.log", "img-1-\u{301}x-ubuntu-24-04.iid"], "\(entries)")
        }
    }

    @Test func aMetadataFileThatCannotBeWrittenIsRefusedBeforeBuilding() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let folder = box.root.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let cases = [(box.root.appendingPathComponent("missing/meta.json").path, "does not exist"),
                     (folder.path, "is a folder"), ("", "the path is empty")]
        for (path, reason) in cases {
            let run = try await box.build(Self.buildah + ["--metadata-file", path])
            #expect(run.status == 1, "\(path)")
            #expect(run.stderr.contains("❌ --metadata-file '\(path)': ") && run.stderr.contains(reason), "\(run.stderr.suffix(800))")
        }
        #expect(box.buildCalls.isEmpty, "built before refusing: \(box.calls)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func metadataThatCannotBeReadFailsTheTargetWhenAMetadataFileIsAsked() async throws {
        let box = try Sandbox(engines: ["docker", "podman", "buildah"])   // no skopeo
        defer { box.remove() }
        let metadata = box.root.appendingPathComponent("meta.json")
        let run = try await box.build(Self.buildah + ["--metadata-file", metadata.path])
        #expect(run.status == 1, "\(run.stderr.suffix(1500))")
        #expect(run.stderr.contains("could not read the build metadata") && run.stderr.contains("`skopeo` was not found"))
        #expect(!FileManager.default.fileExists(atPath: metadata.path), "a metadata file without the target")
        // With --summary alone, an unreadable metadata is a warning.
        let summary = try await box.build(Self.buildah + ["--summary"])
        #expect(summary.status == 0, "\(summary.stderr.suffix(1500))")
        #expect(summary.stderr.contains("WARNING: could not read the build metadata"))
    }

    @Test func anEngineThatExitsZeroWithoutAnImageIDFails() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try await box.build(Self.buildah + ["--push"], environment: ["HX_BUILD": "noiid"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("buildah exited 0 but wrote no image id"), "\(run.stderr.suffix(1500))")
        #expect(!box.calls.contains { $0.hasPrefix("buildah push") }, "pushed by tag, whatever image holds it")
    }

    @Test func aContainerfileThatIsAFIFOOrAFolderFailsWithoutHanging() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let file = box.project.appendingPathComponent(Self.containerfile)
        try FileManager.default.removeItem(at: file)
        #expect(mkfifo(file.path, 0o644) == 0)
        let fifo = try await box.build(Self.buildah, timeout: 30)
        #expect(fifo.status == 1, "\(fifo.stderr.suffix(800))")
        #expect(fifo.stderr.contains("Containerfile not found"))
        try FileManager.default.removeItem(at: file)
        try FileManager.default.createDirectory(at: file, withIntermediateDirectories: false)
        let folder = try await box.build(Self.buildah, timeout: 30)
        #expect(folder.status == 1 && folder.stderr.contains("Containerfile not found"))
        #expect(box.buildCalls.isEmpty)
    }

    @Test func aPlanFileThatIsALinkAFIFOOrAFolderIsRefusedAndLeftAlone() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let victim = box.root.appendingPathComponent("victim.txt")
        try Data("keep me\n".utf8).write(to: victim)
        try FileManager.default.createSymbolicLink(atPath: box.planFile.path, withDestinationPath: victim.path)
        let link = try await box.build([], timeout: 30)
        #expect(link.status == 1 && link.stderr.contains("could not write the bake plan"), "\(link.stderr.suffix(800))")
        #expect(try String(contentsOf: victim, encoding: .utf8) == "keep me\n")
        try FileManager.default.removeItem(at: box.planFile)
        #expect(mkfifo(box.planFile.path, 0o644) == 0)
        let fifo = try await box.build([], timeout: 30)
        #expect(fifo.status == 1 && fifo.stderr.contains("could not write the bake plan"), "\(fifo.stderr.suffix(800))")
        try FileManager.default.removeItem(at: box.planFile)
        try FileManager.default.createDirectory(at: box.planFile, withIntermediateDirectories: false)
        let folder = try await box.build([], timeout: 30)
        #expect(folder.status == 1 && folder.stderr.contains("could not write the bake plan"))
        #expect(!box.calls.contains { $0.hasPrefix("docker buildx bake") })
    }

    @Test func aSecondBakeOfTheSameFolderIsRefusedWhileTheFirstRuns() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let env = box.environment.merging(["HX_BAKE_HOLD": "1"]) { $1 }
        let (started, second, ending) = try await ContainerLab.onPlainThread { [box] in
            let first = try box.start([], environment: ["HX_BAKE_HOLD": "1"])
            let started = Sandbox.waitUntil { box.exists("bake-started") }
            // The first bake is inside `docker buildx bake` until the release file appears.
            let second = try BakeryBinary.run(["build", "--no-cache"], in: box.project, timeout: 60, environment: env)
            _ = FileManager.default.createFile(atPath: box.root.appendingPathComponent("release").path, contents: nil)
            return (started, second, first.finish(timeout: 60))
        }
        #expect(started)
        #expect(ending.status == 0, "\(ending.stderr.suffix(1000))")
        #expect(second.status == 1)
        #expect(second.stderr.contains("another bakery build is baking in \(box.project.path)"), "\(second.stderr.suffix(1000))")
        let bakes = box.calls.filter { $0.hasPrefix("docker buildx bake") && !$0.hasSuffix("--print") }
        #expect(bakes == ["docker buildx bake --load --file .bakery-bake.json"], "the second bake ran, or rewrote the first's plan")
        #expect(!FileManager.default.fileExists(atPath: box.planFile.path))
    }

    // MARK: - Signals

    @Test func sigtermWhileReadingMetadataStopsTheReaderAndExits130WithoutAWarning() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let marker = "77\(Int.random(in: 1000...9999)).5"
        let metadata = box.root.appendingPathComponent("meta.json")
        let (started, ending) = try await ContainerLab.onPlainThread { [box] in
            let child = try box.start(Self.buildah + ["--metadata-file", metadata.path], environment: ["HX_SKOPEO_SLEEP": marker])
            let started = Sandbox.waitUntil { !Self.processes(matching: "sleep \(marker)").isEmpty }
            kill(child.pid, SIGTERM)
            return (started, child.finish(timeout: 30))
        }
        #expect(started, "skopeo never ran")
        #expect(ending.status == 130, "\(ending.stderr.suffix(1500))")
        #expect(!ending.stderr.contains("could not read the build metadata"), "an interruption reported as a metadata problem")
        #expect(Self.processes(matching: "sleep \(marker)").isEmpty, "skopeo's child outlived SIGTERM")
        #expect(!FileManager.default.fileExists(atPath: metadata.path))
    }

    @Test func twoSigintsDuringTheRetryPauseExit130AtOnce() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (started, ending, waited) = try await ContainerLab.onPlainThread { [box] in
            let child = try box.start(Self.buildah + ["--retry", "5"], environment: ["HX_BUILD": "fail"])
            // The first attempt has failed once the fake logged it and the command says it will retry; the 5 s pause follows.
            let started = Sandbox.waitUntil { !box.buildCalls.isEmpty } && child.waitForStderr(containing: "Retrying in", timeout: 60)
            let sent = Date()
            kill(child.pid, SIGINT)
            kill(child.pid, SIGINT)
            let ending = child.finish(timeout: 30)
            return (started, ending, Date().timeIntervalSince(sent))
        }
        #expect(started)
        #expect(ending.status == 130, "\(ending.stderr.suffix(1500))")
        #expect(waited < 4.5, "waited out the retry pause")
        #expect(box.buildCalls.count == 1, "another attempt started after Ctrl-C")
        #expect(!FileManager.default.fileExists(atPath: box.planFile.path))
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

    // MARK: - The live display

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func theLiveDisplayIsNotRedrawnForEveryLineAChildPrints() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        // `script` gives bakery a terminal; the region's counter line is drawn once per redraw.
        let command = (["env", "-u", "NO_COLOR", "-u", "CI", "TERM=xterm", BakeryBinary.path, "build"] + Self.buildah)
            .map { "'\($0)'" }.joined(separator: " ")
        let run = try await ContainerLab.onPlainThread { [box] in
            try ChildProcess.start("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"], in: box.project,
                                   environment: box.environment.merging(["HX_BUILD": "lines"]) { $1 }).finish(timeout: 60)
        }
        #expect(run.status == 0, "\(run.stdout.suffix(1500))")
        let redraws = run.stdout.components(separatedBy: " total]").count - 1
        #expect(redraws > 0, "no live display: \(run.stdout.suffix(500))")
        #expect(redraws < 200, "\(redraws) redraws for 4000 lines")
    }

    // MARK: - A real engine

    @Test(.enabled(if: ContainerLab.shouldRun))
    func buildahAMultiLineSecretAndLongOutputFromARealRunStep() async throws {
        let lab = try await ContainerLab.shared()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-hostile-lab-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let namespace = "hostile-\(UUID().uuidString.prefix(6).lowercased())"
        let file = dir.appendingPathComponent(Self.containerfile)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.config(registry: lab.registry, namespace: namespace).write(to: dir.appendingPathComponent("bakery.yaml"), atomically: false, encoding: .utf8)
        // Over 64 KiB of RUN output on standard output, and the secret printed as it is and joined.
        try """
            FROM docker.io/library/ubuntu:24.04
            RUN --mount=type=secret,id=token sh -c 'seq 1 30000; cat /run/secrets/token; echo; echo "joined:$(tr -d "\\n" < /run/secrets/token)"'

            """.write(to: file, atomically: false, encoding: .utf8)
        // A temporary folder inside the project: a failed run's kept logs go with it.
        let tmp = dir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        var env = lab.environment
        env["CI"] = "true"
        env["TMPDIR"] = tmp.path
        env["HX_TOKEN"] = Self.secret
        let environment = env
        let run = try await ContainerLab.onPlainThread {
            try BakeryBinary.run(["build", "--no-load", "--no-cache", "--no-clean"] + Self.buildah, in: dir, timeout: 300, environment: environment)
        }
        #expect(run.status == 0, "\(run.stderr.suffix(2000))")
        #expect(run.stderr.contains("[\(Self.uid)] 30000"))
        #expect(run.stderr.contains("[\(Self.uid)] joined:******"))
        let kept = run.stderr.split(separator: "\n").first { $0.contains("Logs and build files kept in ") }
        let folder = kept.map { String($0[$0.range(of: "kept in ")!.upperBound...]).replacingOccurrences(of: " (--no-clean)", with: "") }
        defer { if let folder { try? FileManager.default.removeItem(atPath: folder) } }
        let log = folder.flatMap { try? String(contentsOfFile: $0 + "/\(Self.uid).log", encoding: .utf8) } ?? ""
        #expect(log.contains("joined:******"))
        for piece in Self.secretPieces {
            #expect(!Self.holds(run.stderr, piece) && !Self.holds(run.stdout, piece) && !Self.holds(log, piece), "\(piece) leaked")
        }
        try await lab.removeLocalImages(["\(lab.registry)/\(namespace)/img:1.0.0", "\(lab.registry)/\(namespace)/img:1.0.0-ubuntu-24.04"])
    }
}
