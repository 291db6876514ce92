// A fake web service for one test: a Python fixture script on 127.0.0.1 that reads its behaviour from a state file
// and logs every request, stopped by its PID. Used by the fakes of the GitHub packages API, Docker Hub and the
// version-document server.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `python3 SCRIPT STATE.json LOG.jsonl PORT_FILE` in a folder of its own: the script binds a free port on
/// 127.0.0.1, writes it to PORT_FILE, re-reads STATE.json as it likes, and appends one JSON line per request to
/// LOG.jsonl. The folder goes with `stop` (or deinit).
///
///     let server = try PythonFixtureServer(script: fixtures.appendingPathComponent("fake.py"), state: Data("{}".utf8))
///     defer { server.stop() }
///     ... http://127.0.0.1:\(server.port) ... server.logLines ...
public final class PythonFixtureServer: @unchecked Sendable {
    public let directory: URL
    public let port: Int
    public var stateFile: URL { directory.appendingPathComponent("state.json") }
    public var logFile: URL { directory.appendingPathComponent("log.jsonl") }
    private let process: ChildProcess
    private var stopped = false

    /// Whether a test needing a fixture server should run (python3 there, or CI requires it).
    public static var shouldRun: Bool { ExternalTool.shouldRun("python3") }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(script: URL, state: Data) throws {
        guard let python = ExternalTool.locate("python3") else { throw Failure(description: "python3 is not installed") }
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bakery-fixture-server-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stateFile = directory.appendingPathComponent("state.json")
        try state.write(to: stateFile)
        let portFile = directory.appendingPathComponent("port")
        process = try ChildProcess.start(python, [script.path, stateFile.path, directory.appendingPathComponent("log.jsonl").path, portFile.path],
                                         in: directory, capture: false)
        var found: Int?
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let value = Int(text) { found = value; break }
            usleep(50_000)
        }
        guard let found else {
            kill(process.pid, SIGKILL)
            _ = process.finish()
            try? FileManager.default.removeItem(at: directory)
            throw Failure(description: "\(script.lastPathComponent) did not start within 10 s")
        }
        port = found
    }

    /// The request log so far, one JSON text per request, in order.
    public var logLines: [String] {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    public func stop() {
        guard !stopped else { return }
        stopped = true
        kill(process.pid, SIGTERM)
        _ = process.finish(timeout: 5)
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
