// Connect's daily builds through the sources mirror: the channel document read once over HTTP, the daily targets
// with their tags and .dev-* Containerfiles, a pinned build HEAD-probed, and the daily download URL rendered.
import Bakery
import ConnectImages
import Foundation
import Testing
import TestSupport

@Suite("Connect development versions", .enabled(if: DocumentServer.shouldRun))
struct ConnectDevelopmentVersionTests {
    static let project = BakeryBinary.repositoryRoot.appendingPathComponent("Connect")
    static let build = "2026.05.0-dev+185-g1a2b3c4"

    @Test func theDailyTargetsArePlannedFromTheChannelDocument() throws {
        let server = try DocumentServer(root: DocumentServer.mirror)
        defer { server.stop() }
        let (result, targets) = try DevelopmentTargets.plan(Self.project, server: server)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Set(targets.keys) == [
            "connect-2026-05-0-dev-185-g1a2b3c4-minimal-ubuntu-22-04-daily", "connect-2026-05-0-dev-185-g1a2b3c4-minimal-ubuntu-24-04-daily",
            "connect-2026-05-0-dev-185-g1a2b3c4-standard-ubuntu-22-04-daily", "connect-2026-05-0-dev-185-g1a2b3c4-standard-ubuntu-24-04-daily",
            "connect-content-init-2026-05-0-dev-185-g1a2b3c4-ubuntu-22-04-daily", "connect-content-init-2026-05-0-dev-185-g1a2b3c4-ubuntu-24-04-daily",
        ])
        let initTarget = try #require(targets["connect-content-init-2026-05-0-dev-185-g1a2b3c4-ubuntu-24-04-daily"])
        #expect(initTarget.dockerfile == "connect-content-init/.dev-2026.05.0-dev+185-g1a2b3c4/Containerfile.ubuntu2404")
        #expect(Set(initTarget.tags) == Set(["2026.05.0-dev-185", "2026.05.0-dev-185-g1a2b3c4", "2026.05.0-dev-185-ubuntu-24.04",
                                             "2026.05.0-dev-185-g1a2b3c4-ubuntu-24.04", "daily", "daily-ubuntu-24.04"]
            .map { "ghcr.io/posit-dev/connect-content-init-preview:\($0)" }))
        // connect's R, Python and Quarto constraints are resolved from their lists too.
        #expect(result.stderr.contains("Loaded connect development version from product connect, channel daily:\n  - Version: \(Self.build)\n  - Dependency: R 4.5.1"))
        // Two images follow the daily channel: its document is read once per run.
        #expect(server.requests(to: "/cdn.posit.co/connect/latest-packages.json").count == 1)
        // The plan was printed without leaving .dev-* folders behind.
        #expect(!FileManager.default.fileExists(atPath: Self.project.appendingPathComponent("connect/.dev-2026.05.0-dev+185-g1a2b3c4").path))
    }

    @Test func aPinnedBuildIsProbedAndTakesTheChannelURLWithItsVersion() throws {
        let pinned = "/cdn.posit.co/connect/2026.05/rstudio-connect_2026.05.0-dev%2B170-g0000000~ubuntu"
        let server = try DocumentServer(["documents": [pinned + "24_amd64.deb": ["body": ""], pinned + "22_amd64.deb": ["body": ""]]],
                                        root: DocumentServer.mirror)
        defer { server.stop() }
        let (result, targets) = try DevelopmentTargets.plan(Self.project, server: server, arguments: ["--image-name", "^connect$", "-v"],
                                                            environment: [#"BAKERY_DEV_SPEC={"version": "2026.05.0-dev+170-g0000000"}"#])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(targets.keys.allSatisfy { $0.hasPrefix("connect-2026-05-0-dev-170-g0000000-") } && targets.count == 4)
        #expect(server.requests(to: pinned + "24_amd64.deb").map { $0["method"] as? String } == ["HEAD"])
        // Ubuntu 24.04 builds amd64 and arm64: its URL names the architecture as $TARGETARCH.
        #expect(result.stderr.contains("connect 2026.05.0-dev+170-g0000000 on Ubuntu 24.04: https://cdn.posit.co/connect/2026.05/rstudio-connect_2026.05.0-dev%2B170-g0000000~ubuntu24_$TARGETARCH.deb"))
        // Not the channel's newest build: no floating daily tag.
        #expect(targets.values.allSatisfy { !$0.tags.contains { $0.hasSuffix(":daily") || $0.contains(":daily-") } })
    }

    @Test func aPinnedBuildThatIsNotPublishedFailsTheRun() throws {
        let server = try DocumentServer(root: DocumentServer.mirror)
        defer { server.stop() }
        let (result, _) = try DevelopmentTargets.plan(Self.project, server: server, arguments: ["--image-name", "^connect$"],
                                                      environment: [#"BAKERY_DEV_SPEC={"version": "2026.05.0-dev+170-g0000000"}"#])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Artifact not available at 'https://cdn.posit.co/connect/2026.05/rstudio-connect_2026.05.0-dev%2B170-g0000000~ubuntu22_amd64.deb': HTTP 404"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func theDevFolderInstallsTheDailyPackage() throws {
        let (copy, targets) = try DevelopmentTargets.renderedCopy(of: Self.project, products: ProductRegistry([ConnectProduct()]))
        defer { try? FileManager.default.removeItem(at: copy) }
        #expect(targets.count == 6)
        let containerfile = try String(contentsOf: copy.appendingPathComponent("connect/.dev-2026.05.0-dev+185-g1a2b3c4/Containerfile.ubuntu2404.std"), encoding: .utf8)
        #expect(containerfile.contains(#"DOWNLOAD_URL="https://cdn.posit.co/connect/2026.05/rstudio-connect_2026.05.0-dev%2B185-g1a2b3c4~ubuntu24_$TARGETARCH.deb""#))
        let older = try String(contentsOf: copy.appendingPathComponent("connect/.dev-2026.05.0-dev+185-g1a2b3c4/Containerfile.ubuntu2204.std"), encoding: .utf8)
        #expect(older.contains(#"DOWNLOAD_URL="https://cdn.posit.co/connect/2026.05/rstudio-connect_2026.05.0-dev%2B185-g1a2b3c4~ubuntu22_amd64.deb""#))
    }
}
