// How the runner reaches the system under test: a POSIX shell command run there, returning exit code and both streams.

/// What one shell run in the system under test gave.
public struct GossProbeOutput: Sendable, Hashable {
    public var exitCode: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// The run was stopped at its timeout.
    public var timedOut: Bool

    public init(exitCode: Int32, stdout: [UInt8], stderr: [UInt8] = [], timedOut: Bool = false) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.timedOut = timedOut
    }

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs `sh -c <script> sh <arguments…>` in the system under test, as its default user, with its environment and
/// working directory, without a TTY (a container exec, or a local shell in tests).
///
/// Throw only when the system cannot be reached at all (the engine failed, the container is gone); a script that
/// exits non-zero is a normal output.
public protocol GossProbe: Sendable {
    func shell(_ script: String, arguments: [String], timeout: Duration) async throws -> GossProbeOutput
}

extension GossProbe {
    /// The environment of a process in the system under test (`/proc/self/environ`: values may hold newlines).
    public func environment() async throws -> [String: String] {
        let output = try await shell("cat /proc/self/environ 2>/dev/null || env", arguments: [], timeout: .seconds(30))
        let separator: UInt8 = output.stdout.contains(0) ? 0 : 10
        var environment: [String: String] = [:]
        for entry in output.stdout.split(separator: separator) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            let key = String(text[..<equals])
            // /proc/self/environ is the `cat`'s own: drop what the probe shell itself sets.
            if key == "_" || key == "SHLVL" || key == "OLDPWD" { continue }
            environment[key] = String(text[text.index(after: equals)...])
        }
        return environment
    }

    /// A file's content read in the system under test (for `readFile`).
    public func readFile(_ path: String) async throws -> String {
        let output = try await shell("cat -- \"$1\"", arguments: [path], timeout: .seconds(30))
        guard output.exitCode == 0 else {
            let reason = output.stderrText.contains("Permission denied") ? "permission denied"
                : output.stderrText.contains("Is a directory") ? "is a directory" : "no such file or directory"
            throw GossReadFailure(message: "open \(path): \(reason)")
        }
        return String(decoding: output.stdout, as: UTF8.self)
    }
}

/// Why a property's actual value could not be had (goss's `err`).
public struct GossFailure: Error, Sendable, Hashable, ExpressibleByStringInterpolation {
    public var message: String
    public init(_ message: String) { self.message = message }
    public init(stringLiteral value: String) { message = value }
}
