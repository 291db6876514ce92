// Connect's version rules, channel documents and download URLs, on fixture data (no network).
import Bakery
import ConnectImages
import Foundation
import Testing

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/connect-channels")

private func document(_ name: String) throws -> Data {
    try Data(contentsOf: fixtures.appendingPathComponent(name))
}

@Suite struct ConnectVersionTests {
    @Test(arguments: [
        ("2026.03.1", "2026.03", false, "2026.03.1-1"),
        ("2025.12.1", "2025.12", false, "2025.12.1"),
        ("2026.02.0", "2026.02", false, "2026.02.0-1"),
        ("2026.05.0-dev+185-g1a2b3c4", "2026.05", true, "2026.05.0-dev+185-g1a2b3c4-1"),
    ])
    func versionsParse(text: String, stream: String, development: Bool, apt: String) throws {
        let version = try #require(ConnectVersion(text))
        #expect(version.description == text)
        #expect(version.stream == stream)
        #expect(version.isDevelopment == development)
        #expect(version.aptPackageVersion == apt)
    }

    @Test(arguments: ["2026.3.1", "2026.13.0", "2026.03", "2026.03.01", "v2026.03.1", "2026.03.1-rc1",
                      "2026.05.0-dev+185", "2026.05.0-dev+x-g1a2b", "2026.05.0-dev+185-gXYZ", "1999.01.0", "", "2026.03.1+build"])
    func malformedVersionsAreRejected(text: String) {
        #expect(ConnectVersion(text) == nil)
    }

    @Test func ordering() throws {
        let names = ["2026.05.0", "2025.12.1", "2026.05.0-dev+185-gabc", "2026.05.0-dev+12-gdef", "2026.03.1"]
        let sorted = names.compactMap(ConnectVersion.init).sorted().map(\.description)
        #expect(sorted == ["2025.12.1", "2026.03.1", "2026.05.0-dev+12-gdef", "2026.05.0-dev+185-gabc", "2026.05.0"])
    }

    @Test func developmentVersionsArePercentEncoded() throws {
        #expect(ConnectVersion("2026.05.0-dev+185-g1a2b3c4")?.urlEncoded == "2026.05.0-dev%2B185-g1a2b3c4")
        #expect(ConnectVersion("2026.03.1")?.urlEncoded == "2026.03.1")
    }

    @Test func runtimeTarballsCarryTheArchitectureFrom2026_02() {
        #expect(ConnectVersion("2026.01.1")?.runtimeURL(architecture: "arm64")
                == "https://cdn.posit.co/connect/2026.01/rstudio-connect-runtime-2026.01.1.tar.gz")
        #expect(ConnectVersion("2026.02.1")?.runtimeURL(architecture: "${TARGETARCH}")
                == "https://cdn.posit.co/connect/2026.02/rstudio-connect-runtime-2026.02.1-${TARGETARCH}.tar.gz")
        #expect(ConnectVersion("2026.05.0-dev+185-g1a2b3c4")?.runtimeURL(architecture: "amd64")
                == "https://cdn.posit.co/connect/2026.05/rstudio-connect-runtime-2026.05.0-dev%2B185-g1a2b3c4-amd64.tar.gz")
    }

    @Test func packageURLsPerOSAndArchitecture() throws {
        let version = try #require(ConnectVersion("2026.03.1"))
        #expect(try version.packageURL(os: .identify("Ubuntu 24.04"), architecture: "arm64")
                == "https://cdn.posit.co/connect/2026.03/rstudio-connect_2026.03.1~ubuntu24_arm64.deb")
        #expect(try version.packageURL(os: .identify("Ubuntu 22.04"), architecture: "amd64")
                == "https://cdn.posit.co/connect/2026.03/rstudio-connect_2026.03.1~ubuntu22_amd64.deb")
        #expect(try version.packageURL(os: .identify("Debian 12"), architecture: "amd64")
                == "https://cdn.posit.co/connect/2026.03/rstudio-connect_2026.03.1~ubuntu24_amd64.deb")
        #expect(try version.packageURL(os: .identify("RHEL 9"), architecture: "amd64")
                == "https://cdn.posit.co/connect/2026.03/rstudio-connect-2026.03.1.el9.x86_64.rpm")
        #expect(throws: BakeryError.self) { try version.packageURL(os: .identify("RHEL 7"), architecture: "amd64") }
    }
}

/// The message of the `.channel` error `body` throws, or nil when it throws none (or another kind).
private func channelError(_ body: () throws -> Any) -> String? {
    do { _ = try body(); return nil } catch let error as BakeryError { return error.code == .channel ? error.message : nil } catch { return nil }
}

@Suite struct ConnectChannelTests {
    let channels = ConnectChannels()

    @Test func connectPublishesReleaseAndDaily() throws {
        #expect(channels.channels == [.release, .daily])
        #expect(try channels.documentURL(for: .release).absoluteString == "https://posit.co/wp-content/uploads/downloads.json")
        #expect(try channels.documentURL(for: .daily).absoluteString == "https://cdn.posit.co/connect/latest-packages.json")
        #expect(channelError { try channels.documentURL(for: .preview) } == "Posit Connect has no preview channel; use channel: release or channel: daily")
        #expect(ConnectProduct().channels(for: .connect)?.product == .connect)
        #expect(ConnectProduct().channels(for: .workbench) == nil)
    }

    @Test func releaseChannelByUbuntuCodenameAndRHELKey() throws {
        let data = try document("downloads.json")
        let noble = try channels.release(from: data, channel: .release, os: .identify("Ubuntu 24.04"), architecture: "amd64")
        #expect(noble == ChannelRelease(version: "2026.03.1", downloadURL: "https://cdn.posit.co/connect/2026.03/rstudio-connect_2026.03.1~ubuntu24_amd64.deb"))
        #expect(noble.downloadURL == (try ConnectVersion("2026.03.1")!.packageURL(os: .identify("Ubuntu 24.04"), architecture: "amd64")))
        #expect(noble.architectureGeneralisedURL == "https://cdn.posit.co/connect/2026.03/rstudio-connect_2026.03.1~ubuntu24_$TARGETARCH.deb")
        let arm = try channels.release(from: data, channel: .release, os: .identify("Ubuntu 24.04"), architecture: "arm64")
        #expect(arm.downloadURL.hasSuffix("~ubuntu24_arm64.deb"))
        let bookworm = try channels.release(from: data, channel: .release, os: .identify("Debian 12"), architecture: "amd64")
        #expect(bookworm.downloadURL.hasSuffix("~ubuntu24_amd64.deb"))
        let rhel8 = try channels.release(from: data, channel: .release, os: .identify("RHEL 8"), architecture: "amd64")
        #expect(rhel8.downloadURL.hasSuffix(".el8.x86_64.rpm"))
        #expect(throws: BakeryError.self) {
            try channels.release(from: data, channel: .release, os: .identify("Ubuntu 26.04"), architecture: "amd64")
        }
    }

    @Test func dailyChannelByPlatform() throws {
        let data = try document("latest-packages.json")
        let arm = try channels.release(from: data, channel: .daily, os: .identify("Ubuntu 24.04"), architecture: "arm64")
        #expect(arm.version == "2026.05.0-dev+185-g1a2b3c4")
        #expect(arm.stream == "2026.05")
        #expect(arm.downloadURL == (try ConnectVersion(arm.version)!.packageURL(os: .identify("Ubuntu 24.04"), architecture: "arm64")))
        let el9 = try channels.release(from: data, channel: .daily, os: .identify("Rocky Linux 9"), architecture: "amd64")
        #expect(el9.downloadURL.hasSuffix(".el9.x86_64.rpm"))
        do {
            _ = try channels.release(from: data, channel: .daily, os: .identify("Ubuntu 22.04"), architecture: "arm64")
            Issue.record("ubuntu22/arm64 is not in the fixture")
        } catch {
            #expect(error.message == "https://cdn.posit.co/connect/latest-packages.json has no daily build for platform 'ubuntu22/arm64'; it has: el9/x86_64, ubuntu22/amd64, ubuntu24/amd64, ubuntu24/arm64")
        }
    }

    @Test func badDocumentsAreExplained() {
        let ubuntu = BuildOS.identify("Ubuntu 24.04")
        func message(_ json: String, _ channel: ReleaseChannel) -> String? {
            do { _ = try channels.release(from: Data(json.utf8), channel: channel, os: ubuntu, architecture: "amd64"); return nil }
            catch { return error.message }
        }
        #expect(message("<html>", .daily)?.contains("is not valid JSON") == true)
        #expect(message("{}", .daily)?.contains("has no 'packages' list") == true)
        #expect(message("{}", .release)?.contains("has no connect.installer section") == true)
        #expect(message(#"{"packages":[{"platform":"ubuntu24/amd64","version":"latest","url":"https://x/y.deb"}]}"#, .daily)?
                .contains("gives 'latest', which is not a Connect version") == true)
        #expect(message(#"{"packages":[{"platform":"ubuntu24/amd64","version":"2026.05.0","url":"ftp://x/y.deb"}]}"#, .daily)?
                .contains("which is not an HTTP URL") == true)
        #expect(message(#"{"packages":[{"platform":"ubuntu24/amd64","version":2026}]}"#, .daily)?
                .contains("needs string 'version' and 'url'") == true)
    }

    @Test func pinnedVersionsSubstituteIntoTheChannelURL() throws {
        let data = try document("latest-packages.json")
        let daily = try channels.release(from: data, channel: .daily, os: .identify("Ubuntu 24.04"), architecture: "amd64")
        #expect(try channels.downloadURL(forPinned: "2026.05.0-dev+190-gfedcba9", basedOn: daily)
                == "https://cdn.posit.co/connect/2026.05/rstudio-connect_2026.05.0-dev%2B190-gfedcba9~ubuntu24_amd64.deb")
        // Another stream: the CDN folder follows the pinned version.
        #expect(try channels.downloadURL(forPinned: "2026.04.2", basedOn: daily)
                == "https://cdn.posit.co/connect/2026.04/rstudio-connect_2026.04.2~ubuntu24_amd64.deb")
        #expect(throws: BakeryError.self) { try channels.downloadURL(forPinned: "next", basedOn: daily) }
        let odd = ChannelRelease(version: "2026.05.0", downloadURL: "https://example.com/connect.deb")
        #expect(channelError { try channels.downloadURL(forPinned: "2026.05.1", basedOn: odd) } == "Cannot substitute version '2026.05.1' into URL 'https://example.com/connect.deb': manifest version '2026.05.0' (encoded as '2026.05.0') not found in URL.")
    }
}
