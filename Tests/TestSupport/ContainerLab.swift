// The container lab (scripts/container-lab) for tests that build, push and inspect images without internet:
// a loopback registry serving the Debian bookworm minbase stand-in as docker.io/library/ubuntu:{24.04,22.04}
// (an amd64 + arm64 index when qemu-user-static can run arm64 here), and the engine configurations that make
// podman and buildah work on this host. See Tests/README.md.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One lab per test process, started on first use and stopped when the process exits.
///
///     @Test(.enabled(if: ContainerLab.shouldRun))
///     func pushes() async throws {
///         let lab = try await ContainerLab.shared()
///         let build = try await lab.run("buildah", ["build", "-t", "localhost/x:1", "."], in: context)
///         ...
///         #expect(try await lab.tags(repository: "x") == ["1"])
///     }
///
/// Locally, missing tools (or not being root) skip the test with a printed reason; under
/// `BAKERY_REQUIRE_TOOLS=1` (CI) the test runs and `shared` throws, which fails it.
///
/// Every call that waits on child processes comes twice: synchronous, and `async` (same name, with
/// `await`), which waits on a thread of its own instead of the cooperative pool that all tests share.
/// Prefer the async forms: the pool has one thread per core (two here), the first `up` of a checkout
/// takes half a minute or more and builds take long, and every async test stalls while a synchronous
/// test holds a pool thread that long.
public final class ContainerLab: Sendable {
    /// The tools the lab and its tests use.
    public static let tools = ["buildah", "podman", "skopeo", "docker-registry", "debootstrap", "runc", "curl", "python3"]
    public static let installHint = "apt-get install buildah podman runc skopeo docker-registry debootstrap uidmap fuse-overlayfs"
    /// The image the rootfs is imported as, and the label on it that names the rootfs tarball's sha256.
    public static let standInImage = "localhost/bakery-standin:bookworm"
    /// The arm64 stand-in (debootstrap --foreign, second stage under qemu), imported with `--arch arm64`.
    public static let arm64StandInImage = "localhost/bakery-standin:bookworm-arm64"
    /// What runs arm64 binaries here: qemu's static aarch64 interpreter, registered with binfmt_misc.
    public static let qemuAarch64 = "/usr/bin/qemu-aarch64-static"
    public static let arm64InstallHint = "apt-get install qemu-user-static binfmt-support"
    public static let rootfsDigestLabel = "bakery.container-lab.rootfs-sha256"
    public static let script = BakeryBinary.repositoryRoot.appendingPathComponent("scripts/container-lab")

    /// The lab's folder (configurations, registry storage, `env`); removed at exit.
    public let directory: URL
    /// CONTAINERS_CONF, CONTAINERS_REGISTRIES_CONF, BAKERY_LAB_REGISTRY, BAKERY_LAB_DIR, BAKERY_LAB_PLATFORMS: what a bakery child or
    /// an engine needs (added to the inherited environment).
    public let environment: [String: String]
    /// "127.0.0.1:PORT".
    public let registry: String
    /// The sha256 of the cached rootfs tarball, as the stand-in's label carries it.
    public let rootfsDigest: String
    /// The platforms the served names resolve to (`BAKERY_LAB_PLATFORMS`): `linux/amd64`, then `linux/arm64`
    /// when the lab could run arm64 binaries (each served name is then an index of both).
    public let platforms: [String]
    /// The sha256 of the cached arm64 rootfs tarball (the arm64 stand-in's label), when arm64 is served.
    public let arm64RootfsDigest: String?

    /// Whether `FROM docker.io/library/ubuntu:24.04` with `--platform linux/arm64` gets an arm64 image here.
    public var supportsArm64: Bool { platforms.contains("linux/arm64") }

    private init(directory: URL, environment: [String: String], registry: String, rootfsDigest: String,
                 platforms: [String], arm64RootfsDigest: String?) {
        self.directory = directory
        self.environment = environment
        self.registry = registry
        self.rootfsDigest = rootfsDigest
        self.platforms = platforms
        self.arm64RootfsDigest = arm64RootfsDigest
    }

    // MARK: Starting and stopping

    /// What is missing for the lab here: tools not on PATH, and root.
    public static var missingRequirements: [String] {
        var missing = tools.filter { ExternalTool.locate($0) == nil }
        if !missing.isEmpty { missing[missing.count - 1] += " (\(installHint))" }
        if getuid() != 0 { missing.append("root (for debootstrap and the rootful containers-storage)") }
        return missing
    }

    /// Whether a test needing the lab should run: everything is there, or CI requires it (and `shared` will
    /// throw). Decided, and a skip reason printed, once per process.
    public static var shouldRun: Bool { verdict }

    private static let verdict: Bool = {
        let missing = missingRequirements
        if !missing.isEmpty && !ExternalTool.toolsRequired {
            print("⚠️  skipping: the container lab needs \(missing.joined(separator: ", ")); CI runs this with BAKERY_REQUIRE_TOOLS=1")
        }
        return missing.isEmpty || ExternalTool.toolsRequired
    }()

    /// What is missing for arm64 builds beyond the lab itself: qemu-user-static, and a way to run it through
    /// binfmt_misc (an enabled qemu-aarch64 entry, or update-binfmts, with which `up` enables it).
    public static var missingArm64Requirements: [String] {
        var missing: [String] = []
        if ProcessInfo.processInfo.environment["BAKERY_LAB_ARM64"] == "no" { missing.append("BAKERY_LAB_ARM64 unset (it is \"no\")") }
        if !FileManager.default.isExecutableFile(atPath: qemuAarch64) { missing.append("\(qemuAarch64) (\(arm64InstallHint))") }
        let entry = (try? String(contentsOfFile: "/proc/sys/fs/binfmt_misc/qemu-aarch64", encoding: .utf8)) ?? ""
        let enabled = entry.split(separator: "\n").first == "enabled"
        if !enabled && ExternalTool.locate("update-binfmts") == nil {
            missing.append("update-binfmts or an enabled binfmt_misc qemu-aarch64 entry (\(arm64InstallHint))")
        }
        return missing
    }

    /// Whether a test building for linux/arm64 should run: the lab should, and qemu-user-static with binfmt is
    /// there (or CI requires it: the test then fails on a lab without arm64). Decided, and a skip reason
    /// printed, once per process.
    public static var shouldRunArm64: Bool { arm64Verdict }

    private static let arm64Verdict: Bool = {
        guard shouldRun else { return false }
        let missing = missingArm64Requirements
        if !missing.isEmpty && !ExternalTool.toolsRequired {
            print("⚠️  skipping: linux/arm64 builds in the container lab need \(missing.joined(separator: ", ")); CI runs this with BAKERY_REQUIRE_TOOLS=1")
        }
        return missing.isEmpty || ExternalTool.toolsRequired
    }()

    /// The process's lab, started by the first caller (the others wait); a failed start is not retried.
    /// Blocks the calling thread while the lab starts: from an async test use `shared()`.
    public static var shared: ContainerLab {
        get throws { try starter.wait() }
    }

    /// `shared`, waited for without holding a thread of the cooperative pool.
    public static func shared() async throws -> ContainerLab {
        try await starter.lab()
    }

    private static let starter = Starter()

    /// Starts the lab once, on a plain thread, and hands the outcome to everyone who asked.
    private final class Starter: @unchecked Sendable {
        private let condition = NSCondition()
        private var outcome: Result<ContainerLab, any Error>?
        private var waiting: [CheckedContinuation<ContainerLab, any Error>] = []
        private var starting = false

        /// Starts the lab on a thread of its own unless that has happened. Called with the condition locked.
        private func beginIfNeeded() {
            guard !starting else { return }
            starting = true
            Thread.detachNewThread {
                let outcome = Result { try ContainerLab.start() }
                self.condition.lock()
                self.outcome = outcome
                let waiting = self.waiting
                self.waiting = []
                self.condition.broadcast()
                self.condition.unlock()
                for continuation in waiting { continuation.resume(with: outcome) }
            }
        }

        func wait() throws -> ContainerLab {
            condition.lock()
            defer { condition.unlock() }
            beginIfNeeded()
            while outcome == nil { condition.wait() }
            return try outcome!.get()
        }

        func lab() async throws -> ContainerLab {
            try await withCheckedThrowingContinuation { continuation in
                condition.lock()
                if let outcome {
                    condition.unlock()
                    continuation.resume(with: outcome)
                    return
                }
                waiting.append(continuation)
                beginIfNeeded()
                condition.unlock()
            }
        }
    }


    /// The lab's folder for this process (a new path; `up` creates it).
    private static let labDirectory = FileManager.default.temporaryDirectory
        .appendingPathComponent("bakery-lab-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())")

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private static func start() throws -> ContainerLab {
        let missing = missingRequirements
        guard missing.isEmpty else {
            throw Failure(description: "the container lab is required (BAKERY_REQUIRE_TOOLS=1) but needs \(missing.joined(separator: ", "))")
        }
        let dir = labDirectory
        // Stop it at exit, whatever happens below (`down` on a folder that never became a lab does nothing).
        atexit { ContainerLab.stop() }
        let began = Date()
        // --owner: the script also stops the lab if this process dies without running its atexit handlers.
        let ending = try ChildProcess.start(script.path, ["up", dir.path, "--owner", String(getpid())], in: BakeryBinary.repositoryRoot)
            .finish(timeout: 1200)
        guard !ending.timedOut, ending.status == 0 else {
            throw Failure(description: "scripts/container-lab up \(dir.path) \(ending.timedOut ? "timed out" : "failed with status \(ending.status)"):\n\(ending.stderr)")
        }
        let envText = try String(contentsOf: dir.appendingPathComponent("env"), encoding: .utf8)
        var environment: [String: String] = [:]
        for line in envText.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard let registry = environment["BAKERY_LAB_REGISTRY"], environment["CONTAINERS_CONF"] != nil,
              environment["CONTAINERS_REGISTRIES_CONF"] != nil else {
            throw Failure(description: "scripts/container-lab up wrote an incomplete \(dir.path)/env:\n\(envText)")
        }
        let cache = BakeryBinary.repositoryRoot.appendingPathComponent(".build/container-lab")
        let rootfsDigest = try String(contentsOf: cache.appendingPathComponent("bookworm-minbase.tar.sha256"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let platforms = (environment["BAKERY_LAB_PLATFORMS"] ?? "linux/amd64").split(separator: ",").map(String.init)
        var arm64RootfsDigest: String?
        if platforms.contains("linux/arm64") {
            arm64RootfsDigest = try String(contentsOf: cache.appendingPathComponent("bookworm-arm64-minbase.tar.sha256"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        print("container lab: up in \(String(format: "%.1f", Date().timeIntervalSince(began))) s, registry \(registry), "
              + "platforms \(platforms.joined(separator: ",")), folder \(dir.path)")
        return ContainerLab(directory: dir, environment: environment, registry: registry, rootfsDigest: rootfsDigest,
                            platforms: platforms, arm64RootfsDigest: arm64RootfsDigest)
    }

    /// `scripts/container-lab down`: stops the registry (by its recorded PID) and removes the folder.
    private static func stop() {
        guard let child = try? ChildProcess.start(script.path, ["down", labDirectory.path], in: BakeryBinary.repositoryRoot) else { return }
        let ending = child.finish(timeout: 60)
        if ending.status != 0 { print("container lab: down failed (\(ending.status)): \(ending.stderr)") }
    }

    // MARK: Running tools

    /// Runs `tool` (found on PATH) with the lab's environment; skopeo also gets `--registries-conf`, since
    /// skopeo 1.9 ignores CONTAINERS_REGISTRIES_CONF. A run still going after `timeout` seconds is killed
    /// and reported with status -1.
    public func run(_ tool: String, _ arguments: [String], in directory: URL? = nil, timeout: Double = 600) throws -> BakeryBinary.Result {
        guard let path = ExternalTool.locate(tool) else { throw Failure(description: "\(tool) is not installed (\(Self.installHint))") }
        let arguments = tool == "skopeo" ? ["--registries-conf", environment["CONTAINERS_REGISTRIES_CONF"]!] + arguments : arguments
        return try execute(path, arguments, in: directory ?? self.directory, timeout: timeout)
    }

    /// Runs the built bakery with the lab's environment (its engines then pull the stand-in and push to the lab).
    public func bakery(_ arguments: [String], in directory: URL, timeout: Double = 1200) throws -> BakeryBinary.Result {
        try execute(BakeryBinary.path, arguments, in: directory, timeout: timeout)
    }

    private func execute(_ executable: String, _ arguments: [String], in directory: URL, timeout: Double) throws -> BakeryBinary.Result {
        let ending = try ChildProcess.start(executable, arguments, in: directory, environment: environment).finish(timeout: timeout)
        return BakeryBinary.Result(status: ending.timedOut ? -1 : ending.status, stdout: ending.stdout, stderr: ending.stderr)
    }

    /// Runs `tool` and returns its stdout, throwing with its stderr when it fails.
    @discardableResult
    public func output(_ tool: String, _ arguments: [String], in directory: URL? = nil) throws -> String {
        let result = try run(tool, arguments, in: directory)
        guard result.status == 0 else {
            throw Failure(description: "\(tool) \(arguments.joined(separator: " ")) failed with status \(result.status):\n\(result.stderr)")
        }
        return result.stdout
    }

    // MARK: Checks on the registry and the local store

    /// The tags of `repository` in the lab registry ("bakery-test/app", or with the registry in front),
    /// from the registry API's tags/list; none for a repository never pushed. Sorted.
    public func tags(repository: String) throws -> [String] {
        let name = repository.hasPrefix(registry + "/") ? String(repository.dropFirst(registry.count + 1)) : repository
        let body = try output("curl", ["-sS", "--max-time", "30", "http://\(registry)/v2/\(name)/tags/list"])
        guard let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            throw Failure(description: "tags/list of \(name) is not a JSON object: \(body)")
        }
        if let errors = json["errors"] as? [[String: Any]] {
            if errors.contains(where: { $0["code"] as? String == "NAME_UNKNOWN" }) { return [] }
            throw Failure(description: "tags/list of \(name): \(body)")
        }
        return ((json["tags"] as? [String]) ?? []).sorted()
    }

    /// The digest the registry serves a reference's manifest under (its Docker-Content-Digest): the
    /// sha256 of `skopeo inspect --raw`. `reference` is a registry reference ("127.0.0.1:PORT/x:1",
    /// "docker.io/library/ubuntu:24.04" through the lab's registries.conf), with or without `docker://`.
    public func manifestDigest(reference: String) throws -> String {
        let raw = try output("skopeo", ["inspect", "--raw", Self.transport(reference)])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-lab-manifest-\(UUID().uuidString).json")
        try Data(raw.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try output("skopeo", ["manifest-digest", file.path]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The image configuration (`skopeo inspect --config`) of a registry reference, as parsed JSON.
    public func imageConfig(reference: String) throws -> [String: Any] {
        let text = try output("skopeo", ["inspect", "--config", Self.transport(reference)])
        guard let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw Failure(description: "the config of \(reference) is not a JSON object: \(text)")
        }
        return json
    }

    /// The image's labels (its config's config.Labels).
    public func labels(reference: String) throws -> [String: String] {
        let config = try imageConfig(reference: reference)
        return ((config["config"] as? [String: Any])?["Labels"] as? [String: String]) ?? [:]
    }

    /// The `created_by` line of each history entry of the image's config, oldest first (to check
    /// what the build ran, and that no secret appears in it).
    public func history(reference: String) throws -> [String] {
        let config = try imageConfig(reference: reference)
        return ((config["history"] as? [[String: Any]]) ?? []).compactMap { $0["created_by"] as? String }
    }

    /// The local image's ID (containers-storage), or nil when there is no image by that name.
    public func localImageID(_ name: String) throws -> String? {
        let result = try run("podman", ["image", "inspect", "--format", "{{.Id}}", name])
        return result.status == 0 ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    /// Removes local images (names or IDs; an image with other names only loses this one). Names
    /// that do not exist are ignored. Suites running at once build identical content (the same image
    /// ID under different names, through the shared layer cache), so another suite's build may be
    /// using the image right now: then the names are only untagged, and the image stays for that build.
    public func removeLocalImages(_ names: [String]) throws {
        guard !names.isEmpty else { return }
        let result = try run("podman", ["rmi", "--ignore"] + names)
        guard result.status != 0 else { return }
        guard result.stderr.contains("in use by a container") else {
            throw Failure(description: "podman rmi --ignore \(names.joined(separator: " ")) failed with status \(result.status):\n\(result.stderr)")
        }
        for name in names where try localImageID(name) != nil {
            try output("podman", ["untag", name, name])
        }
    }

    // MARK: The same, off the cooperative pool

    public func run(_ tool: String, _ arguments: [String], in directory: URL? = nil, timeout: Double = 600) async throws -> BakeryBinary.Result {
        try await Self.onPlainThread { try self.run(tool, arguments, in: directory, timeout: timeout) }
    }

    public func bakery(_ arguments: [String], in directory: URL, timeout: Double = 1200) async throws -> BakeryBinary.Result {
        try await Self.onPlainThread { try self.bakery(arguments, in: directory, timeout: timeout) }
    }

    @discardableResult
    public func output(_ tool: String, _ arguments: [String], in directory: URL? = nil) async throws -> String {
        try await Self.onPlainThread { try self.output(tool, arguments, in: directory) }
    }

    public func tags(repository: String) async throws -> [String] {
        try await Self.onPlainThread { try self.tags(repository: repository) }
    }

    public func manifestDigest(reference: String) async throws -> String {
        try await Self.onPlainThread { try self.manifestDigest(reference: reference) }
    }

    public func imageConfig(reference: String) async throws -> [String: Any] {
        try await Self.onPlainThread { UncheckedBox(value: try self.imageConfig(reference: reference)) }.value
    }

    public func labels(reference: String) async throws -> [String: String] {
        try await Self.onPlainThread { try self.labels(reference: reference) }
    }

    public func history(reference: String) async throws -> [String] {
        try await Self.onPlainThread { try self.history(reference: reference) }
    }

    public func localImageID(_ name: String) async throws -> String? {
        try await Self.onPlainThread { try self.localImageID(name) }
    }

    public func removeLocalImages(_ names: [String]) async throws {
        try await Self.onPlainThread { try self.removeLocalImages(names) }
    }

    /// Runs blocking code on a thread of its own, off the cooperative pool.
    public static func onPlainThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Parsed JSON handed from the plain thread back to the caller, which is its only user.
    private struct UncheckedBox: @unchecked Sendable {
        var value: [String: Any]
    }

    private static func transport(_ reference: String) -> String {
        reference.contains("://") ? reference : "docker://\(reference)"
    }
}
