import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import OCIRegistry
import TestSupport
import Testing

/// The registries the publishing tests stand on (TestSupport's LoopbackRegistry): a temp registry without
/// auth and a destination with htpasswd basic auth, each on its own loopback port; a blob pushed through the
/// distribution API survives a kill and a restart on the same port; stopping leaves no process and no folder.
@Suite("Loopback registry", .enabled(if: LoopbackRegistry.shouldRun))
struct LoopbackRegistryTests {
    /// A space and a colon in the password: basic auth splits at the first colon only.
    static let account = LoopbackRegistry.Account(username: "bakery-tester", password: "pa55 w:rd!")
    let session = URLSession(configuration: .ephemeral, delegate: ChallengeDecliner(), delegateQueue: nil)

    @Test func startsATempRegistryAndAnAuthenticatedDestinationSideBySide() async throws {
        async let startingTemp = LoopbackRegistry.start()
        async let startingDestination = LoopbackRegistry.start(account: Self.account)
        let (temp, destination) = try await (startingTemp, startingDestination)
        defer { temp.stop(); destination.stop() }

        for registry in [temp, destination] {
            #expect(registry.host == "127.0.0.1:\(registry.port)")
            #expect(registry.baseURL.absoluteString == "http://\(registry.host)")
            #expect(registry.isRunning && processIsAlive(registry.pid))
            #expect(isDirectory(registry.storage) && registry.storage.path.hasPrefix(registry.directory.path + "/"))
        }
        #expect(temp.port != destination.port)
        #expect(temp.storage != destination.storage)
        #expect(temp.account == nil && destination.account?.username == Self.account.username)

        let anonymous = try await get(temp.baseURL.appendingPathComponent("v2/"))
        #expect(anonymous.response.statusCode == 200)

        let challenged = try await get(destination.baseURL.appendingPathComponent("v2/"))
        #expect(challenged.response.statusCode == 401)
        #expect(challenged.response.value(forHTTPHeaderField: "Www-Authenticate") == #"Basic realm="bakery-test""#)

        let signedIn = try await get(destination.baseURL.appendingPathComponent("v2/"), account: Self.account)
        #expect(signedIn.response.statusCode == 200)
        let wrongPassword = LoopbackRegistry.Account(username: Self.account.username, password: "pa55 w:rd")
        #expect(try await get(destination.baseURL.appendingPathComponent("v2/"), account: wrongPassword).response.statusCode == 401)
    }

    @Test func aPushedBlobOutlivesAKillAndARestartOnTheSamePort() async throws {
        let registry = try await LoopbackRegistry.start(account: Self.account)
        defer { registry.stop() }
        let blob = Data("a layer, or close enough: \(UUID())\n".utf8)
        let digest = try await push(blob, to: registry, repository: "bakery-test/harness")
        try await expectBlob(blob, digest: digest, in: registry, repository: "bakery-test/harness")
        let (host, firstPID) = (registry.host, registry.pid)

        registry.kill()
        #expect(!registry.isRunning)
        #expect(!processIsAlive(firstPID))
        #expect(isDirectory(registry.storage), "kill keeps the storage")
        await #expect(throws: URLError.self) { try await get(registry.baseURL.appendingPathComponent("v2/")) }
        do {
            _ = try await get(registry.baseURL.appendingPathComponent("v2/"))
        } catch let error as URLError {
            #expect(error.code == .cannotConnectToHost, "\(error)")
        }

        try await registry.restart()
        #expect(registry.host == host)
        #expect(registry.isRunning && registry.pid != firstPID && processIsAlive(registry.pid))
        #expect(try await get(registry.baseURL.appendingPathComponent("v2/")).response.statusCode == 401, "still asks for the account")
        try await expectBlob(blob, digest: digest, in: registry, repository: "bakery-test/harness")

        // Restarting a running registry (TERM, then start) keeps everything too.
        let secondPID = registry.pid
        try await registry.restart()
        #expect(registry.host == host && registry.pid != secondPID && !processIsAlive(secondPID))
        try await expectBlob(blob, digest: digest, in: registry, repository: "bakery-test/harness")
    }

    /// Between a kill and the restart another process may take the port; the restart waits for it (about 5 s).
    @Test func restartWaitsForItsPortToBeFreeAgain() async throws {
        let registry = try await LoopbackRegistry.start()
        defer { registry.stop() }
        registry.kill()
        let squatter = try occupy(port: registry.port)
        let began = Date()
        Thread.detachNewThread {
            usleep(1_200_000)
            close(squatter)
        }
        try await registry.restart()
        #expect(Date().timeIntervalSince(began) >= 1.2)
        #expect(try await get(registry.baseURL.appendingPathComponent("v2/")).response.statusCode == 200)
        #expect(try String(contentsOf: registry.logFile, encoding: .utf8).contains("address already in use"))
    }

    @Test func stopEndsTheProcessAndRemovesTheStorage() async throws {
        let registry = try await LoopbackRegistry.start(account: Self.account)
        let (pid, directory) = (registry.pid, registry.directory)
        let watcher = try #require(children(of: pid).first, "the wrapper leaves a watcher for the test process's death")
        #expect(processIsAlive(watcher))
        _ = try await push(Data("x".utf8), to: registry, repository: "bakery-test/stop")

        registry.stop()
        #expect(!registry.isRunning)
        #expect(!processIsAlive(pid))
        #expect(!FileManager.default.fileExists(atPath: registry.storage.path))
        #expect(!FileManager.default.fileExists(atPath: directory.path))
        await #expect(throws: URLError.self) { try await get(registry.baseURL.appendingPathComponent("v2/")) }
        // The watcher sees the registry go, waits a second for the test process to go too, and ends.
        let deadline = Date().addingTimeInterval(8)
        while processIsAlive(watcher) && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!processIsAlive(watcher), "the watcher \(watcher) outlived its registry")

        registry.stop()
        registry.kill()
        #expect(!FileManager.default.fileExists(atPath: directory.path))
        #expect(throws: LoopbackRegistry.Failure.self) { try registry.restart() }
    }

    /// Synchronous on purpose: the async `start` hands the registry over from a thread of its own, which may
    /// hold its reference a moment longer than the test.
    @Test func droppingTheLastReferenceStopsIt() throws {
        var pid: Int32 = 0
        var directory: URL?
        do {
            let registry = try LoopbackRegistry.start()
            (pid, directory) = (registry.pid, registry.directory)
            #expect(processIsAlive(pid))
        }
        #expect(!processIsAlive(pid))
        #expect(!FileManager.default.fileExists(atPath: try #require(directory).path))
    }

    /// docker-registry reads REGISTRY_* variables as configuration; REGISTRY_AUTH_FILE alone breaks it.
    @Test func registryVariablesInTheEnvironmentDoNotReachIt() async throws {
        let registry = try await LoopbackRegistry.start(environment: [
            "REGISTRY_AUTH_FILE": "/nonexistent/auth.json",
            "REGISTRY_HTTP_ADDR": "127.0.0.1:1",
            "REGISTRY_STORAGE_DELETE_ENABLED": "false",
            "BAKERY_LOOPBACK_MARKER": "kept",
        ])
        defer { registry.stop() }
        let environ = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(registry.pid)/environ"))
        let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        #expect(variables.contains("BAKERY_LOOPBACK_MARKER=kept"))
        #expect(variables.filter { $0.hasPrefix("REGISTRY_") } == [])

        // Deletion stays enabled, as the configuration says.
        let blob = Data("to be deleted\n".utf8)
        let digest = try await push(blob, to: registry, repository: "bakery-test/delete")
        let blobURL = registry.baseURL.appendingPathComponent("v2/bakery-test/delete/blobs/\(digest)")
        #expect(try await send("DELETE", blobURL).response.statusCode == 202)
        #expect(try await get(blobURL).response.statusCode == 404)
    }

    @Test(arguments: ["", "a:b", "two\nlines"])
    func refusesAnAccountHtpasswdCannotStore(username: String) {
        let error = #expect(throws: LoopbackRegistry.Failure.self) {
            try LoopbackRegistry.start(account: .init(username: username, password: "p"))
        }
        #expect(error?.description.hasPrefix("LoopbackRegistry.Account: the username") == true, "\(String(describing: error))")
    }

    // MARK: The distribution API, by hand

    /// POST an upload, PUT it with the digest (a monolithic upload); returns the digest.
    private func push(_ blob: Data, to registry: LoopbackRegistry, repository: String) async throws -> String {
        let digest = Digest.sha256(of: blob).description
        let started = try await send("POST", registry.baseURL.appendingPathComponent("v2/\(repository)/blobs/uploads/"), account: registry.account)
        try #require(started.response.statusCode == 202, "POST uploads: \(started.response.statusCode) \(String(decoding: started.body, as: UTF8.self))")
        let location = try #require(started.response.value(forHTTPHeaderField: "Location"))
        let uploadURL = try #require(URL(string: location, relativeTo: registry.baseURL)?.absoluteURL)
        var components = try #require(URLComponents(url: uploadURL, resolvingAgainstBaseURL: false))
        components.percentEncodedQuery = (components.percentEncodedQuery.map { $0 + "&" } ?? "") + "digest=\(digest)"
        let finished = try await send("PUT", try #require(components.url), account: registry.account, body: blob)
        try #require(finished.response.statusCode == 201, "PUT upload: \(finished.response.statusCode) \(String(decoding: finished.body, as: UTF8.self))")
        #expect(finished.response.value(forHTTPHeaderField: "Docker-Content-Digest") == digest)
        return digest
    }

    private func expectBlob(_ blob: Data, digest: String, in registry: LoopbackRegistry, repository: String) async throws {
        let fetched = try await get(registry.baseURL.appendingPathComponent("v2/\(repository)/blobs/\(digest)"), account: registry.account)
        #expect(fetched.response.statusCode == 200)
        #expect(fetched.body == blob)
        #expect(fetched.response.value(forHTTPHeaderField: "Docker-Content-Digest") == digest)
    }

    private func get(_ url: URL, account: LoopbackRegistry.Account? = nil) async throws -> (body: Data, response: HTTPURLResponse) {
        try await send("GET", url, account: account)
    }

    /// One request through URLSession. A 401 comes back as a response, as on macOS: swift-corelibs-foundation
    /// (6.3.1 here) raises an authentication challenge for it, and without a delegate that declines it the
    /// task never completes (swift-corelibs-foundation#5456); declined, the task ends cancelled with the 401
    /// left on it.
    private func send(_ method: String, _ url: URL, account: LoopbackRegistry.Account? = nil, body: Data? = nil) async throws -> (body: Data, response: HTTPURLResponse) {
        var request = URLRequest(url: url, timeoutInterval: 20)
        request.httpMethod = method
        if let account {
            let credentials = Data("\(account.username):\(account.password)".utf8).base64EncodedString()
            request.setValue("Basic \(credentials)", forHTTPHeaderField: "Authorization")
        }
        if let body {
            request.httpBody = body
            request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        }
        let started = TaskBox()
        return try await withCheckedThrowingContinuation { continuation in
            let task = session.dataTask(with: request) { data, response, error in
                if let response = response as? HTTPURLResponse {
                    continuation.resume(returning: (data ?? Data(), response))
                } else if (error as? URLError)?.code == .cancelled, let response = started.task?.response as? HTTPURLResponse {
                    continuation.resume(returning: (data ?? Data(), response))
                } else {
                    continuation.resume(throwing: error ?? URLError(.badServerResponse))
                }
            }
            started.task = task
            task.resume()
        }
    }

    // MARK: Processes and files

    /// Whether `pid` is a live process (not gone, not a zombie waiting to be reaped).
    private func processIsAlive(_ pid: Int32) -> Bool {
        guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    private func children(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0) }
    }

    /// A socket listening on 127.0.0.1:`port` (close it to let go).
    private func occupy(port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        // The registry's closed connections leave the port in TIME_WAIT; the registry (Go) reuses it too.
        var reuse: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(fd >= 0 && bound == 0 && listen(fd, 1) == 0, "could not listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        return fd
    }

    private func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

/// Declines every authentication challenge: the tests send their Authorization header themselves.
private final class ChallengeDecliner: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        completionHandler(.cancelAuthenticationChallenge, nil)
    }
}

/// The task a completion handler belongs to, which the handler needs and can only get after the task exists.
private final class TaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: URLSessionDataTask?

    var task: URLSessionDataTask? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
