// The version-document server for tests: Tests/Fixtures/version-sources/http/document-server.py on 127.0.0.1, serving
// fixture documents as a sources mirror (BAKERY_SOURCES_MIRROR=http://127.0.0.1:PORT).
import Foundation

/// The document server, started on a free port with a state file the test can rewrite; stopped by its PID.
public final class DocumentServer: @unchecked Sendable {
    public static let folder = BakeryBinary.fixtures.appendingPathComponent("version-sources/http")
    /// The documents of the HTTP source tests.
    public static let documents = folder.appendingPathComponent("documents")
    public static var shouldRun: Bool { PythonFixtureServer.shouldRun }

    private let server: PythonFixtureServer
    private var state: [String: Any]

    public var port: Int { server.port }
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// The whole mirror tree of fixture documents (`version-sources/<host>/<path>`): every dependency list and
    /// product channel document, for the product suites.
    public static let mirror = BakeryBinary.fixtures.appendingPathComponent("version-sources")

    /// Serves `root` (laid out as `<host>/<path>`), with `extra` state (documents, failures, sizes, delays).
    public init(_ extra: [String: Any] = [:], root: URL = DocumentServer.documents) throws {
        state = extra.merging(["root": root.path]) { _, new in new }
        server = try PythonFixtureServer(script: Self.folder.appendingPathComponent("document-server.py"),
                                         state: try JSONSerialization.data(withJSONObject: state))
    }

    /// Replaces part of the state (read again by the server on each request).
    public func update(_ changes: [String: Any]) throws {
        state.merge(changes) { _, new in new }
        try JSONSerialization.data(withJSONObject: state).write(to: server.stateFile, options: .atomic)
    }

    /// Every request so far, in order.
    public var requests: [[String: Any]] {
        server.logLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    public func requests(to path: String) -> [[String: Any]] { requests.filter { $0["path"] as? String == path } }

    /// The cache folder of `bakery` runs against this server, removed with it.
    public let cache = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-mirror-cache-\(UUID().uuidString)")

    /// Runs bakery online with this server as its sources mirror and a cache of its own (no pinned build, unless
    /// `environment` sets BAKERY_DEV_SPEC).
    public func bakery(_ arguments: [String], in directory: URL, environment: [String] = []) throws -> BakeryBinary.Result {
        try BakeryBinary.run(arguments, in: directory, prefix: ["/usr/bin/env", "-u", "BAKERY_OFFLINE", "-u", "BAKERY_DEV_SPEC",
                                                                 "BAKERY_SOURCES_MIRROR=\(baseURL.absoluteString)",
                                                                 "BAKERY_CACHE_DIR=\(cache.path)"] + environment)
    }

    public func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: cache)
    }
}
