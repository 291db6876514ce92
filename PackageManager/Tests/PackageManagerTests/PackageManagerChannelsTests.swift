// Package Manager's channel documents (reference §14.3), on fixture data (no network).
import Bakery
import Foundation
import PackageManagerImages
import Testing

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/channels")

private func document(_ name: String) throws -> Data {
    try Data(contentsOf: fixtures.appendingPathComponent(name))
}

/// The `.channel` error `body` throws, or nil when it throws none (or another kind).
private func channelError(_ body: () throws -> Any) -> BakeryError? {
    do { _ = try body(); return nil } catch let error as BakeryError { return error.code == .channel ? error : nil } catch { return nil }
}

@Suite struct PackageManagerChannelsTests {
    let channels = PackageManagerChannels()
    static let releaseDocument = "https://posit.co/wp-content/uploads/downloads.json"
    static let previewDocument = "https://cdn.posit.co/package-manager/deb/amd64/rstudio-pm-rc-latest.txt"
    static let dailyDocument = "https://cdn.posit.co/package-manager/deb/amd64/rstudio-pm-main-latest.txt"

    @Test func packageManagerPublishesReleasePreviewAndDaily() throws {
        #expect(channels.product == .packageManager)
        #expect(channels.channels == [.release, .preview, .daily])
        #expect(try channels.documentURL(for: .release).absoluteString == Self.releaseDocument)
        #expect(try channels.documentURL(for: .preview).absoluteString == Self.previewDocument)
        #expect(try channels.documentURL(for: .daily).absoluteString == Self.dailyDocument)
        #expect(channels.isValidVersion("2025.12.0-14"))
        #expect(!channels.isValidVersion("2025.12"))
    }

    @Test(arguments: [
        ("Ubuntu 26.04", "ubuntu64"), ("Ubuntu 24.04", "ubuntu64"), ("Ubuntu 22.04", "jammy"),
        ("Debian 13", "ubuntu64"), ("Debian 12", "ubuntu64"), ("Debian 11", "jammy"),
        ("RHEL 8", "fedora28"), ("Rocky Linux 9", "rhel9"), ("Alma 10", "multi"), ("scratch", "multi"),
    ])
    func downloadsKeys(os: String, key: String) throws {
        #expect(try PackageManagerChannels.downloadsKey(of: .identify(os)) == key)
    }

    @Test func downloadsKeysOfOlderAndOtherSystems() throws {
        #expect(try PackageManagerChannels.downloadsKey(of: BuildOS(family: .debian, name: "ubuntu", version: "20.04", codename: "focal")) == "focal")
        #expect(try PackageManagerChannels.downloadsKey(of: BuildOS(family: .debian, name: "debian", version: "10", codename: "buster")) == "focal")
        #expect(try PackageManagerChannels.downloadsKey(of: BuildOS(family: .rhel, name: "rhel", version: "7", codename: nil)) == "rhel7_64")
        #expect(try PackageManagerChannels.downloadsKey(of: BuildOS(family: .sles, name: "opensuse", version: "15.6", codename: nil)) == "opensuse156")
        #expect(channelError { try PackageManagerChannels.downloadsKey(of: BuildOS(family: .debian, name: "ubuntu", version: "20.04", codename: nil)) }?
                .message == "no codename known for Ubuntu 20.04")
        #expect(channelError { try PackageManagerChannels.downloadsKey(of: BuildOS(family: .debian, name: "debian", version: "9", codename: "stretch")) }?
                .message == "Posit Package Manager publishes no installer for Debian 9")
    }

    @Test func releaseChannelByOSKeyAndArchitecture() throws {
        let data = try document("downloads.json")
        let noble = try channels.release(from: data, channel: .release, os: .identify("Ubuntu 24.04"), architecture: "amd64")
        #expect(noble == ChannelRelease(version: "2026.04.2", downloadURL: "https://cdn.posit.co/package-manager/deb/amd64/rstudio-pm_2026.04.2_amd64.deb"))
        let version = try #require(PackageManagerVersion(noble.version))
        #expect(noble.downloadURL == (try version.downloadURL(os: .identify("Ubuntu 24.04"), architecture: "amd64")))
        #expect(noble.architectureGeneralisedURL == (try version.downloadURLTemplate(os: .identify("Ubuntu 24.04"))))
        let arm = try channels.release(from: data, channel: .release, os: .identify("Ubuntu 24.04"), architecture: "arm64")
        #expect(arm.downloadURL == (try version.downloadURL(os: .identify("Ubuntu 24.04"), architecture: "arm64")))
        let jammy = try channels.release(from: data, channel: .release, os: .identify("Ubuntu 22.04"), architecture: "amd64")
        #expect(jammy.version == "2026.04.2")
        let bookworm = try channels.release(from: data, channel: .release, os: .identify("Debian 12"), architecture: "arm64")
        #expect(bookworm.downloadURL == "https://cdn.posit.co/package-manager/deb/arm64/rstudio-pm_2026.04.2_arm64.deb")
        let rhel8 = try channels.release(from: data, channel: .release, os: .identify("RHEL 8"), architecture: "arm64")
        #expect(rhel8.downloadURL == (try version.downloadURL(os: .identify("RHEL 8"), architecture: "arm64")))
        let rhel7 = try channels.release(from: data, channel: .release, os: BuildOS(family: .rhel, name: "rhel", version: "7", codename: nil), architecture: "amd64")
        #expect(rhel7.version == "2025.12.0-14")
        #expect(rhel7.stream == nil)
        let error = channelError { try channels.release(from: data, channel: .release, os: .identify("RHEL 10"), architecture: "amd64") }
        #expect(error?.message == "\(Self.releaseDocument) lists no Package Manager installer for 'multi' (rhel 10); it has: "
                + "fedora28, focal, jammy, opensuse156, rhel7_64, rhel9, ubuntu64")
    }

    @Test(arguments: [(ReleaseChannel.preview, "rstudio-pm-rc-latest.txt", "2026.05.0-12", "2026.05.0-12"),
                      (.daily, "rstudio-pm-main-latest.txt", "2026.06.0-dev+314-g7c2e9f1", "2026.06.0-dev%2B314-g7c2e9f1")])
    func previewAndDailyNameTheVersionAndTheURLFollowsTheCDNNaming(channel: ReleaseChannel, file: String, version: String, encoded: String) throws {
        let data = try document(file)
        for architecture in ["amd64", "arm64"] {
            for os in ["Ubuntu 24.04", "Ubuntu 22.04", "Ubuntu 26.04"] {
                let release = try channels.release(from: data, channel: channel, os: .identify(os), architecture: architecture)
                #expect(release == ChannelRelease(version: version,
                                                  downloadURL: "https://cdn.posit.co/package-manager/deb/\(architecture)/rstudio-pm_\(encoded)_\(architecture).deb"))
            }
            let rpmArch = architecture == "amd64" ? "x86_64" : "aarch64"
            let rhel = try channels.release(from: data, channel: channel, os: .identify("RHEL 9"), architecture: architecture)
            #expect(rhel.downloadURL == "https://cdn.posit.co/package-manager/rpm/\(rpmArch)/rstudio-pm-\(encoded).\(rpmArch).rpm")
        }
        let amd64 = try channels.release(from: data, channel: channel, os: .identify("Ubuntu 24.04"), architecture: "amd64")
        #expect(amd64.architectureGeneralisedURL == "https://cdn.posit.co/package-manager/deb/$TARGETARCH/rstudio-pm_\(encoded)_$TARGETARCH.deb")
        #expect(amd64.architectureGeneralisedURL == (try #require(PackageManagerVersion(version)).downloadURLTemplate(os: .identify("Ubuntu 24.04"))))
    }

    @Test func theTextIsTrimmed() throws {
        for body in ["2026.06.0-3", "  2026.06.0-3\r\n", "\n2026.06.0-3\n\n", "\t2026.06.0-3 "] {
            let release = try channels.release(from: Data(body.utf8), channel: .daily, os: .identify("Ubuntu 24.04"), architecture: "amd64")
            #expect(release.version == "2026.06.0-3")
        }
    }

    @Test func badDocumentsAreExplained() {
        let ubuntu = BuildOS.identify("Ubuntu 24.04")
        func message(_ text: String, _ channel: ReleaseChannel, os: BuildOS = ubuntu, architecture: String = "amd64") -> String? {
            channelError { try channels.release(from: Data(text.utf8), channel: channel, os: os, architecture: architecture) }?.message
        }
        #expect(message("", .daily) == "\(Self.dailyDocument) is empty; it should name the newest daily build")
        #expect(message(" \n", .preview) == "\(Self.previewDocument) is empty; it should name the newest preview build")
        #expect(message("<html><body>Not Found</body></html>", .daily)
                == "\(Self.dailyDocument) gives '<html><body>Not Found</body></html>', which is not a Package Manager version "
                + "(YYYY.MM.P, YYYY.MM.P-N or a CalVer channel build such as YYYY.MM.P-dev+N)")
        #expect(message("2026.06.0-3\n2026.06.0-4", .daily)?.contains("which is not a Package Manager version") == true)
        #expect(message(String(repeating: "x", count: 500), .daily)?.contains("'\(String(repeating: "x", count: 80))…'") == true)
        #expect(channelError { try channels.release(from: Data([0xff, 0xfe, 0x00]), channel: .preview, os: ubuntu, architecture: "amd64") }?
                .message == "\(Self.previewDocument) is not UTF-8 text")
        #expect(message("2026.06.0-3", .daily, architecture: "x86_64")
                == "\(Self.dailyDocument): 'x86_64' is not an architecture Posit Package Manager is built for; use amd64 or arm64")
        #expect(message("2026.06.0-3", .daily, os: .scratch)?.hasPrefix("Posit Package Manager publishes no package for scratch") == true)
        #expect(message("<html>", .release) == "\(Self.releaseDocument) is not valid JSON")
        #expect(message("{}", .release) == "\(Self.releaseDocument) has no rspm.installer section")
        #expect(message(#"{"rspm":{"installer":[]}}"#, .release) == "\(Self.releaseDocument) has no rspm.installer section")
        #expect(message(#"{"rspm":{"installer":{"ubuntu64":{"version":2026}}}}"#, .release)
                == "\(Self.releaseDocument): rspm.installer.ubuntu64 needs string 'version' and 'url'")
        #expect(message(#"{"rspm":{"installer":{"ubuntu64":{"version":"latest","url":"https://x/y.deb"}}}}"#, .release)?
                .contains("gives 'latest' for rspm.installer.ubuntu64, which is not a Package Manager version") == true)
        #expect(message(#"{"rspm":{"installer":{"ubuntu64":{"version":"2026.04.2","url":"ftp://x/y.deb"}}}}"#, .release)
                == "\(Self.releaseDocument) gives download URL 'ftp://x/y.deb', which is not an HTTP URL")
        #expect(message(#"{"rspm":{"installer":{}}}"#, .release)
                == "\(Self.releaseDocument) lists no Package Manager installer for 'ubuntu64' (ubuntu 24.04); it has: ")
    }

    @Test func pinnedVersionsSubstituteIntoTheChannelURL() throws {
        let daily = try channels.release(from: try document("rstudio-pm-main-latest.txt"), channel: .daily,
                                         os: .identify("Ubuntu 24.04"), architecture: "arm64")
        #expect(try channels.downloadURL(forPinned: "2026.06.0-dev+320-gabc1234", basedOn: daily)
                == "https://cdn.posit.co/package-manager/deb/arm64/rstudio-pm_2026.06.0-dev%2B320-gabc1234_arm64.deb")
        let pinned = try #require(PackageManagerVersion("2026.05.0-12"))
        #expect(try channels.downloadURL(forPinned: "2026.05.0-12", basedOn: daily)
                == (try pinned.downloadURL(os: .identify("Ubuntu 24.04"), architecture: "arm64")))
        let release = try channels.release(from: try document("downloads.json"), channel: .release, os: .identify("RHEL 9"), architecture: "amd64")
        #expect(try channels.downloadURL(forPinned: "2025.12.0-14", basedOn: release)
                == "https://cdn.posit.co/package-manager/rpm/x86_64/rstudio-pm-2025.12.0-14.x86_64.rpm")
        #expect(channelError { try channels.downloadURL(forPinned: "next", basedOn: daily) }?.message
                == "'next' is not a Package Manager version (YYYY.MM.P, YYYY.MM.P-N or a CalVer channel build such as YYYY.MM.P-dev+N)")
        let odd = ChannelRelease(version: "2026.05.0", downloadURL: "https://example.com/rstudio-pm.deb")
        #expect(channelError { try channels.downloadURL(forPinned: "2026.05.1", basedOn: odd) }?.message
                == "Cannot substitute version '2026.05.1' into URL 'https://example.com/rstudio-pm.deb': manifest version '2026.05.0' (encoded as '2026.05.0') not found in URL.")
    }
}
