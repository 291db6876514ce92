// Package Manager's preview and daily builds through the sources mirror: the one-line channel documents over HTTP,
// the targets of each channel, the two collapsing into one build when they name the same version, and the
// download URL built from the CDN's file naming.
import Bakery
import Foundation
import PackageManagerImages
import Testing
import TestSupport

@Suite("Package Manager development versions", .enabled(if: DocumentServer.shouldRun))
struct PackageManagerDevelopmentVersionTests {
    static let project = BakeryBinary.repositoryRoot.appendingPathComponent("PackageManager")
    static let registry = "528395739535.dkr.ecr.us-east-2.amazonaws.com/package-manager-preview"

    @Test func thePreviewAndDailyTargetsArePlannedFromTheirDocuments() throws {
        let server = try DocumentServer(root: DocumentServer.mirror)
        defer { server.stop() }
        let (result, targets) = try DevelopmentTargets.plan(Self.project, server: server)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(targets.count == 8)
        let preview = try #require(targets["package-manager-2026-05-0-12-standard-ubuntu-24-04-preview"])
        #expect(preview.dockerfile == "package-manager/.dev-2026.05.0-12/Containerfile.ubuntu2404.std")
        #expect(preview.tags.contains("\(Self.registry):preview") && !preview.tags.contains("\(Self.registry):daily"))
        let daily = try #require(targets["package-manager-2026-06-0-dev-314-g7c2e9f1-standard-ubuntu-24-04-daily"])
        #expect(daily.tags.contains("\(Self.registry):daily"))
        #expect(server.requests(to: "/cdn.posit.co/package-manager/deb/amd64/rstudio-pm-rc-latest.txt").count == 1)
        #expect(server.requests(to: "/cdn.posit.co/package-manager/deb/amd64/rstudio-pm-main-latest.txt").count == 1)
    }

    @Test func previewAndDailyAtOneVersionAreOneBuildWithBothChannelsTags() throws {
        let server = try DocumentServer(["documents": ["/cdn.posit.co/package-manager/deb/amd64/rstudio-pm-main-latest.txt": ["body": "2026.05.0-12\n"]]],
                                        root: DocumentServer.mirror)
        defer { server.stop() }
        let (result, targets) = try DevelopmentTargets.plan(Self.project, server: server)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(targets.count == 4, "one build per variant and OS, not two: \(targets.keys.sorted())")
        let build = try #require(targets["package-manager-2026-05-0-12-standard-ubuntu-24-04-preview"])
        for tag in ["preview", "daily", "preview-ubuntu-24.04", "daily-ubuntu-24.04"] {
            #expect(build.tags.contains("\(Self.registry):\(tag)"), "\(tag) missing from \(build.tags)")
        }
        #expect(result.stderr.contains("Collapsed package-manager development version (product package-manager, channel daily) into existing 2026.05.0-12 build (channels: preview, daily)"))
        // --dev-channel daily still finds the collapsed build.
        let (_, onlyDaily) = try DevelopmentTargets.plan(Self.project, server: server, arguments: ["--dev-channel", "daily"])
        #expect(onlyDaily.count == 4)
    }

    @Test func theDevFolderInstallsTheChannelPackage() throws {
        let (copy, targets) = try DevelopmentTargets.renderedCopy(of: Self.project, products: ProductRegistry([PackageManagerProduct()]))
        defer { try? FileManager.default.removeItem(at: copy) }
        #expect(targets.count == 8)
        let containerfile = try String(contentsOf: copy.appendingPathComponent("package-manager/.dev-2026.06.0-dev+314-g7c2e9f1/Containerfile.ubuntu2204.std"), encoding: .utf8)
        #expect(containerfile.contains(#"DOWNLOAD_URL="https://cdn.posit.co/package-manager/deb/amd64/rstudio-pm_2026.06.0-dev%2B314-g7c2e9f1_amd64.deb""#),
                "\(containerfile)")
    }
}
