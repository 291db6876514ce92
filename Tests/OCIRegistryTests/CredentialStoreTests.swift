import Foundation
import OCIRegistry
import Testing

/// A scratch directory with helpers to write auth files into it; removed when the test ends.
final class AuthFiles {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("oci-credentials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Writes `text` at `relativePath` under the root and returns the absolute path.
    @discardableResult
    func write(_ relativePath: String, _ text: String) throws -> String {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func path(_ relativePath: String) -> String { root.appendingPathComponent(relativePath).path }

    static func basic(_ user: String, _ password: String) -> String { Data("\(user):\(password)".utf8).base64EncodedString() }
}

@Suite struct CredentialStoreTests {
    @Test func readsTheAuthFieldAsPodmanLoginWritesIt() throws {
        let files = try AuthFiles()
        // Exactly what `buildah login ... 127.0.0.1:5001` wrote for tester/s3cret (container-toolchain §2).
        let path = try files.write("auth.json", #"{"auths":{"127.0.0.1:5001":{"auth":"dGVzdGVyOnMzY3JldA=="}}}"#)
        let store = try CredentialStore.load(environment: ["REGISTRY_AUTH_FILE": path], home: files.path("home"))
        #expect(store.credential(for: "127.0.0.1:5001", repository: "rs/sample") == RegistryCredential(username: "tester", password: "s3cret"))
        #expect(store.credential(for: "127.0.0.1:5000", repository: "rs/sample") == nil)
        #expect(store.files == [path])
    }

    @Test func readsUsernamePasswordAndIdentityTokenEntries() throws {
        let files = try AuthFiles()
        try files.write("home/.docker/config.json", """
        {"auths": {
            "plain.example.com": {"username": "alice", "password": "pa:ss"},
            "token.example.com": {"auth": "\(AuthFiles.basic("<token>", ""))", "identitytoken": "refresh-123"},
            "onlytoken.example.com": {"identitytoken": "refresh-456"},
            "colon.example.com": {"auth": "\(AuthFiles.basic("bob", "a:b:c"))"},
            "helper.example.com": {}
        }, "credsStore": "desktop", "credHelpers": {"gcr.io": "gcloud"}, "HttpHeaders": {"User-Agent": "x"}}
        """)
        let store = try CredentialStore.load(environment: [:], home: files.path("home"))
        #expect(store.credential(for: "plain.example.com", repository: nil) == RegistryCredential(username: "alice", password: "pa:ss"))
        #expect(store.credential(for: "token.example.com", repository: nil) == RegistryCredential(username: "<token>", password: "", identityToken: "refresh-123"))
        #expect(store.credential(for: "onlytoken.example.com", repository: nil) == RegistryCredential(username: "", password: "", identityToken: "refresh-456"))
        #expect(store.credential(for: "colon.example.com", repository: nil)?.password == "a:b:c")
        // Helpers are not run: an entry left empty by one, and a registry served by one, have no credential.
        #expect(store.credential(for: "helper.example.com", repository: nil) == nil)
        #expect(store.credential(for: "gcr.io", repository: nil) == nil)
    }

    @Test(arguments: ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io", "https://registry-1.docker.io/v2/", "registry.hub.docker.com"])
    func findsDockerHubCredentialsUnderEachOfItsNames(key: String) throws {
        let files = try AuthFiles()
        try files.write("docker/config.json", #"{"auths":{"\#(key)":{"auth":"\#(AuthFiles.basic("hubuser", "hubpass"))"}}}"#)
        let store = try CredentialStore.load(environment: ["DOCKER_CONFIG": files.path("docker")], home: files.path("home"))
        for registry in ["docker.io", "index.docker.io", "registry-1.docker.io"] {
            #expect(store.credential(for: registry, repository: "library/ubuntu")?.username == "hubuser")
        }
        #expect(store.credential(for: "ghcr.io", repository: nil) == nil)
    }

    @Test func prefersTheMostSpecificNamespaceKey() throws {
        let store = CredentialStore(entries: [
            "quay.io": RegistryCredential(username: "host", password: "1"),
            "quay.io/team": RegistryCredential(username: "team", password: "2"),
            "quay.io/team/image": RegistryCredential(username: "image", password: "3"),
        ])
        #expect(store.credential(for: "quay.io", repository: "team/image")?.username == "image")
        #expect(store.credential(for: "quay.io", repository: "team/image/cache")?.username == "image")
        #expect(store.credential(for: "quay.io", repository: "team/other")?.username == "team")
        #expect(store.credential(for: "quay.io", repository: "teammate/x")?.username == "host")
        #expect(store.credential(for: "quay.io", repository: nil)?.username == "host")
        #expect(store.credential(for: "QUAY.IO", repository: "elsewhere")?.username == "host")
    }

    @Test func searchesTheSourcesInOrder() throws {
        let files = try AuthFiles()
        let explicitFile = try files.write("explicit.json", #"{"auths":{"a.example":{"auth":"\#(AuthFiles.basic("from-registry-auth-file", "x"))"}}}"#)
        try files.write("run/containers/auth.json", """
        {"auths":{"a.example":{"auth":"\(AuthFiles.basic("from-runtime", "x"))"},"b.example":{"auth":"\(AuthFiles.basic("from-runtime", "x"))"}}}
        """)
        try files.write("config/containers/auth.json", """
        {"auths":{"b.example":{"auth":"\(AuthFiles.basic("from-config", "x"))"},"c.example":{"auth":"\(AuthFiles.basic("from-config", "x"))"}}}
        """)
        try files.write("home/.docker/config.json", """
        {"auths":{"c.example":{"auth":"\(AuthFiles.basic("from-docker", "x"))"},"d.example/team":{"auth":"\(AuthFiles.basic("from-docker", "x"))"}}}
        """)
        let environment = ["REGISTRY_AUTH_FILE": explicitFile, "XDG_RUNTIME_DIR": files.path("run"), "XDG_CONFIG_HOME": files.path("config")]
        let store = try CredentialStore.load(environment: environment, home: files.path("home"))
        #expect(store.credential(for: "a.example", repository: nil)?.username == "from-registry-auth-file")
        #expect(store.credential(for: "b.example", repository: nil)?.username == "from-runtime")
        #expect(store.credential(for: "c.example", repository: nil)?.username == "from-config")
        #expect(store.credential(for: "d.example", repository: "team/x")?.username == "from-docker")
        #expect(store.credential(for: "d.example", repository: "other/x") == nil)
        // An earlier source's host-wide key wins over a later source's namespace key.
        let withExplicit = store.prepending(entries: ["d.example": RegistryCredential(username: "explicit", password: "y")])
        #expect(withExplicit.credential(for: "d.example", repository: "team/x")?.username == "explicit")
        #expect(withExplicit.credential(for: "a.example", repository: nil)?.username == "from-registry-auth-file")
        #expect(store.files == [explicitFile, files.path("run/containers/auth.json"), files.path("config/containers/auth.json"),
                                files.path("home/.docker/config.json")])
    }

    @Test func usesDockerConfigInsteadOfTheHomeDirectory() throws {
        let files = try AuthFiles()
        try files.write("home/.docker/config.json", #"{"auths":{"r.example":{"auth":"\#(AuthFiles.basic("home", "x"))"}}}"#)
        try files.write("dc/config.json", #"{"auths":{"r.example":{"auth":"\#(AuthFiles.basic("docker-config", "x"))"}}}"#)
        let store = try CredentialStore.load(environment: ["DOCKER_CONFIG": files.path("dc")], home: files.path("home"))
        #expect(store.credential(for: "r.example", repository: nil)?.username == "docker-config")
    }

    @Test func skipsMissingFiles() throws {
        let files = try AuthFiles()
        let environment = ["REGISTRY_AUTH_FILE": files.path("absent.json"), "XDG_RUNTIME_DIR": files.path("absent"), "DOCKER_CONFIG": files.path("absent")]
        let store = try CredentialStore.load(environment: environment, home: files.path("no-home"))
        #expect(store.files.isEmpty)
        #expect(store.credential(for: "docker.io", repository: nil) == nil)
        #expect(try CredentialStore.load(environment: [:], home: "").files.isEmpty)
    }

    @Test(arguments: [
        ("{\"auths\": {\"r.example\": {\"auth\": \"c2VjcmV0LXBhc3N3b3Jk\"", "is not valid JSON"),
        ("{\"auths\": [\"secret-password\"]}", "wrong type at 'auths'"),
        ("{\"auths\": {\"r.example\": {\"auth\": 12345}}}", "wrong type at 'auths.r.example.auth'"),
        ("{\"auths\": {\"r.example\": {\"auth\": \"!!!secret-password!!!\"}}}", "the 'auth' of 'r.example' is not base64"),
        ("{\"auths\": {\"r.example\": {\"auth\": \"\(Data("nocolon".utf8).base64EncodedString())\"}}}", "not base64 of user:password"),
        ("secret-password", "is not valid JSON"),
        ("[\"secret-password\"]", "wrong type"),
    ])
    func namesTheMalformedFileButNeverItsContents(contents: String, expected: String) throws {
        let files = try AuthFiles()
        let path = try files.write("auth.json", contents)
        do {
            _ = try CredentialStore.load(environment: ["REGISTRY_AUTH_FILE": path], home: files.path("home"))
            Issue.record("a malformed auth file was accepted")
        } catch {
            #expect(error.code == .credentials)
            #expect(error.message.contains(path), "\(error.message)")
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(!error.message.contains("secret-password") && !error.message.contains("c2VjcmV0"), "\(error.message)")
        }
    }

    @Test func refusesADirectoryWhereAFileIsExpected() throws {
        let files = try AuthFiles()
        try FileManager.default.createDirectory(atPath: files.path("dir.json"), withIntermediateDirectories: true)
        #expect {
            try CredentialStore.load(environment: ["REGISTRY_AUTH_FILE": files.path("dir.json")], home: files.path("home"))
        } throws: { error in
            (error as? RegistryError)?.code == .credentials && (error as? RegistryError)?.message.contains("is a directory") == true
        }
    }

    @Test func neverPrintsPasswordsOrTokens() throws {
        let credential = RegistryCredential(username: "tester", password: "canary-password-7f3a", identityToken: "canary-token-91bc")
        let store = CredentialStore(entries: ["r.example": credential])
        var dumped = ""
        dump(credential, to: &dumped)
        var dumpedStore = ""
        dump(store, to: &dumpedStore)
        let renderings = ["\(credential)", String(describing: credential), String(reflecting: credential), dumped,
                          "\([credential])", "\(Optional(credential) as Any)", "\(store)", String(reflecting: store), dumpedStore]
        for text in renderings {
            #expect(!text.contains("canary-password-7f3a") && !text.contains("canary-token-91bc"), "leaked: \(text)")
        }
        #expect("\(credential)" == #"RegistryCredential(username: "tester", password: <redacted>, identityToken: <redacted>)"#)
        #expect("\(RegistryCredential(username: "u", password: "p"))" == #"RegistryCredential(username: "u", password: <redacted>)"#)
        #expect("\(store)".contains("r.example"))
    }
}
