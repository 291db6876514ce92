// Workbench's channel documents (reference §14.3), for the server and the session components, on fixture data (no network).
import Bakery
import Foundation
import Testing
import WorkbenchImages

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/channels")

private func document(_ name: String) throws -> Data {
    try Data(contentsOf: fixtures.appendingPathComponent(name))
}

/// The `.channel` error `body` throws, or nil when it throws none (or another kind).
private func channelError(_ body: () throws -> Any) -> BakeryError? {
    do { _ = try body(); return nil } catch let error as BakeryError { return error.code == .channel ? error : nil } catch { return nil }
}

@Suite struct WorkbenchChannelsTests {
    static let downloads = "https://posit.co/wp-content/uploads/downloads.json"
    static let dailies = "https://dailies.rstudio.com/rstudio/latest/index.json"
    static let ubuntu = [("Ubuntu 24.04", "noble"), ("Ubuntu 22.04", "jammy")]

    @Test(arguments: [PositProduct.workbench, .workbenchSession])
    func bothProductsPublishReleasePreviewAndDaily(product: PositProduct) throws {
        let channels = WorkbenchChannels(product: product)
        #expect(channels.product == product)
        #expect(channels.channels == [.release, .preview, .daily])
        #expect(channels.releaseBranch == "latest")
        #expect(try channels.documentURL(for: .release).absoluteString == Self.downloads)
        #expect(try channels.documentURL(for: .preview).absoluteString == Self.dailies)
        #expect(try channels.documentURL(for: .daily).absoluteString == Self.dailies)
        let branch = WorkbenchChannels(product: product, releaseBranch: "2026.05")
        #expect(try branch.documentURL(for: .daily).absoluteString == "https://dailies.rstudio.com/rstudio/2026.05/index.json")
        #expect(try branch.documentURL(for: .release).absoluteString == Self.downloads)
        #expect(channels.isValidVersion("2026.04.0+526.pro2"))
        #expect(channels.isValidVersion("2026.05.0-daily+187.pro3"))
        #expect(!channels.isValidVersion("2026.04.0"))
    }

    @Test(arguments: ["", "a/b", "..", ".hidden", "2026.05 ", "latest?x=1", "ün"])
    func aReleaseBranchNamesOneFolder(branch: String) {
        let channels = WorkbenchChannels(product: .workbench, releaseBranch: branch)
        let error = channelError { try channels.documentURL(for: .daily) }
        #expect(error?.message == "'\(branch)' is not a Workbench release branch for the dailies index")
        #expect(error?.hint == "use latest or a stream such as 2026.05")
        // The release channel does not read the dailies index.
        #expect(channelError { try channels.documentURL(for: .release) } == nil)
    }

    @Test(arguments: [PositProduct.connect, .packageManager])
    func otherProductsAreRefused(product: PositProduct) throws {
        let channels = WorkbenchChannels(product: product)
        for channel in ReleaseChannel.allCases {
            let error = channelError { try channels.documentURL(for: channel) }
            #expect(error?.message == "WorkbenchChannels reads the channels of workbench and workbench-session, not of \(product.rawValue)")
            #expect(channelError { try channels.release(from: try document("downloads.json"), channel: channel, os: .identify("Ubuntu 24.04"), architecture: "amd64") } != nil)
        }
    }

    @Test(arguments: [
        ("Ubuntu 24.04", "noble"), ("Ubuntu 22.04", "jammy"), ("Ubuntu 26.04", "resolute"),
        ("Debian 12", "noble"), ("Debian 11", "jammy"),
        ("RHEL 8", "rhel8"), ("Rocky Linux 9", "rhel9"), ("Alma 10", "rhel10"), ("scratch", "multi"),
    ])
    func osKeys(os: String, key: String) throws {
        #expect(try WorkbenchChannels.osKey(of: .identify(os)) == key)
    }

    @Test func osKeysOfOlderAndOtherSystems() throws {
        #expect(try WorkbenchChannels.osKey(of: BuildOS(family: .debian, name: "debian", version: "10", codename: "buster")) == "focal")
        #expect(try WorkbenchChannels.osKey(of: BuildOS(family: .debian, name: "ubuntu", version: "20.04", codename: "focal")) == "focal")
        #expect(try WorkbenchChannels.osKey(of: BuildOS(family: .sles, name: "opensuse", version: "15.6", codename: nil)) == "opensuse156")
        #expect(try WorkbenchChannels.osKey(of: BuildOS(family: .rhel, name: "rhel", version: "9.4", codename: nil)) == "rhel9")
        #expect(try WorkbenchChannels.osKey(of: .unknown) == "multi")
        #expect(channelError { try WorkbenchChannels.osKey(of: .identify("Debian 13")) }?.message == "Posit Workbench publishes no installer for Debian 13")
        #expect(channelError { try WorkbenchChannels.osKey(of: BuildOS(family: .debian, name: "ubuntu", version: "28.04", codename: nil)) }?
                .message.hasPrefix("no codename known for Ubuntu 28.04") == true)
    }

    // MARK: release

    @Test(arguments: ["amd64", "arm64"])
    func theReleaseChannelGivesTheServerPackageOfEachUbuntuRelease(architecture: String) throws {
        let channels = WorkbenchChannels(product: .workbench)
        let data = try document("downloads.json")
        for (os, codename) in Self.ubuntu {
            let release = try channels.release(from: data, channel: .release, os: .identify(os), architecture: architecture)
            #expect(release == ChannelRelease(version: "2026.04.0+526.pro2",
                                              downloadURL: "https://download2.rstudio.org/server/\(codename)/\(architecture)/rstudio-workbench-2026.04.0-526.pro2-\(architecture).deb"))
            // The same URL the version names for itself.
            let version = try #require(WorkbenchVersion(release.version))
            #expect(release.downloadURL == (try version.downloadURL(os: .identify(os), architecture: architecture)))
            // Multi-platform targets name the amd64 URL with the architecture left to the build.
            if architecture == "amd64" {
                #expect(release.architectureGeneralisedURL
                        == "https://download2.rstudio.org/server/\(codename)/$TARGETARCH/rstudio-workbench-2026.04.0-526.pro2-$TARGETARCH.deb")
            }
        }
    }

    @Test(arguments: ["amd64", "arm64"])
    func theReleaseChannelGivesTheSessionComponentsOfEachUbuntuRelease(architecture: String) throws {
        let channels = WorkbenchChannels(product: .workbenchSession)
        let data = try document("downloads.json")
        for (os, codename) in Self.ubuntu {
            let release = try channels.release(from: data, channel: .release, os: .identify(os), architecture: architecture)
            #expect(release == ChannelRelease(version: "2026.04.0+526.pro2",
                                              downloadURL: "https://download2.rstudio.org/session/\(codename)/\(architecture)/rsp-session-\(codename)-2026.04.0-526.pro2-\(architecture).tar.gz"))
        }
    }

    @Test func theReleaseChannelMapsOtherSystemsToTheirKeys() throws {
        let server = WorkbenchChannels(product: .workbench)
        let data = try document("downloads.json")
        let rhel = try server.release(from: data, channel: .release, os: .identify("RHEL 9"), architecture: "arm64")
        #expect(rhel.downloadURL == "https://download2.rstudio.org/server/rhel9/aarch64/rstudio-workbench-rhel-2026.04.0-526.pro2-aarch64.rpm")
        let bookworm = try server.release(from: data, channel: .release, os: .identify("Debian 12"), architecture: "amd64")
        #expect(bookworm.downloadURL == "https://download2.rstudio.org/server/noble/amd64/rstudio-workbench-2026.04.0-526.pro2-amd64.deb")
        let buster = BuildOS(family: .debian, name: "debian", version: "10", codename: "buster")
        #expect(try server.release(from: data, channel: .release, os: buster, architecture: "amd64").version == "2026.01.2+418.pro1")
        // The session components are not listed for RHEL 8.
        let error = channelError { try WorkbenchChannels(product: .workbenchSession).release(from: data, channel: .release, os: .identify("RHEL 8"), architecture: "amd64") }
        #expect(error?.message == "\(Self.downloads) lists no Workbench session components installer under rstudio.pro.stable.session.installer.rhel8 (rhel 8); it has: jammy, noble, rhel9")
        #expect(error?.hint == "build on an OS the release channel lists")
    }

    // MARK: preview and daily

    @Test(arguments: [ReleaseChannel.preview, .daily])
    func previewAndDailyGiveTheServerBuildOfEachPlatform(channel: ReleaseChannel) throws {
        let channels = WorkbenchChannels(product: .workbench)
        let data = try document("index.json")
        for (os, codename) in Self.ubuntu {
            for architecture in ["amd64", "arm64"] {
                let release = try channels.release(from: data, channel: channel, os: .identify(os), architecture: architecture)
                #expect(release == ChannelRelease(version: "2026.05.0-daily+187.pro3",
                                                  downloadURL: "https://s3.amazonaws.com/rstudio-ide-build/server/\(codename)/\(architecture)/rstudio-workbench-2026.05.0-daily-187.pro3-\(architecture).deb"))
            }
        }
        let rhel = try channels.release(from: data, channel: channel, os: .identify("Rocky Linux 9"), architecture: "arm64")
        #expect(rhel.downloadURL == "https://s3.amazonaws.com/rstudio-ide-build/server/rhel9/aarch64/rstudio-workbench-rhel-2026.05.0-daily-187.pro3-aarch64.rpm")
    }

    @Test(arguments: [ReleaseChannel.preview, .daily])
    func previewAndDailyGiveTheSessionBuildOfEachPlatform(channel: ReleaseChannel) throws {
        let channels = WorkbenchChannels(product: .workbenchSession)
        let data = try document("index.json")
        for (os, codename) in Self.ubuntu {
            for architecture in ["amd64", "arm64"] {
                let release = try channels.release(from: data, channel: channel, os: .identify(os), architecture: architecture)
                #expect(release == ChannelRelease(version: "2026.05.0-daily+186.pro2",
                                                  downloadURL: "https://s3.amazonaws.com/rstudio-ide-build/session/\(codename)/\(architecture)/rsp-session-\(codename)-2026.05.0-daily-186.pro2-\(architecture).tar.gz"))
            }
        }
        let error = channelError { try channels.release(from: data, channel: channel, os: .identify("RHEL 9"), architecture: "amd64") }
        #expect(error?.message == "\(Self.dailies) has no Workbench session components \(channel.rawValue) build for platform 'rhel9-x86_64' under products.session.platforms; it has: "
                + "jammy-amd64, jammy-arm64, noble-amd64, noble-arm64")
        #expect(error?.hint == "build on an OS and architecture the branch 'latest' publishes, or pin another release branch")
    }

    @Test func aMissingPlatformNamesTheBranchItWasLookedUpIn() throws {
        let channels = WorkbenchChannels(product: .workbench, releaseBranch: "2026.05")
        let error = channelError { try channels.release(from: try document("index.json"), channel: .daily, os: .identify("Ubuntu 26.04"), architecture: "arm64") }
        #expect(error?.message == "https://dailies.rstudio.com/rstudio/2026.05/index.json has no Posit Workbench daily build for platform 'resolute-arm64' "
                + "under products.workbench.platforms; it has: jammy-amd64, jammy-arm64, noble-amd64, noble-arm64, rhel9-aarch64, rhel9-x86_64")
        #expect(error?.hint?.contains("the branch '2026.05'") == true)
    }

    // MARK: bad documents

    @Test func badDocumentsAreExplained() {
        let ubuntu = BuildOS.identify("Ubuntu 24.04")
        func message(_ text: String, _ channel: ReleaseChannel, product: PositProduct = .workbench, architecture: String = "amd64") -> String? {
            channelError { try WorkbenchChannels(product: product).release(from: Data(text.utf8), channel: channel, os: ubuntu, architecture: architecture) }?.message
        }
        #expect(message("<html>Not Found</html>", .release) == "\(Self.downloads) is not valid JSON")
        #expect(message("", .daily) == "\(Self.dailies) is not valid JSON")
        #expect(message("{}", .release) == "\(Self.downloads) has no rstudio.pro.stable.server.installer section")
        #expect(message("{}", .release, product: .workbenchSession) == "\(Self.downloads) has no rstudio.pro.stable.session.installer section")
        #expect(message(#"{"rstudio":{"pro":{"stable":{"server":{"installer":[]}}}}}"#, .release)
                == "\(Self.downloads) has no rstudio.pro.stable.server.installer section")
        #expect(message("[]", .daily) == "\(Self.dailies) has no products.workbench.platforms section")
        #expect(message(#"{"products":{"workbench":{}}}"#, .preview) == "\(Self.dailies) has no products.workbench.platforms section")
        #expect(message(#"{"products":{"workbench":{"platforms":{}}}}"#, .daily, product: .workbenchSession)
                == "\(Self.dailies) has no products.session.platforms section")
        #expect(message(#"{"rstudio":{"pro":{"stable":{"server":{"installer":{"noble":{"version":2026}}}}}}}"#, .release)
                == "\(Self.downloads): rstudio.pro.stable.server.installer.noble needs string 'version' and 'url'")
        #expect(message(#"{"products":{"workbench":{"platforms":{"noble-amd64":{"version":"2026.05.0-daily+187.pro3","url":"https://x/y.deb"}}}}}"#, .daily)
                == "\(Self.dailies): products.workbench.platforms.noble-amd64 needs string 'version' and 'link'")
        #expect(message(#"{"products":{"workbench":{"platforms":{"noble-amd64":{"version":"latest","link":"https://x/y.deb"}}}}}"#, .daily)
                == "\(Self.dailies) gives 'latest' under products.workbench.platforms, which is not a Workbench version "
                + "(YYYY.MM.P+BUILD.proN, or a channel build such as YYYY.MM.P-daily+BUILD.proN)")
        #expect(message(#"{"rstudio":{"pro":{"stable":{"server":{"installer":{"noble":{"version":"2026.04.0","url":"https://x/y.deb"}}}}}}}"#, .release)?
                .contains("gives '2026.04.0' under rstudio.pro.stable.server.installer, which is not a Workbench version") == true)
        #expect(message(#"{"products":{"workbench":{"platforms":{"noble-amd64":{"version":"2026.05.0-daily+187.pro3","link":"s3://bucket/y.deb"}}}}}"#, .daily)
                == "\(Self.dailies) gives download URL 's3://bucket/y.deb' under products.workbench.platforms, which is not an HTTP URL")
        #expect(message(#"{"rstudio":{"pro":{"stable":{"server":{"installer":{"noble":{"version":"2026.04.0+526.pro2","url":"/server/y.deb"}}}}}}}"#, .release)
                == "\(Self.downloads) gives download URL '/server/y.deb' under rstudio.pro.stable.server.installer, which is not an HTTP URL")
        #expect(message(#"{"rstudio":{"pro":{"stable":{"server":{"installer":{}}}}}}"#, .release)
                == "\(Self.downloads) lists no Posit Workbench installer under rstudio.pro.stable.server.installer.noble (ubuntu 24.04); it has: ")
        #expect(message("{}", .daily, architecture: "x86_64")
                == "\(Self.dailies): 'x86_64' is not an architecture Posit Workbench is built for; use amd64 or arm64")
    }

    // MARK: pinned versions

    @Test func pinnedVersionsSubstituteIntoTheChannelURLAsFileNamesSpellThem() throws {
        let data = try document("index.json")
        let daily = try WorkbenchChannels(product: .workbench).release(from: data, channel: .daily, os: .identify("Ubuntu 24.04"), architecture: "arm64")
        #expect(try WorkbenchChannels(product: .workbench).downloadURL(forPinned: "2026.05.0-daily+190.pro1", basedOn: daily)
                == "https://s3.amazonaws.com/rstudio-ide-build/server/noble/arm64/rstudio-workbench-2026.05.0-daily-190.pro1-arm64.deb")
        let session = try WorkbenchChannels(product: .workbenchSession).release(from: data, channel: .preview, os: .identify("Ubuntu 22.04"), architecture: "amd64")
        #expect(try WorkbenchChannels(product: .workbenchSession).downloadURL(forPinned: "2026.05.0-preview+12.pro1", basedOn: session)
                == "https://s3.amazonaws.com/rstudio-ide-build/session/jammy/amd64/rsp-session-jammy-2026.05.0-preview-12.pro1-amd64.tar.gz")
        let release = try WorkbenchChannels(product: .workbench).release(from: try document("downloads.json"), channel: .release,
                                                                          os: .identify("Ubuntu 24.04"), architecture: "amd64")
        let pinned = try #require(WorkbenchVersion("2026.01.2+418.pro1"))
        #expect(try WorkbenchChannels(product: .workbench).downloadURL(forPinned: "2026.01.2+418.pro1", basedOn: release)
                == (try pinned.downloadURL(os: .identify("Ubuntu 24.04"), architecture: "amd64")))
    }

    @Test func aPinnedVersionThatCannotBeSubstitutedIsExplained() {
        let channels = WorkbenchChannels(product: .workbench)
        let odd = ChannelRelease(version: "2026.05.0-daily+187.pro3", downloadURL: "https://example.com/rstudio-workbench-latest.deb")
        #expect(channelError { try channels.downloadURL(forPinned: "2026.05.0-daily+190.pro1", basedOn: odd) }?.message
                == "Cannot substitute version '2026.05.0-daily+190.pro1' into URL 'https://example.com/rstudio-workbench-latest.deb': "
                + "manifest version '2026.05.0-daily+187.pro3' (encoded as '2026.05.0-daily-187.pro3') not found in URL.")
        // The URL spells the version with '+' (not as the file names do): not found either.
        let plus = ChannelRelease(version: "2026.04.0+526.pro2", downloadURL: "https://example.com/2026.04.0+526.pro2.deb")
        #expect(channelError { try channels.downloadURL(forPinned: "2026.01.2+418.pro1", basedOn: plus) }?.message.hasPrefix("Cannot substitute version") == true)
        #expect(channelError { try channels.downloadURL(forPinned: "next", basedOn: odd) }?.message
                == "'next' is not a Workbench version (YYYY.MM.P+BUILD.proN, or a channel build such as YYYY.MM.P-daily+BUILD.proN)")
        #expect(channelError { try channels.downloadURL(forPinned: "2026.05.0", basedOn: odd) }?.message.hasPrefix("'2026.05.0' is not a Workbench version") == true)
    }
}
