// Child processes for tests, started with posix_spawn: Foundation's Process.run() crashed
// intermittently (SIGSEGV in memmove) while the suites ran in parallel, taking the whole test run with it.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A started child: its pid and the read ends of its stdout and stderr (or nothing, when discarded).
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private let outFD: Int32
    private let errFD: Int32

    private init(pid: pid_t, outFD: Int32, errFD: Int32) {
        self.pid = pid
        self.outFD = outFD
        self.errFD = errFD
    }

    /// Starts `executable` with `arguments` in `directory` (through `env -C`), its environment the
    /// test's plus `environment`; stdin is /dev/null.
    public static func start(_ executable: String, _ arguments: [String], in directory: URL, environment: [String: String] = [:],
                             capture: Bool = true) throws -> ChildProcess {
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        if capture {
            // Close-on-exec: a child started at the same moment by another test must not inherit these
            // pipes (it would hold them open, and this child's reader would wait for it too). The dup2
            // onto 1 and 2 below clears the flag for this child's own copies.
            // (Glibc's module does not export pipe2; the window between pipe and fcntl is a few instructions.)
            guard pipe(&out) == 0, pipe(&err) == 0 else { throw POSIXError(.EMFILE) }
            for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if capture {
            posix_spawn_file_actions_adddup2(&actions, out[1], 1)
            posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Start with no blocked signals and default dispositions, whatever the test runner's threads have.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let argv = ["env", "-C", directory.path, executable] + arguments
        let envp = env.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgv in
            withCStrings(envp) { cEnvp in
                posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, cArgv, cEnvp)
            }
        }
        if capture { close(out[1]); close(err[1]) }
        guard status == 0 else {
            if capture { close(out[0]); close(err[0]) }
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO)
        }
        return ChildProcess(pid: pid, outFD: capture ? out[0] : -1, errFD: capture ? err[0] : -1)
    }

    /// How the child ended: its exit code, or the signal that killed it.
    public struct Ending: Sendable {
        public var status: Int32
        public var signal: Int32?
        public var stdout: String
        public var stderr: String
        public var timedOut: Bool
        /// With `finish(measuringMemory: true)`: the child's peak resident set size in KiB (its VmHWM, read every
        /// 20 ms while it ran), or nil when none could be read. Not wait4's ru_maxrss: a child spawned with vfork
        /// semantics, as posix_spawn does, starts with its parent's high-water mark, so a large test runner would
        /// be measured instead of the child.
        public var peakResidentKiB: Int?
    }

    /// What has been read so far, and the pipes still open; `finish` and `waitForStderr` share them.
    private var outData = Data(), errData = Data()
    private lazy var openPipes: [pollfd] = [pollfd(fd: outFD, events: Int16(POLLIN), revents: 0),
                                       pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)].filter { $0.fd >= 0 }

    /// Reads whatever stdout and stderr have, waiting at most `milliseconds`; closes a pipe at its end.
    private func pump(waiting milliseconds: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let ready = poll(&openPipes, nfds_t(openPipes.count), milliseconds)
        if ready < 0 { return }
        var closed: [Int32] = []
        for p in openPipes where p.revents != 0 {
            let n = read(p.fd, &buffer, buffer.count)
            if n > 0 {
                if p.fd == outFD { outData.append(contentsOf: buffer[0..<n]) } else { errData.append(contentsOf: buffer[0..<n]) }
            } else if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) {
                closed.append(p.fd)
            }
        }
        for fd in closed { close(fd) }
        openPipes = openPipes.filter { !closed.contains($0.fd) }.map { pollfd(fd: $0.fd, events: $0.events, revents: 0) }
    }

    /// Reads the child's output until its stderr contains `text` (true) or `timeout` seconds pass or the
    /// child closes its pipes (false). What was read stays for `finish`. Tests wait on what the child says
    /// rather than sleeping a fixed time, which a busy machine outlasts.
    public func waitForStderr(containing text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !String(decoding: errData, as: UTF8.self).contains(text) {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 || openPipes.isEmpty { return false }
            pump(waiting: Int32(max(1, min(500, left * 1000))))
        }
        return true
    }

    /// The child's VmHWM (peak resident set, KiB) from /proc, while it runs.
    private func highWaterMark() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// Reads stdout and stderr together until both close (a full pipe never blocks the child), kills
    /// the child when `timeout` passes, and reaps it.
    public func finish(timeout: Double? = nil, measuringMemory: Bool = false) -> Ending {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var timedOut = false
        var peak: Int?
        while !openPipes.isEmpty {
            var wait: Int32 = measuringMemory ? 20 : 500
            if let deadline {
                let left = deadline.timeIntervalSinceNow
                if left <= 0, !timedOut { timedOut = true; kill(pid, SIGKILL) }
                wait = Int32(max(0, min(Double(wait), left * 1000)))
            }
            pump(waiting: wait)
            if measuringMemory, let now = highWaterMark() { peak = max(peak ?? 0, now) }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        return Ending(status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal, signal: signal == 0 ? nil : signal,
                      stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self), timedOut: timedOut,
                      peakResidentKiB: peak)
    }
}

/// NUL-terminated C strings for `strings`, alive while `body` runs.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

extension ChildProcess {
    /// Writes an executable script through a close-on-exec descriptor: a child another test starts
    /// meanwhile must not inherit the open file, or running the script fails with "Text file busy"
    /// for as long as that child lives.
    public static func writeExecutable(_ text: String, to url: URL) throws {
        let bytes = Array(text.utf8)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw POSIXError(.EIO) }
    }
}
