import Bakery
import Foundation
import TestSupport
import Testing

/// `bakery build` through the real binary, against a fake `docker` (and `podman`) first on PATH
/// that records every command line it is given: the bake and per-target command lines, the plan
/// file, retries, the strategy and engine choice, failures, fail-fast, usage errors and secrets.
@Suite("bakery build with a fake engine")
struct BuildCommandTests {
    /// Three targets: alpha 1.0.0 (with a build secret), alpha 2.0.0 (two platforms), beta 1.0.0 (a stage).
    static let config = """
        repository:
          url: "github.com/example/fake"
        registries:
          - host: ghcr.io
            namespace: example
        images:
          - name: alpha
            buildSecrets:
              - id: token
                envVar: FAKE_TOKEN
            versions:
              - name: 1.0.0
                latest: true
                os:
                  - name: "Ubuntu 24.04"
                    primary: true
              - name: 2.0.0
                os:
                  - name: "Ubuntu 24.04"
                    primary: true
                    platforms: ["linux/amd64", "linux/arm64"]
          - name: beta
            buildTarget: final
            versions:
              - name: 1.0.0
                os:
                  - name: "Ubuntu 24.04"
                    primary: true

        """

    static let alpha1 = "alpha-1-0-0-ubuntu-24-04", alpha2 = "alpha-2-0-0-ubuntu-24-04", beta = "beta-1-0-0-ubuntu-24-04"
    static let displays = [alpha1: "ImageTarget(image='alpha', version='1.0.0', os='Ubuntu 24.04')",
                           alpha2: "ImageTarget(image='alpha', version='2.0.0', os='Ubuntu 24.04')",
                           beta: "ImageTarget(image='beta', version='1.0.0', os='Ubuntu 24.04')"]
    static let containerfiles = [alpha1: "alpha/1.0.0/Containerfile.ubuntu2404", alpha2: "alpha/2.0.0/Containerfile.ubuntu2404",
                                 beta: "beta/1.0.0/Containerfile.ubuntu2404"]

    /// The fake engine. It appends `{"exe": …, "cwd": …, "argv": […]}` to $FAKE_DIR/argv.log, then:
    /// `buildx version` fails when FAKE_NO_BUILDX=1; `buildx bake` copies the plan file aside, echoes
    /// the plan's secret values, and writes metadata keyed by the plan's default group (`--print`:
    /// prints the plan); `buildx build` echoes its secrets and writes metadata that records them;
    /// `podman build` writes the image id. FAKE_FAIL (substrings of the Containerfile path, or
    /// `bake`) and FAKE_FAIL_FIRST=N (the first N builds) make builds fail.
    static func fakeEngine(bash: String) -> String {
        "#!\(bash)\n" + #"""
        exe=${0##*/}
        esc() { E=${1//\\/\\\\}; E=${E//\"/\\\"}; }
        esc "$PWD"
        line="{\"exe\": \"$exe\", \"cwd\": \"$E\", \"argv\": ["
        sep=""
        for a in "$@"; do esc "$a"; line+="$sep\"$E\""; sep=", "; done
        printf '%s]}\n' "$line" >> "$FAKE_DIR/argv.log"

        ARGS=("$@")
        opt() { V=""; local prev="" a; for a in "${ARGS[@]}"; do [ "$prev" = "$1" ] && V=$a; prev=$a; done; }
        has() { local a; for a in "${ARGS[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
        fails() {
          local p n
          if [ -n "$FAKE_FAIL_FIRST" ]; then
            n=$(cat "$FAKE_DIR/failed" 2>/dev/null || echo 0)
            if [ "$n" -lt "$FAKE_FAIL_FIRST" ]; then echo $((n + 1)) > "$FAKE_DIR/failed"; return 0; fi
          fi
          for p in $FAKE_FAIL; do [[ "$1" == *"$p"* ]] && return 0; done
          return 1
        }
        SECRETS=""
        reveal() { echo "RUN cat /run/secrets/x: ${!1}"; echo "echoed ${!1}" >&2; SECRETS+="${!1}"; }

        case "$exe $1 $2" in
          "docker buildx version")
            if [ "$FAKE_NO_BUILDX" = 1 ]; then echo "docker: 'buildx' is not a docker command." >&2; exit 1; fi
            echo "github.com/docker/buildx v0.99.0-fake"; exit 0 ;;
          "docker buildx bake")
            opt --file; plan=$V
            if has --print; then cat "$plan"; exit 0; fi
            cp "$plan" "$FAKE_DIR/bake-plan.json"
            echo "#1 [internal] load local bake definitions" >&2
            for v in $(sed -n 's/^ *"env": "\([^"]*\)".*/\1/p' "$plan"); do reveal "$v"; done
            if fails bake; then echo "ERROR: failed to solve: fake bake failure" >&2; exit 1; fi
            opt --metadata-file
            if [ -n "$V" ]; then
              { echo "{"; sep=""
                for uid in $(sed -n '/"default": {/,/]/p' "$plan" | sed -n 's/^ *"\([^"]*\)",\{0,1\}$/\1/p'); do
                  printf '%s  "%s": {"containerimage.digest": "sha256:%064d", "image.name": "fake/%s", "fake.echo": "%s"}' "$sep" "$uid" 1 "$uid" "$SECRETS"
                  sep=$',\n'
                done
                printf '\n}\n'; } > "$V"
            fi
            exit 0 ;;
          "docker buildx build")
            opt --file; file=$V
            echo "#1 [internal] load build definition from ${file##*/}" >&2
            prev=""; for a in "${ARGS[@]}"; do [ "$prev" = "--secret" ] && reveal "${a##*env=}"; prev=$a; done
            echo "#5 [2/3] RUN make" >&2
            if fails "$file"; then echo "ERROR: failed to solve: process \"/bin/sh -c make\" did not complete successfully: exit code: 2" >&2; exit 1; fi
            tags=""; prev=""; for a in "${ARGS[@]}"; do [ "$prev" = "--tag" ] && tags+="${tags:+,}$a"; prev=$a; done
            opt --metadata-file
            if [ -n "$V" ]; then
              printf '{"containerimage.digest": "sha256:%064d", "image.name": "%s", "buildx.build.ref": null, "fake.echo": "%s"}\n' 2 "$tags" "$SECRETS" > "$V"
            fi
            exit 0 ;;
          "podman build "*)
            opt --file; file=$V
            echo "STEP 1/2: FROM base"
            if fails "$file"; then echo "Error: building at STEP \"RUN make\": exit status 2" >&2; exit 1; fi
            echo "COMMIT"
            opt --iidfile; [ -n "$V" ] && printf 'sha256:%064d' 3 > "$V"
            exit 0 ;;
        esac
        exit 0
        """#
    }

    /// One recorded engine call.
    struct Call: Equatable, CustomStringConvertible {
        var exe: String
        var cwd: String
        var argv: [String]
        var description: String { "\(exe) \(argv.joined(separator: " "))" }
        var isProbe: Bool { exe == "docker" && argv == ["buildx", "version"] }
    }

    /// A project, a fake engine and a temporary folder of their own, for one test.
    final class Sandbox {
        let folder: FakeToolFolder
        var root: URL { folder.root }
        var project: URL { folder.project }
        var tmp: URL { folder.tmp }
        var bin: URL { folder.bin }
        var tools: URL { folder.tools }
        var planFile: URL { project.appendingPathComponent(".bakery-bake.json") }

        init(engines: [String] = ["docker"]) throws {
            // Only these tools and the fake engines are on bakery's PATH: no real docker, podman or buildah.
            folder = try FakeToolFolder(prefix: "bakery-build", tools: ["bash", "git", "cat", "sed", "cp"])
            try folder.installFake(engines[0], script: BuildCommandTests.fakeEngine(bash: folder.bash), aliases: Array(engines.dropFirst()))
            try folder.writeProject(config: BuildCommandTests.config,
                                    files: Dictionary(BuildCommandTests.containerfiles.values.map { ($0, "FROM scratch\n") }, uniquingKeysWith: { a, _ in a }))
        }

        func remove() { try? FileManager.default.removeItem(at: root) }

        /// `bakery build <arguments>` in the project, with the fake engines first (and alone) on PATH.
        func build(_ arguments: [String], environment: [String: String] = [:]) throws -> BakeryBinary.Result {
            var env = ["PATH": "\(bin.path):\(tools.path)", "FAKE_DIR": root.path, "TMPDIR": tmp.path, "BAKERY_MAX_CONCURRENCY": "",
                       "FAKE_FAIL": "", "FAKE_FAIL_FIRST": "", "FAKE_NO_BUILDX": ""]
            for (k, v) in environment { env[k] = v }
            return try BakeryBinary.run(["build"] + arguments, in: project, timeout: 60, environment: env)
        }

        /// Every call the fake engines received, in order.
        var calls: [Call] {
            guard let text = try? String(contentsOf: root.appendingPathComponent("argv.log"), encoding: .utf8) else { return [] }
            return text.split(separator: "\n").map { line in
                let json = JSONValue.parse(String(line))
                func string(_ v: JSONValue?) -> String { if case .string(let s)? = v { return s }; return "<\(line)>" }
                var argv: [String] = []
                if case .array(let items)? = json?["argv"] { argv = items.map { string($0) } }
                return Call(exe: string(json?["exe"]), cwd: string(json?["cwd"]), argv: argv)
            }
        }

        /// The calls that build, push or tag: everything but the `docker buildx version` probe.
        var engineCalls: [Call] { calls.filter { !$0.isProbe } }

        func path(_ relative: String) -> String { project.appendingPathComponent(relative).path }

        /// The run folders bakery left in its temporary folder.
        var runFolders: [URL] {
            ((try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []).filter { $0.hasPrefix("posit-bakery") }
                .map { tmp.appendingPathComponent($0) }
        }
    }

    /// The labels bakery gives the test targets (in label order), the created time taken from `argv`.
    static func labels(_ title: String, version: String, created: String) -> [String] {
        ["org.opencontainers.image.created=\(created)", "org.opencontainers.image.source=https://github.com/example/fake",
         "org.opencontainers.image.title=\(title)", "org.opencontainers.image.vendor=Posit Software, PBC",
         "co.posit.image.maintainer=Posit Docker Team <docker@posit.co>", "co.posit.image.name=\(title)",
         "org.opencontainers.image.version=\(version)", "co.posit.image.version=\(version)", "co.posit.image.os=Ubuntu 24.04"]
            .flatMap { ["--label", $0] }
    }

    /// The created timestamp a command line carries (its first label), checked to look like one.
    static func created(_ argv: [String]) -> String {
        let prefix = "org.opencontainers.image.created="
        let value = argv.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } ?? ""
        #expect(value.count >= 19 && value.dropFirst(10).first == "T", "created label: \(value)")
        return value
    }

    /// The plan JSON with the created label's value replaced, so two runs compare equal.
    static func withoutCreated(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.contains("\"org.opencontainers.image.created\": ") ? "<created>" : String(line)
        }.joined(separator: "\n")
    }

    // MARK: - Bake

    @Test func bakeRunsTheReferenceCommandAtTheRootThenPrintsAndRemovesThePlanFile() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try box.build(["--pull", "--no-cache", "--fail-fast", "-j", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("✅ Build completed"))
        let bake = ["buildx", "bake", "--no-cache", "--load", "--pull", "--file", ".bakery-bake.json"]
        #expect(box.calls.first?.isProbe == true)
        #expect(box.engineCalls.map(\.argv) == [bake, bake + ["--print"]])
        #expect(box.engineCalls.allSatisfy { $0.exe == "docker" && $0.cwd == box.project.path })
        #expect(!FileManager.default.fileExists(atPath: box.planFile.path), "the plan file is removed after a successful bake")

        // The file the bake read is what --plan prints (but for the creation time).
        let baked = try String(contentsOf: box.root.appendingPathComponent("bake-plan.json"), encoding: .utf8)
        let plan = try box.build(["--plan"])
        #expect(plan.status == 0)
        #expect(baked.contains("\"org.opencontainers.image.created\": "))
        #expect(Self.withoutCreated(baked) == Self.withoutCreated(plan.stdout))
        #expect(box.engineCalls.count == 2, "--plan runs no engine")
    }

    @Test func bakeWithPlatformsATemporaryRegistryAndAMetadataFileSetsThemInOrder() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let metadata = box.root.appendingPathComponent("out/metadata.json")
        try FileManager.default.createDirectory(at: metadata.deletingLastPathComponent(), withIntermediateDirectories: true)
        let run = try box.build(["--image-platform", "linux/amd64", "--push", "--temp-registry", "ghcr.io/example/tmp",
                                 "--metadata-file", metadata.path, "--no-load"])
        #expect(run.status == 0, "\(run.stderr)")
        let bake = ["buildx", "bake", "--push", "--file", ".bakery-bake.json",
                    "--set", "*.platform=linux/amd64",
                    "--set", "*.output=type=image,push-by-digest=True,name-canonical=True,push=True",
                    "--set", "*.attest=type=provenance,disabled=true",
                    "--metadata-file", metadata.path]
        #expect(box.engineCalls.map(\.argv) == [bake, bake + ["--print"]])
        // buildx wrote the metadata file (keyed by the plan's targets); bakery leaves it as it is.
        let written = try #require(JSONValue.parse(try String(contentsOf: metadata, encoding: .utf8)))
        guard case .object(let fields) = written else { Issue.record("not an object"); return }
        #expect(Array(fields.keys) == [Self.alpha1, Self.alpha2, Self.beta])
        let baked = try String(contentsOf: box.root.appendingPathComponent("bake-plan.json"), encoding: .utf8)
        #expect(baked.contains("\"ghcr.io/example/tmp/alpha/tmp\"") && !baked.contains("ghcr.io/example/alpha:"))
    }

    @Test func aFailedBakeKeepsThePlanFileAndReportsOneFailure() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try box.build([], environment: ["FAKE_FAIL": "bake"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("❌ Build failed"))
        #expect(box.engineCalls.map(\.argv) == [["buildx", "bake", "--load", "--file", ".bakery-bake.json"]], "no --print after a failure")
        #expect(FileManager.default.fileExists(atPath: box.planFile.path), "the plan file stays after a failed bake")
        // One bake, one failure: not the build strategy's per-target group.
        #expect(!run.stderr.contains("build(s) returned errors"))
        #expect(!run.stderr.contains("Failed to build image target"))
        #expect(run.stderr.components(separatedBy: "command: docker buildx bake --load --file .bakery-bake.json").count == 2)
        #expect(run.stderr.contains("ERROR: failed to solve: fake bake failure"))
    }

    @Test func noCleanKeepsThePlanFileAfterASuccessfulBake() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try box.build(["--no-clean"])
        #expect(run.status == 0, "\(run.stderr)")
        let kept = try String(contentsOf: box.planFile, encoding: .utf8)
        #expect(kept == (try String(contentsOf: box.root.appendingPathComponent("bake-plan.json"), encoding: .utf8)))
    }

    @Test func retryRunsTheWholeBakeAgainFiveSecondsLater() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let started = Date()
        let run = try box.build(["--retry", "1"], environment: ["FAKE_FAIL_FIRST": "1"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("WARNING: Build failed for 'bake plan' (attempt 1/2). Retrying in 5s..."))
        let bake = ["buildx", "bake", "--load", "--file", ".bakery-bake.json"]
        #expect(box.engineCalls.map(\.argv) == [bake, bake, bake + ["--print"]])
        #expect(elapsed >= 5, "the retry waited \(elapsed) s")
        #expect(!FileManager.default.fileExists(atPath: box.planFile.path))
    }

    // MARK: - Build strategy

    @Test func buildStrategyRunsBuildxPerTargetInTheReferenceOrder() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let metadata = box.root.appendingPathComponent("metadata.json")
        let run = try box.build(["--strategy", "build", "--engine", "docker", "-j", "1", "--image-name", "alpha", "--image-version", "1.0.0",
                                 "--pull", "--push", "--no-cache", "--cache-registry", "ghcr.io/example/cache", "--metadata-file", metadata.path],
                                environment: ["FAKE_TOKEN": "not-shown"])
        #expect(run.status == 0, "\(run.stderr)")
        let calls = box.engineCalls
        try #require(calls.count == 1, "\(calls)")
        let argv = calls[0].argv
        let runMetadata = argv.firstIndex(of: "--metadata-file").map { argv[$0 + 1] } ?? ""
        #expect(runMetadata.hasPrefix(box.tmp.path + "/posit-bakery") && runMetadata.hasSuffix("/\(Self.alpha1).json"), "\(runMetadata)")
        let cache = "ghcr.io/example/cache/alpha/cache:1.0.0-ubuntu-24.04-amd64"
        let expected = ["buildx", "build", "--progress", "plain"]
            + Self.labels("Alpha", version: "1.0.0", created: Self.created(argv))
            + ["--pull", "--push", "--load", "--metadata-file", runMetadata,
               "--file", box.path(Self.containerfiles[Self.alpha1]!),
               "--cache-from", "type=registry,ref=\(cache)",
               "--cache-to", "type=registry,ref=\(cache),mode=max,compression=zstd,oci-mediatypes=true",
               "--secret", "id=token,env=FAKE_TOKEN",
               "--platform", "linux/amd64", "--no-cache",
               "--tag", "ghcr.io/example/alpha:1.0.0", "--tag", "ghcr.io/example/alpha:1.0.0-ubuntu-24.04",
               "--tag", "ghcr.io/example/alpha:latest", "--tag", "ghcr.io/example/alpha:ubuntu-24.04",
               box.project.path]
        #expect(argv == expected)
        #expect(run.stderr.contains("INFO: Using 1 worker(s) for 1 concurrent operation(s)"))
        #expect(run.stderr.contains("INFO: Building image '\(Self.displays[Self.alpha1]!)'"))
        #expect(run.stderr.contains("INFO: Successfully built image '\(Self.displays[Self.alpha1]!)'"))
        #expect(run.stderr.contains("INFO: Writing build metadata to '\(metadata.path)'."))
        // The metadata file: buildx's object per target UID, null fields dropped.
        let written = try String(contentsOf: metadata, encoding: .utf8)
        #expect(written == """
            {
              "\(Self.alpha1)": {
                "containerimage.digest": "sha256:\(String(repeating: "0", count: 63))2",
                "image.name": "ghcr.io/example/alpha:1.0.0,ghcr.io/example/alpha:1.0.0-ubuntu-24.04,ghcr.io/example/alpha:latest,ghcr.io/example/alpha:ubuntu-24.04",
                "fake.echo": "***"
              }
            }

            """)
        #expect(box.runFolders.isEmpty, "a successful run removes its folder")
    }

    @Test func quietBuildsPassNoProgressAndAStageBecomesTarget() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try box.build(["--strategy", "build", "-q", "--image-name", "beta"])
        #expect(run.status == 0, "\(run.stderr)")
        let argv = try #require(box.engineCalls.first?.argv)
        #expect(box.engineCalls.count == 1)
        #expect(argv == ["buildx", "build"] + Self.labels("Beta", version: "1.0.0", created: Self.created(argv))
                + ["--load", "--file", box.path(Self.containerfiles[Self.beta]!), "--target", "final", "--platform", "linux/amd64",
                   "--tag", "ghcr.io/example/beta:1.0.0", "--tag", "ghcr.io/example/beta:1.0.0-ubuntu-24.04", box.project.path])
        #expect(!run.stderr.contains("[\(Self.beta)]"), "quiet shows no engine output")
    }

    @Test func aSummaryWithoutAMetadataFileAsksBuildxForNoneAndWarnsOfNone() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try box.build(["--strategy", "build", "--image-name", "alpha", "--image-version", "2.0.0", "--image-platform", "linux/arm64", "--summary"])
        #expect(run.status == 0, "\(run.stderr)")
        let argv = try #require(box.engineCalls.first?.argv)
        #expect(!argv.contains("--metadata-file"))
        #expect(argv.firstIndex(of: "--platform").map { argv[$0 + 1] } == "linux/arm64", "CLI platforms replace the target's")
        #expect(!run.stderr.contains("WARNING"), "\(run.stderr)")
        #expect(run.stderr.contains("Build Summary"))
    }

    @Test func withoutBuildxAndWithoutAStrategyBakeryWarnsAndBuildsWithPodman() throws {
        let box = try Sandbox(engines: ["docker", "podman"])
        defer { box.remove() }
        let run = try box.build(["-j", "1"], environment: ["FAKE_NO_BUILDX": "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("WARNING: docker buildx is not available (engines found: docker (without buildx), podman); building target by target with podman instead (--strategy build)"))
        let calls = box.engineCalls
        #expect(calls.allSatisfy { $0.exe == "podman" }, "\(calls)")
        try #require(calls.count == 5, "\(calls)")
        let created = Self.created(calls[0].argv)
        func iid(_ uid: String) -> String {
            for call in calls { if let i = call.argv.firstIndex(of: "--iidfile"), call.argv[i + 1].hasSuffix("/\(uid).iid") { return call.argv[i + 1] } }
            return "<no iidfile for \(uid)>"
        }
        let alpha1: [String] = ["build", "--force-rm"] + Self.labels("Alpha", version: "1.0.0", created: created)
            + ["--file", box.path(Self.containerfiles[Self.alpha1]!), "--layers", "--platform", "linux/amd64",
               "--tag", "ghcr.io/example/alpha:1.0.0", "--tag", "ghcr.io/example/alpha:1.0.0-ubuntu-24.04",
               "--tag", "ghcr.io/example/alpha:latest", "--tag", "ghcr.io/example/alpha:ubuntu-24.04",
               "--iidfile", iid(Self.alpha1), box.project.path]
        let alpha2: [String] = ["build", "--force-rm"] + Self.labels("Alpha", version: "2.0.0", created: created)
            + ["--file", box.path(Self.containerfiles[Self.alpha2]!), "--layers", "--platform", "linux/amd64,linux/arm64",
               "--manifest", "ghcr.io/example/alpha:2.0.0", "--iidfile", iid(Self.alpha2), box.project.path]
        let beta: [String] = ["build", "--force-rm"] + Self.labels("Beta", version: "1.0.0", created: created)
            + ["--file", box.path(Self.containerfiles[Self.beta]!), "--target", "final", "--layers", "--platform", "linux/amd64",
               "--tag", "ghcr.io/example/beta:1.0.0", "--tag", "ghcr.io/example/beta:1.0.0-ubuntu-24.04",
               "--iidfile", iid(Self.beta), box.project.path]
        #expect(calls[0].argv == alpha1)
        // A list of two platforms: an old list of that name is removed first, the other tags added after.
        #expect(calls[1].argv == ["manifest", "rm", "ghcr.io/example/alpha:2.0.0"])
        #expect(calls[2].argv == alpha2)
        #expect(calls[3].argv == ["tag", "ghcr.io/example/alpha:2.0.0", "ghcr.io/example/alpha:2.0.0-ubuntu-24.04"])
        #expect(calls[4].argv == beta)
    }

    @Test func askingForBakeWithoutBuildxNamesTheEnginesFound() throws {
        let box = try Sandbox(engines: ["docker", "podman"])
        defer { box.remove() }
        let run = try box.build(["--strategy", "bake"], environment: ["FAKE_NO_BUILDX": "1"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("❌ --strategy bake runs `docker buildx bake`, but docker buildx is not available here (engines found: docker (without buildx), podman)."))
        #expect(box.engineCalls.isEmpty, "\(box.engineCalls)")
        #expect(box.calls.count == 1)
        #expect(!FileManager.default.fileExists(atPath: box.planFile.path))
    }

    @Test(arguments: [
        (["--strategy", "bake", "--engine", "podman"], "--engine podman builds target by target"),
        (["--jobs", "0"], "--jobs must be at least 1."),
        (["-j", "0", "--strategy", "build"], "--jobs must be at least 1."),
        (["--retry", "-1"], "--retry must be 0 or more."),
        (["--strategy", "parallel"], "Invalid value for '--strategy': 'parallel' is not one of 'bake', 'build'."),
        (["--engine", "nerdctl"], "Invalid value for '--engine': 'nerdctl' is not one of 'auto', 'docker', 'podman', 'buildah'."),
    ])
    func usageErrorsExitTwoAndRunNothing(_ arguments: [String], _ message: String) throws {
        let box = try Sandbox(engines: ["docker", "podman"])
        defer { box.remove() }
        let run = try box.build(arguments)
        #expect(run.status == 2, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(box.calls.isEmpty, "\(box.calls)")
    }

    @Test func aMetadataFileNeedsASinglePlatformPerTarget() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let message = "❌ --metadata-file requires a single platform: the following target(s) build for multiple platforms, which produces an index descriptor with no platform that 'dgoss run' / 'ci publish' cannot resolve. Pass a single --image-platform (e.g. 'linux/amd64'):"
        let own = try box.build(["--metadata-file", "m.json", "--strategy", "build"])
        #expect(own.status == 1)
        #expect(own.stderr.contains(message + "\n  - \(Self.alpha2)\n"), "\(own.stderr)")
        #expect(!own.stderr.contains("  - \(Self.alpha1)"))
        let cli = try box.build(["--metadata-file", "m.json", "--image-platform", "linux/arm64", "--image-platform", "linux/amd64"])
        #expect(cli.status == 1)
        #expect(cli.stderr.contains(message + "\n  - \(Self.alpha1)\n  - \(Self.alpha2)\n  - \(Self.beta)\n"), "\(cli.stderr)")
        #expect(box.calls.isEmpty, "nothing is built (nor probed)")
        #expect(!FileManager.default.fileExists(atPath: box.path("m.json")))
        // One platform is fine.
        let single = try box.build(["--metadata-file", "m.json", "--image-platform", "linux/amd64", "--image-name", "beta"])
        #expect(single.status == 0, "\(single.stderr)")

        // The UIDs are sorted, not in build order: 1.0.0 builds before 1.0.0-rc, whose UID sorts first.
        try Data("""
            repository:
              url: "github.com/example/fake"
            images:
              - name: gamma
                versions:
                  - name: 1.0.0
                    os:
                      - name: "Ubuntu 24.04"
                        platforms: ["linux/amd64", "linux/arm64"]
                  - name: 1.0.0-rc
                    os:
                      - name: "Ubuntu 24.04"
                        platforms: ["linux/amd64", "linux/arm64"]

            """.utf8).write(to: box.project.appendingPathComponent("bakery.yaml"))
        let plan = try box.build(["--plan"])
        #expect(plan.stdout.components(separatedBy: "gamma-1-0-0-ubuntu-24-04")[0].contains("gamma-1-0-0-rc-ubuntu-24-04") == false,
                "1.0.0 comes first in the plan")
        let sorted = try box.build(["--metadata-file", "m.json"])
        #expect(sorted.status == 1)
        #expect(sorted.stderr.contains(message + "\n  - gamma-1-0-0-rc-ubuntu-24-04\n  - gamma-1-0-0-ubuntu-24-04\n"), "\(sorted.stderr)")
    }

    @Test func aMissingContainerfileFailsAtOnceWithoutRetry() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try FileManager.default.removeItem(atPath: box.path(Self.containerfiles[Self.beta]!))
        let started = Date()
        let run = try box.build(["--strategy", "build", "--retry", "1", "--image-name", "beta"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("Containerfile not found for '\(Self.displays[Self.beta]!)' at expected path: \(box.path(Self.containerfiles[Self.beta]!))"))
        #expect(!run.stderr.contains("Retrying"))
        #expect(box.engineCalls.isEmpty)
        #expect(run.stderr.contains("❌ Build failed"))
        // No "Retrying" line above is the check; the time only guards against a pause of 5 s per retry piling up.
        #expect(Date().timeIntervalSince(started) < 15, "no retry pause")
    }

    @Test func severalFailuresPrintTheReferenceGroupText() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try box.build(["--strategy", "build", "-j", "1"],
                                environment: ["FAKE_FAIL": "\(Self.containerfiles[Self.alpha1]!) \(Self.containerfiles[Self.beta]!)"])
        #expect(run.status == 1)
        let calls = box.engineCalls
        try #require(calls.count == 3)
        var group = ""
        for (uid, call) in [(Self.alpha1, calls[0]), (Self.beta, calls[2])] {
            let display = Self.displays[uid]!
            #expect(run.stderr.contains("ERROR: Failed to build image target '\(display)'."))
            group += "Failed to build image '\(display)'\n  - Command executed: 'docker \(call.argv.joined(separator: " "))'\n  - Metadata:\n    - image_target: \(display)\n\n"
        }
        group += "\n2 build(s) returned errors\n"
        #expect(run.stderr.contains(group), "\(run.stderr)")
        let groupEnd = try #require(run.stderr.range(of: group)?.upperBound)
        #expect(run.stderr[groupEnd...].contains("❌ Build failed"))
        #expect(run.stderr.contains("INFO: Successfully built image '\(Self.displays[Self.alpha2]!)'"))
        #expect(!box.runFolders.isEmpty, "a failed run keeps its logs")
    }

    @Test func failFastSkipsTheTargetsNotYetStarted() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fail = ["FAKE_FAIL": Self.containerfiles[Self.alpha1]!]
        let run = try box.build(["--strategy", "build", "-j", "1", "--fail-fast"], environment: fail)
        #expect(run.status == 1)
        #expect(box.engineCalls.count == 1, "\(box.engineCalls)")
        #expect(box.engineCalls.first?.argv.contains(box.path(Self.containerfiles[Self.alpha1]!)) == true)
        for uid in [Self.alpha2, Self.beta] {
            #expect(run.stderr.contains("INFO: Skipped '\(Self.displays[uid]!)': not started: --fail-fast after '\(Self.displays[Self.alpha1]!)' failed"))
        }
        // Without it, the others still build.
        let all = try box.build(["--strategy", "build", "-j", "1"], environment: fail)
        #expect(all.status == 1)
        #expect(box.engineCalls.count == 4)
    }

    // MARK: - Secrets

    /// The value the fake engine prints and records must never come out of bakery: not on stdout or
    /// stderr, not in a log, not in the metadata file.
    @Test func aBuildSecretValueIsMaskedEverywhereBakeryWrites() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let secret = "tok-31415926-secret"
        let metadata = box.root.appendingPathComponent("metadata.json")
        let built = try box.build(["--strategy", "build", "--image-platform", "linux/amd64", "--metadata-file", metadata.path, "--no-clean"],
                                  environment: ["FAKE_TOKEN": secret])
        #expect(built.status == 0, "\(built.stderr)")
        let failed = try box.build(["--strategy", "build", "--image-name", "alpha", "--image-version", "1.0.0"],
                                   environment: ["FAKE_TOKEN": secret, "FAKE_FAIL": "alpha/"])
        #expect(failed.status == 1)
        let baked = try box.build(["--no-clean"], environment: ["FAKE_TOKEN": secret])
        #expect(baked.status == 0, "\(baked.stderr)")

        for run in [built, failed, baked] {
            #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret))
            #expect(run.stderr.contains("RUN cat /run/secrets/x: ***"), "\(run.stderr)")
        }
        #expect(failed.stderr.contains("echoed ***"), "the failure's error tail is masked too")
        let written = try String(contentsOf: metadata, encoding: .utf8)
        #expect(!written.contains(secret))
        #expect(written.contains("\"fake.echo\": \"***\""))
        var logs = 0, engineSaw = false
        for folder in box.runFolders {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
                let text = (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
                if name.hasSuffix(".log") {
                    logs += 1
                    #expect(!text.contains(secret), "\(name)")
                } else if text.contains(secret) {
                    engineSaw = true  // the engine's own metadata file: proof the value reached it
                }
            }
        }
        #expect(logs >= 5, "logs of the kept runs: 3 targets, 1 failed target, 1 bake")
        #expect(engineSaw, "the fake engine never received the secret value")
        #expect(!(try String(contentsOf: box.planFile, encoding: .utf8)).contains(secret), "the plan names the variable, not its value")
    }
}
