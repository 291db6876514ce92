import Foundation
import OCIRegistry
import Testing

@Suite struct ImageReferenceTests {
    static let digest = Digest.sha256(of: Data("amd64".utf8))

    /// (input, registry, repository, tag, digest?, canonical spelling)
    static let accepted: [(String, String, String, String?, Bool, String)] = [
        ("ubuntu", "docker.io", "library/ubuntu", nil, false, "docker.io/library/ubuntu"),
        ("ubuntu:24.04", "docker.io", "library/ubuntu", "24.04", false, "docker.io/library/ubuntu:24.04"),
        ("docker.io/ubuntu:noble", "docker.io", "library/ubuntu", "noble", false, "docker.io/library/ubuntu:noble"),
        ("index.docker.io/rstudio/rstudio-workbench", "docker.io", "rstudio/rstudio-workbench", nil, false, "docker.io/rstudio/rstudio-workbench"),
        ("posit/workbench:2026.04.0", "docker.io", "posit/workbench", "2026.04.0", false, "docker.io/posit/workbench:2026.04.0"),
        ("ghcr.io/posit-dev/workbench:2026.04.0-ubuntu-24.04-std", "ghcr.io", "posit-dev/workbench", "2026.04.0-ubuntu-24.04-std", false,
         "ghcr.io/posit-dev/workbench:2026.04.0-ubuntu-24.04-std"),
        ("ghcr.io/posit-dev/workbench/cache", "ghcr.io", "posit-dev/workbench/cache", nil, false, "ghcr.io/posit-dev/workbench/cache"),
        ("127.0.0.1:5000/rs/sample:1.0", "127.0.0.1:5000", "rs/sample", "1.0", false, "127.0.0.1:5000/rs/sample:1.0"),
        ("localhost:5000/base/debian:bookworm", "localhost:5000", "base/debian", "bookworm", false, "localhost:5000/base/debian:bookworm"),
        ("localhost/sample", "localhost", "sample", nil, false, "localhost/sample"),
        ("[::1]:5000/team/app:v1", "[::1]:5000", "team/app", "v1", false, "[::1]:5000/team/app:v1"),
        ("registry.example.com/a.b/c__d/e-f/g--h/i_j:Tag_1.x-y", "registry.example.com", "a.b/c__d/e-f/g--h/i_j", "Tag_1.x-y", false,
         "registry.example.com/a.b/c__d/e-f/g--h/i_j:Tag_1.x-y"),
        ("ghcr.io/o/i@DIGEST", "ghcr.io", "o/i", nil, true, "ghcr.io/o/i@DIGEST"),
        ("ghcr.io/o/i:1.0@DIGEST", "ghcr.io", "o/i", "1.0", true, "ghcr.io/o/i:1.0@DIGEST"),
        ("alpine@DIGEST", "docker.io", "library/alpine", nil, true, "docker.io/library/alpine@DIGEST"),
        ("my-registry.local:443/x/y:_underscore", "my-registry.local:443", "x/y", "_underscore", false, "my-registry.local:443/x/y:_underscore"),
    ]

    @Test(arguments: accepted)
    func parsesDockersGrammar(input: String, registry: String, repository: String, tag: String?, hasDigest: Bool, canonical: String) throws {
        let text = input.replacingOccurrences(of: "DIGEST", with: Self.digest.description)
        let reference = try ImageReference(parsing: text)
        #expect(reference.registry == registry)
        #expect(reference.repository == repository)
        #expect(reference.tag == tag)
        #expect(reference.digest == (hasDigest ? Self.digest : nil))
        let spelled = canonical.replacingOccurrences(of: "DIGEST", with: Self.digest.description)
        #expect(reference.description == spelled)
        #expect(try ImageReference(parsing: reference.description) == reference)
    }

    /// (input, what the message must say)
    static let refused: [(String, String)] = [
        ("", "empty string"),
        ("Ubuntu", "uppercase"),
        ("ghcr.io/Posit-Dev/workbench", "uppercase"),
        ("ghcr.io/posit-dev/workbench:", "tag after ':' is empty"),
        ("ghcr.io/o/i:-leading-dash", "must start with a letter"),
        ("ghcr.io/o/i:with space", "must start with a letter"),
        ("ghcr.io/o/i@sha256:abc", "after '@'"),
        ("ghcr.io/o/i@", "after '@'"),
        ("ghcr.io/o//i", "empty path component"),
        ("ghcr.io/", "repository name is missing"),
        ("ghcr.io/o/i/", "empty path component"),
        ("ghcr.io/-o/i", "not lowercase letters and digits"),
        ("ghcr.io/o_/i", "not lowercase letters and digits"),
        ("ghcr.io/o___x/i", "not lowercase letters and digits"),
        ("ghcr.io/o..x/i", "not lowercase letters and digits"),
        ("ghcr.io/o/i:1:2", "must start with a letter"),
        ("127.0.0.1:/o/i", "registry"),
        ("127.0.0.1:99999/o/i", "registry"),
        ("127.0.0.1:50a/o/i", "registry"),
        ("-bad.example.com/o/i", "registry"),
        ("bad_host.example.com/o/i", "registry"),
        ("[::1/o/i", "registry"),
        ("ghcr.io/o/i:" + String(repeating: "t", count: 129), "more than the 128"),
        ("ghcr.io/" + String(repeating: "a", count: 250), "more than the 255"),
        ("ghcr.io/o/ï", "not lowercase letters and digits"),
    ]

    @Test(arguments: refused)
    func refusesWhatIsNotAReference(input: String, expected: String) {
        do {
            let reference = try ImageReference(parsing: input)
            Issue.record("accepted \(input) as \(reference)")
        } catch {
            #expect(error.code == .invalidReference)
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func acceptsTheLongestTagAndName() throws {
        let tag = String(repeating: "t", count: 128)
        #expect(try ImageReference(parsing: "ghcr.io/o/i:\(tag)").tag == tag)
        let repository = String(repeating: "a", count: 255 - "ghcr.io/".count)
        #expect(try ImageReference(parsing: "ghcr.io/\(repository)").repository == repository)
    }

    @Test func reachesDockerHubThroughItsAPIHost() throws {
        #expect(try ImageReference(parsing: "ubuntu").apiHost == "registry-1.docker.io")
        #expect(try ImageReference(parsing: "ghcr.io/o/i").apiHost == "ghcr.io")
        #expect(try ImageReference(parsing: "127.0.0.1:5000/o/i").apiHost == "127.0.0.1:5000")
    }

    @Test(arguments: [("localhost/x", true), ("localhost:5000/x", true), ("127.0.0.1:5000/x", true), ("127.1.2.3/x", true),
                      ("[::1]:5001/x", true), ("[::1]/x", true), ("127.0.0.1.example.com/x", false), ("128.0.0.1:5000/x", false),
                      ("ghcr.io/x", false), ("x", false), ("localhost.example.com/x", false), ("127.0.0.256/x", false), ("[::2]:5000/x", false)])
    func knowsWhichRegistriesAreLoopback(input: String, loopback: Bool) throws {
        #expect(try ImageReference(parsing: input).isLoopback == loopback)
    }

    @Test func replacesTagAndDigest() throws {
        let reference = try ImageReference(parsing: "ghcr.io/o/i:1.0")
        #expect(reference.with(tag: "2.0").description == "ghcr.io/o/i:2.0")
        #expect(reference.with(tag: nil).description == "ghcr.io/o/i")
        let pinned = reference.with(digest: Self.digest)
        #expect(pinned.description == "ghcr.io/o/i:1.0@\(Self.digest)")
        #expect(pinned.with(digest: nil) == reference)
        #expect(pinned.name == "ghcr.io/o/i")
    }

    @Test func namesTheManifestByDigestThenTagThenLatest() throws {
        #expect(try ImageReference(parsing: "ghcr.io/o/i:1.0@\(Self.digest)").manifestReference == Self.digest.description)
        #expect(try ImageReference(parsing: "ghcr.io/o/i:1.0").manifestReference == "1.0")
        #expect(try ImageReference(parsing: "ghcr.io/o/i").manifestReference == "latest")
    }

    @Test func buildsFromPartsWithTheSameRules() throws {
        let reference = try ImageReference(registry: "docker.io", repository: "ubuntu", tag: "24.04")
        #expect(reference.description == "docker.io/library/ubuntu:24.04")
        #expect(try ImageReference(registry: "127.0.0.1:5000", repository: "tmp/workbench", digest: Self.digest).digest == Self.digest)
        #expect(throws: RegistryError.self) { try ImageReference(registry: "ghcr.io", repository: "Upper/case") }
        #expect(throws: RegistryError.self) { try ImageReference(registry: "not a host", repository: "x") }
        #expect(throws: RegistryError.self) { try ImageReference(registry: "ghcr.io", repository: "x", tag: ".dot") }
    }

    @Test(arguments: ["1.0", "latest", "_x", "A-b.C_d", String(repeating: "9", count: 128)])
    func validatesTags(tag: String) {
        #expect(ImageReference.isValidTag(tag))
    }

    @Test(arguments: ["", ".x", "-x", "a/b", "a:b", "a@b", "é", String(repeating: "9", count: 129)])
    func refusesInvalidTags(tag: String) {
        #expect(!ImageReference.isValidTag(tag))
    }
}
