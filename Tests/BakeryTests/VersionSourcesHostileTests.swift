// Version resolution attacked as a hostile channel document, mirror folder or user would: every case here failed
// (or escaped its folder) before the fix it names.
import Bakery
import Foundation
import Testing

@Suite struct VersionSourcesHostileTests {
    typealias Loader = DevelopmentVersionLoaderTests

    /// A scratch folder removed when the test ends.
    final class Scratch {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-hostile-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: url) }
        func write(_ path: String, _ text: String) throws {
            let file = url.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
    }

    // MARK: The mirror folder stays inside its root

    /// A pinned download URL comes from a channel document; its host must not lead the mirror folder out of itself.
    @Test(arguments: ["https://../secret.txt", "https://./../secret.txt", "https://..%2F/secret.txt", "https://%2E%2E/secret.txt"])
    func aMirrorFolderNeverLooksAboveItsRootForAHost(address: String) throws {
        let scratch = try Scratch()
        try scratch.write("secret.txt", "outside the mirror")
        try scratch.write("mirror/cdn.test/inside.txt", "inside")
        let source = FolderDocumentSource(root: scratch.url.appendingPathComponent("mirror"))
        guard let url = URL(string: address) else { return }   // not a URL at all: nothing to look up
        #expect((try? source.exists(url)) != true, "\(address) was found outside the mirror")
        #expect((try? source.document(url)) == nil, "\(address) was read outside the mirror")
    }

    @Test func aLinkInsideTheMirrorLeadingOutOfItIsNotFollowed() throws {
        let scratch = try Scratch()
        try scratch.write("secret.txt", "outside the mirror")
        try scratch.write("mirror/cdn.test/inside.txt", "inside")
        try FileManager.default.createSymbolicLink(atPath: scratch.url.appendingPathComponent("mirror/cdn.test/leak.txt").path,
                                                   withDestinationPath: scratch.url.appendingPathComponent("secret.txt").path)
        try FileManager.default.createSymbolicLink(atPath: scratch.url.appendingPathComponent("mirror/evil.test").path,
                                                   withDestinationPath: scratch.url.path)
        let source = FolderDocumentSource(root: scratch.url.appendingPathComponent("mirror"))
        #expect(try source.document(URL(string: "https://cdn.test/inside.txt")!) == Data("inside".utf8))
        for address in ["https://cdn.test/leak.txt", "https://evil.test/secret.txt"] {
            #expect(throws: BakeryError.self, "\(address) read through a link out of the mirror") {
                _ = try source.document(URL(string: address)!)
            }
            #expect((try? source.exists(URL(string: address)!)) != true, "\(address) probed through a link out of the mirror")
        }
    }

    @Test func aLinkInsideTheMirrorToAnotherFileOfTheMirrorIsFollowed() throws {
        let scratch = try Scratch()
        try scratch.write("mirror/cdn.test/v1/index.json", "{}")
        try FileManager.default.createSymbolicLink(atPath: scratch.url.appendingPathComponent("mirror/cdn.test/latest").path, withDestinationPath: "v1")
        let source = FolderDocumentSource(root: scratch.url.appendingPathComponent("mirror"))
        #expect(try source.document(URL(string: "https://cdn.test/latest/index.json")!) == Data("{}".utf8))
        #expect(try source.exists(URL(string: "https://cdn.test/latest/index.json")!))
    }

    // MARK: Download URLs written into Containerfiles

    /// A URL whose host or path leaves where it claims to be (`..` segments, encoded or not) is not a download URL.
    @Test(arguments: ["https://../x_amd64.deb", "https://cdn.test/a/../../x_amd64.deb", "https://cdn.test/a/%2e%2e/x_amd64.deb",
                      "https://cdn.test/a/%2E%2E/x_amd64.deb", "https://cdn.test/./x_amd64.deb", "https:///x_amd64.deb", "https:x_amd64.deb"])
    func aDownloadURLWithDotSegmentsOrNoHostExcludesTheOS(url: String) throws {
        let image = try Loader.image(Loader.connectDaily)
        let log = TargetLog()
        let hostile = Loader.document(["ubuntu-24.04": (Loader.dailyBuild, url), "ubuntu-22.04": (Loader.dailyBuild, "https://cdn.test/fine_amd64.deb")])
        let version = try #require(try Loader.loader([Loader.daily: hostile]).load(image, log: log).first)
        #expect(version.os.map(\.name) == ["Ubuntu 22.04"], "\(url) was kept")
    }

    // MARK: Version names

    /// Two builds whose names differ only in case share one `.dev-*` folder; the second would be built from the
    /// first one's Containerfiles (another download URL). The second is skipped instead.
    @Test func versionsDifferingOnlyInCaseDoNotShareADevFolder() throws {
        let image = try Loader.image(Loader.connectDaily + "\n" + Loader.connectPreview)
        let log = TargetLog()
        let upper = Loader.document(["ubuntu-24.04": ("2026.05.0-dev+185-gABC1234", "https://cdn.test/upper_amd64.deb"),
                                     "ubuntu-22.04": ("2026.05.0-dev+185-gABC1234", "https://cdn.test/upper_amd64.deb")])
        let lower = Loader.document(["ubuntu-24.04": ("2026.05.0-dev+185-gabc1234", "https://cdn.test/lower_amd64.deb")])
        let versions = try Loader.loader([Loader.daily: upper, Loader.preview: lower]).load(image, log: log)
        #expect(Set(versions.map(\.subpath)).count == versions.count, "\(versions.map(\.name)) share a folder")
        #expect(versions.map(\.name) == ["2026.05.0-dev+185-gABC1234"])
        #expect(log.entries.contains { $0.level == .warning && $0.message.contains("differs only in case") })
    }

    // MARK: --dev-spec

    @Test func aHugeSpecIsRefusedWithoutEchoingIt() throws {
        let huge = String(repeating: "9", count: 1_000_000)
        for text in [#"{"version": "\#(huge)"}"#, #"{"release_branch": "\#(huge)"}"#, #"{"\#(huge)": "x"}"#,
                     #"{"version": "2026.05.0", "channel": "\#(huge)"}"#] {
            #expect {
                _ = try DevelopmentSpec.parse(text)
            } throws: { error in
                let message = (error as? BakeryError)?.message ?? ""
                return message.hasPrefix("Invalid value for '--dev-spec'") && message.count < 600
            }
        }
    }
}
