// Positron versions: PEP 440 order, the release lists on the CDN (fixture documents, no network), and the
// URLs workbench-positron-init downloads.
import Bakery
import Foundation
import Testing
import WorkbenchImages

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/positron")

private func document(_ name: String) throws -> Data {
    try Data(contentsOf: fixtures.appendingPathComponent(name))
}

/// The error `body` throws with `code`, or nil when it throws none (or one with another code).
private func bakeryError(_ code: BakeryError.Code, _ body: () throws -> Any) -> BakeryError? {
    do { _ = try body(); return nil } catch let error as BakeryError { return error.code == code ? error : nil } catch { return nil }
}

@Suite struct PositronVersionTests {
    // MARK: grammar and order

    @Test(arguments: [
        "2026.03.0-212", "2026.03.0", "v2026.03.0-212", "V2026.03.0", "2026.3", "1", "1!2026.03.0", "2026.03.0rc1", "2026.03.0-rc.1",
        "2026.03.0a", "2026.03.0.beta2", "2026.03.0.post3", "2026.03.0-r4", "2026.03.0rev", "2026.03.0.dev5", "2026.03.0-212.dev1",
        "2026.03.0+ubuntu.1", "2026.03.0-212+local-build_7", "2026.03.0.preview1", "2026.03.0c2",
    ])
    func pep440NamesAreVersions(name: String) throws {
        let v = try #require(PositronVersion(name))
        #expect(v.description == name)
    }

    @Test(arguments: [
        "", "v", "latest", "2026.03.0-", "2026.03.0-212-3", "2026..03", "2026.03.", ".2026", "2026.03.0 ", " 2026.03.0",
        "2026.03 .0", "vv2026.03.0", "2026.03.0+", "2026.03.0+a..b", "2026.03.0+ä", "2026.03.0-dev-x", "2026.03.0beta.x",
        "2026.03.0.post.x", "1!", "!1", "2026.03.0-99999999999999999999999", "２０２６.03.0",
    ])
    func otherNamesAreNot(name: String) {
        #expect(PositronVersion(name) == nil, "'\(name)' should not be a Positron version")
    }

    @Test func versionsOrderAsPEP440() throws {
        let ordered = [
            "2025.12.2-8", "2026.02.0-88", "2026.02.1-5",
            "2026.03.0.dev1", "2026.03.0a1", "2026.03.0b1", "2026.03.0rc1", "2026.03.0rc2.dev1", "2026.03.0rc2",
            "2026.03.0", "2026.03.0+local", "2026.03.0-5", "2026.03.0-212.dev1", "2026.03.0-212", "2026.03.0.1",
            "2026.04.0-15", "2026.10.0", "1!1.0",
        ].map { PositronVersion($0)! }
        for (i, a) in ordered.enumerated() {
            for (j, b) in ordered.enumerated() {
                #expect((a < b) == (i < j), "\(a) < \(b) should be \(i < j)")
            }
        }
    }

    @Test func postReleasesFollowTheirReleaseAndTheVPrefixIsIgnored() throws {
        let post = try #require(PositronVersion("2026.03.0-212"))
        #expect(post > PositronVersion("2026.03.0")!)
        #expect(post > PositronVersion("2026.02.1-5")!)
        #expect(post < PositronVersion("2026.03.1")!)
        #expect(PositronVersion("v2026.03.0-212")! == post)
        #expect(PositronVersion("v2026.03.0-212")!.description == "v2026.03.0-212")
        // Equal under PEP 440, so equal here: trailing zeros, spellings of the same post-release, case.
        #expect(PositronVersion("2026.3")! == PositronVersion("2026.03.0")!)
        #expect(PositronVersion("2026.03.0.post212")! == post)
        #expect(PositronVersion("2026.03.0RC1")! == PositronVersion("2026.03.0-rc.1")!)
        #expect(Set([post, PositronVersion("v2026.03.0-212")!, PositronVersion("2026.03.0")!]).count == 2)
    }

    // MARK: the release lists

    @Test(arguments: [("amd64", "x86_64"), ("arm64", "arm64")])
    func theListsAreInTheArchitectureFolder(architecture: String, folder: String) throws {
        #expect(try PositronVersions.releasesURL(architecture: architecture).absoluteString
                == "https://cdn.posit.co/positron/releases/pwb/\(folder)/all-releases.json")
        #expect(try PositronVersions.dailiesURL(architecture: architecture).absoluteString
                == "https://cdn.posit.co/positron/dailies/pwb/\(folder)/releases.json")
    }

    @Test func theReleaseListGivesEachVersionOnceNewestFirstAsSpelt() throws {
        let versions = try PositronVersions.versions(fromReleases: try document("all-releases.json"))
        #expect(versions == ["2026.04.0-15", "2026.03.0-212", "2026.03.0", "2026.02.1-5", "2026.02.0-88", "2026.01.0-130", "v2025.12.2-8"])
    }

    @Test func theDailiesListGivesTheNewestDaily() throws {
        #expect(try PositronVersions.version(fromDailies: try document("releases.json")) == "2026.05.0-87")
    }

    @Test func sortingKeepsSpellingsAndPutsNonVersionsLast() {
        #expect(PositronVersions.sorted(["2026.02.1-5", "v2026.03.0-212", "2026.03.0"]) == ["v2026.03.0-212", "2026.03.0", "2026.02.1-5"])
        #expect(PositronVersions.sorted(["nightly", "2026.02.1-5", "", "2026.03.0-212", "2026.03.0"])
                == ["2026.03.0-212", "2026.03.0", "2026.02.1-5", "nightly", ""])
        // Equal versions keep their given order; duplicates are kept (sorting is not de-duplicating).
        #expect(PositronVersions.sorted(["2026.3", "v2026.03.0", "2026.03.0", "2026.3"]) == ["2026.3", "v2026.03.0", "2026.03.0", "2026.3"])
        #expect(PositronVersions.sorted([]) == [])
    }

    @Test func badListsAreExplained() {
        let releases = "https://cdn.posit.co/positron/releases/pwb/<arch>/all-releases.json"
        let dailies = "https://cdn.posit.co/positron/dailies/pwb/<arch>/releases.json"
        func releasesMessage(_ text: String) -> String? {
            bakeryError(.channel) { try PositronVersions.versions(fromReleases: Data(text.utf8)) }?.message
        }
        func dailiesMessage(_ text: String) -> String? {
            bakeryError(.channel) { try PositronVersions.version(fromDailies: Data(text.utf8)) }?.message
        }
        #expect(releasesMessage("<html>") == "\(releases) is not valid JSON")
        #expect(releasesMessage(#"{"versions":[]}"#) == "\(releases) has no 'releases' list (it has: versions)")
        #expect(releasesMessage("[1]") == "\(releases) has no 'releases' list (it has: not an object)")
        #expect(releasesMessage(#"{"releases":[]}"#) == "\(releases) lists no releases")
        #expect(releasesMessage(#"{"releases":[{"version":"2026.03.0"},{"name":"x"}]}"#) == "\(releases): releases[1] has no string 'version'")
        #expect(releasesMessage(#"{"releases":[{"version":2026}]}"#) == "\(releases): releases[0] has no string 'version'")
        #expect(releasesMessage(#"{"releases":[{"version":"2026.03.0"},{"version":"latest"}]}"#)
                == "\(releases): releases[1].version 'latest' is not a Positron version (PEP 440, e.g. 2026.03.0-212)")
        #expect(dailiesMessage("") == "\(dailies) is not valid JSON")
        #expect(dailiesMessage(#"{"releases":[]}"#) == "\(dailies) has no string 'version'")
        #expect(dailiesMessage(#"{"version":"tomorrow"}"#) == "\(dailies) gives version 'tomorrow', which is not a Positron version (PEP 440, e.g. 2026.04.0-87)")
    }

    // MARK: URLs (products.md §9.2)

    @Test func theServerTarballAndDocsAreNamedPerArchitecture() throws {
        let v = try #require(PositronVersion("2026.03.0-212"))
        #expect(try v.serverURL(architecture: "amd64")
                == "https://cdn.posit.co/positron/releases/pwb/x86_64/positron-workbench-linux-x64-2026.03.0-212.tar.gz")
        #expect(try v.serverURL(architecture: "arm64")
                == "https://cdn.posit.co/positron/releases/pwb/arm64/positron-workbench-linux-arm64-2026.03.0-212.tar.gz")
        #expect(v.docsURL == "https://cdn.posit.co/positron/releases/docs/positron-workbench-docs-2026.03.0-212.zip")
        #expect(PositronVersion.sessionInitManifestURL == "https://cdn.posit.co/pwb-components/positron-session-init/latest.json")
        #expect(try PositronVersion.sessionInitArtifact(architecture: "amd64") == "linux-x86_64")
        #expect(try PositronVersion.sessionInitArtifact(architecture: "arm64") == "linux-arm64")
        #expect(try PositronVersion.cdnArchitecture("amd64") == "x86_64")
        #expect(try PositronVersion.cdnArchitecture("arm64") == "arm64")
        #expect(try PositronVersion.packageArchitecture("amd64") == "x64")
        #expect(try PositronVersion.packageArchitecture("arm64") == "arm64")
    }

    @Test(arguments: ["x86_64", "x64", "aarch64", "AMD64", "", "riscv64"])
    func otherArchitecturesAreRefused(architecture: String) throws {
        let v = try #require(PositronVersion("2026.03.0-212"))
        let error = bakeryError(.invalidArgument) { try v.serverURL(architecture: architecture) }
        #expect(error?.message == "'\(architecture)' is not an architecture Positron is published for in Workbench")
        #expect(error?.hint == "use amd64 or arm64 (the TARGETARCH of linux/amd64 and linux/arm64)")
        #expect(bakeryError(.invalidArgument) { try PositronVersion.sessionInitArtifact(architecture: architecture) } != nil)
        #expect(bakeryError(.invalidArgument) { try PositronVersion.cdnArchitecture(architecture) } != nil)
        #expect(bakeryError(.invalidArgument) { try PositronVersion.packageArchitecture(architecture) } != nil)
        #expect(bakeryError(.invalidArgument) { try PositronVersions.releasesURL(architecture: architecture) } != nil)
        #expect(bakeryError(.invalidArgument) { try PositronVersions.dailiesURL(architecture: architecture) } != nil)
    }
}
