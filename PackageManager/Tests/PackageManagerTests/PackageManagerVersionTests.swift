// Package Manager's version rules and download URLs (no network).
import Bakery
import Foundation
import PackageManagerImages
import Testing

@Suite struct PackageManagerVersionTests {
    @Test(arguments: [
        ("2026.04.2", "2026.04", nil, [String](), true),
        ("2025.12.0-14", "2025.12", 14, [], true),
        ("2024.04.4-35", "2024.04", 35, [], true),
        ("2025.12.0-0", "2025.12", 0, [], true),
        ("2026.09.0", "2026.09", nil, [], true),
        ("2026.05.0-rc.2", "2026.05", nil, ["rc", "2"], false),
        ("2026.06.0-dev+314-g7c2e9f1", "2026.06", nil, ["dev"], false),
        ("2026.06.0-14+build.7", "2026.06", 14, [], false),
    ] as [(String, String, Int?, [String], Bool)])
    func versionsParse(text: String, stream: String, buildNumber: Int?, prerelease: [String], release: Bool) throws {
        let version = try #require(PackageManagerVersion(text))
        #expect(version.description == text)
        #expect(version.stream == stream)
        #expect(version.buildNumber == buildNumber)
        #expect(version.prerelease == prerelease)
        #expect(version.isRelease == release)
    }

    @Test(arguments: ["2026.4.2", "2026.13.0", "2026.00.0", "2026.04", "2026.04.02", "v2026.04.2", "2025.12.0-014",
                      "2025.12.0-", "2025.12.0-14.", "2025.12.0-1_4", "2026.04.2+", "2026.04.2 ", " 2026.04.2", "1999.01.0",
                      "02026.04.2", "2026.04.2\n", "", "latest", "2025.12.0-99999999999999999999", "2026.04.2-dev+a+b",
                      "2026.04.2-dév", "12345.01.0"])
    func malformedVersionsAreRejected(text: String) {
        #expect(PackageManagerVersion(text) == nil)
    }

    @Test func orderingFollowsPEP440() throws {
        let names = ["2026.04.2", "2025.12.0-14", "2025.12.0-2", "2025.12.0", "2026.05.0-rc.2", "2026.05.0-rc.10",
                     "2026.05.0-dev", "2026.05.0", "2026.05.0-3", "2024.04.4-35", "2026.05.0-rc.2+7", "2026.06.0-dev+314-g7c2e9f1"]
        let sorted = names.compactMap(PackageManagerVersion.init).sorted().map(\.description)
        #expect(sorted == ["2024.04.4-35", "2025.12.0", "2025.12.0-2", "2025.12.0-14", "2026.04.2", "2026.05.0-dev",
                           "2026.05.0-rc.2", "2026.05.0-rc.2+7", "2026.05.0-rc.10", "2026.05.0", "2026.05.0-3",
                           "2026.06.0-dev+314-g7c2e9f1"])
        // §14.1's example: a numbered build is a post-release.
        #expect(try #require(PackageManagerVersion("2026.03.0-212")) > #require(PackageManagerVersion("2026.02.1-5")))
        #expect(PackageManagerVersion("2025.12.0-14") == PackageManagerVersion("2025.12.0-14"))
        #expect(PackageManagerVersion("2025.12.0-14") != PackageManagerVersion("2025.12.0"))
    }

    @Test func channelBuildsArePercentEncoded() {
        #expect(PackageManagerVersion("2026.06.0-dev+314-g7c2e9f1")?.urlEncoded == "2026.06.0-dev%2B314-g7c2e9f1")
        #expect(PackageManagerVersion("2025.12.0-14")?.urlEncoded == "2025.12.0-14")
    }

    static let ubuntu = ["Ubuntu 22.04", "Ubuntu 24.04", "Ubuntu 26.04", "Debian 12"]
    static let rhel = ["RHEL 9", "Rocky Linux 8", "Alma 10"]

    /// Every version × OS × architecture: the deb and rpm names of reference §14.3.
    @Test(arguments: ["2026.04.2", "2025.12.0-14", "2024.11.0-7", "2026.06.0-dev+314-g7c2e9f1"], ["amd64", "arm64"])
    func downloadURLPerVersionOSAndArchitecture(name: String, architecture: String) throws {
        let version = try #require(PackageManagerVersion(name))
        let encoded = name.replacingOccurrences(of: "+", with: "%2B")
        for os in Self.ubuntu {
            #expect(try version.downloadURL(os: .identify(os), architecture: architecture)
                    == "https://cdn.posit.co/package-manager/deb/\(architecture)/rstudio-pm_\(encoded)_\(architecture).deb")
        }
        let rpmArch = architecture == "amd64" ? "x86_64" : "aarch64"
        for os in Self.rhel {
            #expect(try version.downloadURL(os: .identify(os), architecture: architecture)
                    == "https://cdn.posit.co/package-manager/rpm/\(rpmArch)/rstudio-pm-\(encoded).\(rpmArch).rpm")
        }
    }

    @Test func exactURLsForThePublishedVersions() throws {
        let latest = try #require(PackageManagerVersion("2025.12.0-14"))
        #expect(try latest.downloadURL(os: .identify("Ubuntu 24.04"), architecture: "amd64")
                == "https://cdn.posit.co/package-manager/deb/amd64/rstudio-pm_2025.12.0-14_amd64.deb")
        #expect(try latest.downloadURL(os: .identify("Ubuntu 24.04"), architecture: "arm64")
                == "https://cdn.posit.co/package-manager/deb/arm64/rstudio-pm_2025.12.0-14_arm64.deb")
        #expect(try latest.downloadURL(os: .identify("RHEL 9"), architecture: "amd64")
                == "https://cdn.posit.co/package-manager/rpm/x86_64/rstudio-pm-2025.12.0-14.x86_64.rpm")
        #expect(try latest.downloadURL(os: .identify("RHEL 9"), architecture: "arm64")
                == "https://cdn.posit.co/package-manager/rpm/aarch64/rstudio-pm-2025.12.0-14.aarch64.rpm")
        let sles = BuildOS(family: .sles, name: "opensuse", version: "15.6", codename: nil)
        #expect(try latest.downloadURL(os: sles, architecture: "amd64")
                == "https://cdn.posit.co/package-manager/rpm/x86_64/rstudio-pm-2025.12.0-14.x86_64.rpm")
    }

    /// The `$TARGETARCH` form is the architecture-generalised URL and, substituted, each architecture's URL.
    @Test(arguments: ["2026.04.2", "2025.12.0-14", "2026.06.0-dev+314-g7c2e9f1"])
    func downloadURLTemplateIsTheTargetArchForm(name: String) throws {
        let version = try #require(PackageManagerVersion(name))
        for os in Self.ubuntu.map(BuildOS.identify) {
            let template = try version.downloadURLTemplate(os: os)
            #expect(template == "https://cdn.posit.co/package-manager/deb/$TARGETARCH/rstudio-pm_\(version.urlEncoded)_$TARGETARCH.deb")
            let amd64 = try version.downloadURL(os: os, architecture: "amd64")
            #expect(ChannelRelease(version: name, downloadURL: amd64).architectureGeneralisedURL == template)
            for architecture in PackageManagerVersion.architectures {
                #expect(template.replacingOccurrences(of: "$TARGETARCH", with: architecture)
                        == (try version.downloadURL(os: os, architecture: architecture)))
            }
        }
    }

    @Test func unsupportedArchitecturesAndOSesAreExplained() throws {
        let version = try #require(PackageManagerVersion("2026.04.2"))
        for architecture in ["x86_64", "aarch64", "linux/amd64", "", "AMD64", "$TARGETARCH"] {
            do {
                _ = try version.downloadURL(os: .identify("Ubuntu 24.04"), architecture: architecture)
                Issue.record("'\(architecture)' was accepted")
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(error.message == "'\(architecture)' is not an architecture Posit Package Manager images are built for")
                #expect(error.hint?.contains("amd64 or arm64") == true)
            }
        }
        for os in [BuildOS.scratch, .unknown, .identify("Windows 11")] {
            do {
                _ = try version.downloadURL(os: os, architecture: "amd64")
                Issue.record("\(os.name) was accepted")
            } catch {
                #expect(error.code == .channel)
                #expect(error.message.hasPrefix("Posit Package Manager publishes no package for \(os.name)"))
                #expect(error.hint != nil)
            }
        }
        do {
            _ = try version.downloadURLTemplate(os: .identify("RHEL 9"))
            Issue.record("an rpm template was given")
        } catch {
            #expect(error.code == .channel)
            #expect(error.message.contains("x86_64 and aarch64"))
        }
    }
}
