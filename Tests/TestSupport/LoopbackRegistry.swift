// A docker-registry of its own for one test, on 127.0.0.1: without auth (a temp registry) or with htpasswd
// basic auth (a destination), killable and restartable on the same port. See Tests/README.md.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `docker-registry` on 127.0.0.1:<free port>, its storage in a new folder, that lives as long as the
/// value does (or until `stop`), and never longer than the test process.
///
///     @Test(.enabled(if: LoopbackRegistry.shouldRun))
///     func publishes() async throws {
///         let destination = try await LoopbackRegistry.start(account: .init(username: "tester", password: "s3cret"))
///         defer { destination.stop() }
///         ... push to destination.host, then `try await destination.restart()` and push again ...
///     }
///
/// Unlike `ContainerLab` (one shared registry with a base image in it, which needs root and the engines),
/// each call makes a new, empty registry, so a test can kill and restart its own without disturbing others.
/// Locally, a missing docker-registry or htpasswd skips the test with a printed reason; under
/// `BAKERY_REQUIRE_TOOLS=1` (CI) the test runs and `start` throws, which fails it.
public final class LoopbackRegistry: @unchecked Sendable {
    /// The credentials of the registry's single htpasswd user.
    public struct Account: Sendable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The realm of the basic-auth challenge (`Www-Authenticate: Basic realm="bakery-test"`).
    public static let realm = "bakery-test"
    /// The tools a registry needs: docker-registry always, htpasswd for one with an account.
    public static let tools = ["docker-registry", "htpasswd"]
    public static let installHint = "apt-get install docker-registry apache2-utils"

    /// "127.0.0.1:PORT", as a reference's registry part.
    public let host: String
    /// http://127.0.0.1:PORT
    public let baseURL: URL
    public let port: UInt16
    /// The account the registry demands, or nil when it lets anyone in.
    public let account: Account?
    /// The folder that holds the configuration, the htpasswd file, the log and `storage`; removed by `stop`.
    public let directory: URL
    /// The registry's storage root (its `storage.filesystem.rootdirectory`), below `directory`.
    public let storage: URL
    /// The registry's output at info level (a "response completed" line per answered request, a warning per refused
    /// one), appended to across restarts.
    public let logFile: URL

    private let configFile: URL
    /// Sent back in a header on every response, so readiness is decided by this registry answering, not by
    /// whatever else might hold the port.
    private let instanceID: String
    /// Added to the test's environment for every launch (before the REGISTRY_* variables go).
    private let environment: [String: String]
    private let lock = NSLock()
    private var currentPID: pid_t
    private var running: Bool
    private var removed = false

    private init(account: Account?, environment: [String: String], directory: URL, port: UInt16, instanceID: String) {
        self.account = account
        self.environment = environment
        self.directory = directory
        self.port = port
        self.instanceID = instanceID
        currentPID = 0
        running = true
        host = "127.0.0.1:\(port)"
        baseURL = URL(string: "http://127.0.0.1:\(port)")!
        storage = directory.appendingPathComponent("storage")
        logFile = directory.appendingPathComponent("registry.log")
        configFile = directory.appendingPathComponent("config.yml")
    }

    deinit {
        stop()
    }

    /// The PID of the registry process: the running one, or the last one after `kill` or `stop`.
    public var pid: Int32 {
        lock.withLock { currentPID }
    }

    /// Whether the process is running (false after `kill` or `stop`, until `restart`).
    public var isRunning: Bool {
        lock.withLock { running }
    }

    // MARK: Whether tests can run

    /// The tools not on PATH, the last one with the install hint.
    public static var missingTools: [String] {
        var missing = tools.filter { ExternalTool.locate($0) == nil }
        if !missing.isEmpty { missing[missing.count - 1] += " (\(installHint))" }
        return missing
    }

    /// Whether docker-registry and htpasswd are both on PATH (the tests start registries of both kinds).
    public static var isAvailable: Bool { missingTools.isEmpty }

    /// Whether a test needing registries should run: the tools are there, or CI requires them (and `start`
    /// will throw). Decided, and a skip reason printed, once per process.
    public static var shouldRun: Bool { verdict }

    private static let verdict: Bool = {
        let missing = missingTools
        if !missing.isEmpty && !ExternalTool.toolsRequired {
            print("⚠️  skipping: the loopback registry needs \(missing.joined(separator: ", ")); CI runs this with BAKERY_REQUIRE_TOOLS=1")
        }
        return missing.isEmpty || ExternalTool.toolsRequired
    }()

    // MARK: Starting

    /// Starts docker-registry on 127.0.0.1:<free port> with storage in a new temporary folder (deletion
    /// enabled); with `account`, htpasswd basic auth (realm "bakery-test"). Returns once `/v2/` answers (401
    /// counts when auth is on). `environment` is added to the test's environment before every `REGISTRY_*`
    /// variable is removed from it (docker-registry reads those as configuration; `REGISTRY_AUTH_FILE`, the
    /// containers tools' auth file, breaks it), so nothing there reaches the registry.
    /// Blocks the calling thread for a few tenths of a second: from an async test use `start(account:) async`.
    public static func start(account: Account? = nil, environment: [String: String] = [:]) throws -> LoopbackRegistry {
        if let account { try validate(account) }
        let needed = account == nil ? ["docker-registry"] : tools
        let missing = needed.filter { ExternalTool.locate($0) == nil }
        guard missing.isEmpty else {
            throw Failure(description: "the loopback registry cannot start: not on PATH: \(missing.joined(separator: ", ")) (\(installHint))")
        }
        cleanupAtExit.install()

        let instanceID = UUID().uuidString.lowercased()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bakery-registry-\(getpid())-\(instanceID.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("storage"), withIntermediateDirectories: true)
        do {
            let htpasswd = try account.map { try writeHtpasswd($0, in: directory) }
            // A fixed secret for the life of the folder: an upload begun before `restart` stays valid after it.
            let secret = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            var lastFailure = ""
            // A free port can be taken between finding it and the registry binding it: try another.
            for _ in 1...3 {
                let port = try freePort()
                try configuration(directory: directory, port: port, secret: secret, instanceID: instanceID, htpasswd: htpasswd)
                    .write(to: directory.appendingPathComponent("config.yml"), atomically: true, encoding: .utf8)
                let registry = LoopbackRegistry(account: account, environment: environment, directory: directory, port: port, instanceID: instanceID)
                switch registry.launch() {
                case .ready(let pid):
                    registry.lock.withLock { registry.currentPID = pid }
                    cleanupAtExit.add(registry)
                    return registry
                case .exited(let reason):
                    registry.lock.withLock { registry.running = false; registry.removed = true }
                    lastFailure = reason
                case .failed(let reason):
                    registry.lock.withLock { registry.running = false; registry.removed = true }
                    throw Failure(description: "\(reason)\n(folder \(directory.path))")
                }
            }
            throw Failure(description: "docker-registry did not start on 127.0.0.1 (3 attempts, folder \(directory.path)):\n\(lastFailure)")
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// `start`, waited for on a thread of its own instead of the cooperative pool.
    public static func start(account: Account? = nil, environment: [String: String] = [:]) async throws -> LoopbackRegistry {
        try await ContainerLab.onPlainThread { try start(account: account, environment: environment) }
    }

    // MARK: Stopping and restarting

    /// Stops the process (TERM, then KILL when it has not ended within 2 s), waits for it to end, and removes
    /// `directory` with the storage. Does nothing the second time; runs on deinit and at exit too.
    public func stop() {
        lock.withLock {
            guard !removed else { return }
            if running { Self.end(currentPID, grace: 2) }
            running = false
            removed = true
            try? FileManager.default.removeItem(at: directory)
        }
        Self.cleanupAtExit.remove(self)
    }

    /// SIGKILLs the process and waits until it is gone (connections are refused from then on), keeping the
    /// storage: `restart` brings the registry back with everything it held.
    public func kill() {
        lock.withLock {
            guard running else { return }
            Self.end(currentPID, grace: 0)
            running = false
        }
    }

    /// Stops the process if it runs (TERM, then KILL after 2 s), keeping the storage, and starts it again on
    /// the same port with the same configuration; returns once `/v2/` answers. Throws when the registry was
    /// stopped (its storage is gone) or the port cannot be had back within about 5 s.
    public func restart() throws {
        try lock.withLock {
            guard !removed else {
                throw Failure(description: "the loopback registry on \(host) was stopped and its storage removed; start a new one")
            }
            if running { Self.end(currentPID, grace: 2) }
            running = false
            var lastFailure = ""
            // The port is ours only by convention now: another process may have bound it meanwhile.
            for attempt in 1...10 {
                switch launch() {
                case .ready(let pid):
                    currentPID = pid
                    running = true
                    return
                case .exited(let reason):
                    lastFailure = reason
                    if attempt < 10 { usleep(500_000) }
                case .failed(let reason):
                    throw Failure(description: reason)
                }
            }
            throw Failure(description: "docker-registry did not start again on \(host):\n\(lastFailure)")
        }
    }

    /// `restart`, waited for on a thread of its own.
    public func restart() async throws {
        try await ContainerLab.onPlainThread { try self.restart() }
    }

    // MARK: The process

    private enum Launch {
        case ready(pid_t)
        /// The process ended at once, as it does when the port is taken: worth another try.
        case exited(String)
        case failed(String)
    }

    /// Starts the registry with `configFile` and waits until it answers as this instance, with 200 (anonymous)
    /// or 401 (auth on). A process that ends or does not answer in time is reaped, and its log quoted.
    /// Called with the lock held, or before the value is shared.
    private func launch() -> Launch {
        let logStart = (try? FileManager.default.attributesOfItem(atPath: logFile.path)[.size] as? Int) ?? 0
        let child: ChildProcess
        do {
            child = try ChildProcess.start("/bin/bash", ["-c", Self.wrapper, "loopback-registry", String(getpid()),
                                                         ExternalTool.locate("docker-registry") ?? "docker-registry",
                                                         configFile.path, logFile.path, directory.path],
                                           in: directory, environment: environment, capture: false)
        } catch {
            return .failed("could not start bash: \(error)")
        }
        let pid = child.pid
        let expected = account == nil ? 200 : 401
        let deadline = Date().addingTimeInterval(20)
        while true {
            if Self.hasEnded(pid, wait: false) {
                return .exited("docker-registry on \(host) exited at once; its log:\n\(logTail(from: logStart))")
            }
            if case .answered(let status, let headers) = Self.get("/v2/", port: port, timeout: 2),
               headers[Self.instanceHeader.lowercased()] == instanceID {
                if status == expected { return .ready(pid) }
                Self.end(pid, grace: 0)
                return .failed("docker-registry on \(host) answered GET /v2/ with \(status), expected \(expected); its log:\n\(logTail(from: logStart))")
            }
            if Date() > deadline {
                Self.end(pid, grace: 0)
                return .failed("docker-registry on \(host) did not answer GET /v2/ within 20 s; its log:\n\(logTail(from: logStart))")
            }
            usleep(30_000)
        }
    }

    /// The last lines the registry wrote since `offset`.
    private func logTail(from offset: Int) -> String {
        guard let data = try? Data(contentsOf: logFile), data.count > offset else { return "(empty)" }
        let lines = String(decoding: data[offset...], as: UTF8.self).split(separator: "\n")
        return lines.suffix(8).joined(separator: "\n")
    }

    /// Runs as `bash -c WRAPPER loopback-registry OWNER REGISTRY CONFIG LOG FOLDER` and becomes the registry
    /// (same PID). Before that it lets go of inherited descriptors beyond 0-2 (another test's pipes must not
    /// stay open in a long-lived process), sends output to LOG, removes every REGISTRY_* variable, and leaves
    /// a watcher behind for when the test process (OWNER) dies without its atexit handlers (a crash, SIGKILL,
    /// a signal to the whole process group, which the watcher ignores): it then kills the registry and removes
    /// FOLDER. Once the registry has ended and OWNER lives on (stop, kill, restart), it ends within 2 s.
    /// "The registry" is checked by its command line naming CONFIG, so a reused PID is never killed.
    private static let wrapper = #"""
    owner=$1 registry=$2 config=$3 log=$4 folder=$5
    for fd in "/proc/$$/fd/"*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec </dev/null >>"$log" 2>&1
    for name in $(compgen -e); do
      case $name in REGISTRY_*) unset "$name" ;; esac
    done
    registry_runs() { tr '\0' '\n' <"/proc/$$/cmdline" 2>/dev/null | grep -qxF -- "$config"; }
    (
      trap '' HUP INT TERM
      while kill -0 "$owner" 2>/dev/null && registry_runs; do sleep 1; done
      # A signal to the process group ends the registry and the owner at about the same time.
      if kill -0 "$owner" 2>/dev/null; then sleep 1; fi
      if kill -0 "$owner" 2>/dev/null; then exit 0; fi
      if registry_runs; then kill -KILL $$; fi
      rm -rf -- "$folder"
    ) &
    exec "$registry" serve "$config"
    """#

    /// Ends our child `pid`: TERM and up to `grace` seconds to exit (none: KILL at once), then KILL, then reaped.
    private static func end(_ pid: pid_t, grace: Double) {
        guard pid > 0, !hasEnded(pid, wait: false) else { return }
        if grace > 0 {
            _ = sendSignal(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while Date() < deadline {
                if hasEnded(pid, wait: false) { return }
                usleep(20_000)
            }
        }
        _ = sendSignal(pid, SIGKILL)
        _ = hasEnded(pid, wait: true)
    }

    /// Whether our child `pid` has ended, reaping it if so (`wait`: blocks until it ends). A child that is no
    /// longer ours to wait for (ECHILD: reaped elsewhere) counts as ended.
    private static func hasEnded(_ pid: pid_t, wait: Bool) -> Bool {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, wait ? 0 : WNOHANG)
            if result == pid { return true }
            if result == 0 { return false }
            if errno == EINTR { continue }
            return true
        }
    }

    // MARK: Configuration

    private static let instanceHeader = "X-Bakery-Loopback-Registry"

    private static func configuration(directory: URL, port: UInt16, secret: String, instanceID: String, htpasswd: URL?) throws -> String {
        var text = """
        # Written by LoopbackRegistry (Tests/TestSupport/LoopbackRegistry.swift) for one test.
        version: 0.1
        log:
          level: info
          accesslog: {disabled: true}
        storage:
          filesystem: {rootdirectory: \(try quoted(directory.appendingPathComponent("storage").path))}
          delete: {enabled: true}
          maintenance: {uploadpurging: {enabled: false}}
        http:
          addr: 127.0.0.1:\(port)
          secret: \(secret)
          headers:
            X-Content-Type-Options: [nosniff]
            \(instanceHeader): [\(instanceID)]

        """
        if let htpasswd {
            text += """
            auth:
              htpasswd: {realm: \(realm), path: \(try quoted(htpasswd.path))}

            """
        }
        return text
    }

    /// A YAML double-quoted scalar for a path (temporary folders may hold spaces or other YAML syntax).
    private static func quoted(_ path: String) throws -> String {
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Failure(description: "the temporary folder \(path.debugDescription) has control characters; set TMPDIR to a plain path")
        }
        return "\"" + path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// What htpasswd cannot store, refused before anything starts.
    private static func validate(_ account: Account) throws {
        let problem: String? = if account.username.isEmpty {
            "the username is empty"
        } else if account.username.contains(":") {
            "the username \(account.username.debugDescription) contains ':', which separates it from the hash in htpasswd"
        } else if account.username.contains(where: \.isNewline) || account.password.contains(where: \.isNewline) {
            "the username or the password contains a line break, which would end the htpasswd line"
        } else {
            nil
        }
        if let problem {
            throw Failure(description: "LoopbackRegistry.Account: \(problem); choose one without")
        }
    }

    /// `htpasswd -Bbn` (bcrypt, which the registry requires) into FOLDER/htpasswd.
    private static func writeHtpasswd(_ account: Account, in directory: URL) throws -> URL {
        let tool = ExternalTool.locate("htpasswd") ?? "htpasswd"
        let ending = try ChildProcess.start(tool, ["-Bbn", account.username, account.password], in: directory).finish(timeout: 60)
        guard !ending.timedOut, ending.status == 0, ending.stdout.hasPrefix(account.username + ":$2") else {
            throw Failure(description: "htpasswd -Bbn \(account.username) failed (status \(ending.status)\(ending.timedOut ? ", timed out" : "")): \(ending.stderr)")
        }
        let file = directory.appendingPathComponent("htpasswd")
        try Data(ending.stdout.utf8).write(to: file)
        return file
    }

    // MARK: Loopback sockets

    /// A port nothing listens on right now, as the kernel hands out for port 0.
    private static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "could not bind a free port on 127.0.0.1: \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: address.sin_port)
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        return address
    }

    private enum Answer {
        case answered(status: Int, headers: [String: String])
        /// Refused, timed out, or not HTTP.
        case none
    }

    /// A plain HTTP/1.0 GET on 127.0.0.1:`port`: the status and the headers (names lowercased), if any.
    /// No URLSession: this runs on whatever thread calls `start`, and a socket with timeouts cannot hang it.
    private static func get(_ path: String, port: UInt16, timeout: Double) -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .none }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return .none }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return .none }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        // The head is all we need; stop reading at its end (or at 64 KB, which no registry head reaches).
        while response.count < 65_536 {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { response += buffer[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
            if response.count >= 4, String(decoding: response, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        let head = String(decoding: response, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), let status = Int(statusLine[1]) else { return .none }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return .answered(status: status, headers: headers)
    }

    // MARK: Cleanup at exit

    private static let cleanupAtExit = LiveRegistries()

    /// The registries of this process that have not been stopped, stopped by an atexit handler: a test that
    /// forgets `stop`, or holds its registry in a global, leaves no process behind a normal exit.
    private final class LiveRegistries: @unchecked Sendable {
        private let lock = NSLock()
        private var live: [ObjectIdentifier: Weak] = [:]
        private var installed = false

        private struct Weak {
            weak var registry: LoopbackRegistry?
        }

        func install() {
            lock.withLock {
                guard !installed else { return }
                installed = true
                atexit { LoopbackRegistry.cleanupAtExit.stopAll() }
            }
        }

        func add(_ registry: LoopbackRegistry) {
            lock.withLock { live[ObjectIdentifier(registry)] = Weak(registry: registry) }
        }

        func remove(_ registry: LoopbackRegistry) {
            lock.withLock { _ = live.removeValue(forKey: ObjectIdentifier(registry)) }
        }

        func stopAll() {
            let registries = lock.withLock { live.values.compactMap(\.registry) }
            for registry in registries { registry.stop() }
        }
    }
}

/// kill(2), under a name the class's own `kill()` does not hide.
private func sendSignal(_ pid: pid_t, _ signal: Int32) -> Int32 {
    kill(pid, signal)
}
