// Workbench's daily builds through the sources mirror: the dailies index read over HTTP for the server and the
// session components, a --dev-spec release branch choosing another dailies folder, and the download URL rendered.
import Bakery
import Foundation
import Testing
import TestSupport
import WorkbenchImages

@Suite("Workbench development versions", .enabled(if: DocumentServer.shouldRun))
struct WorkbenchDevelopmentVersionTests {
    static let project = BakeryBinary.repositoryRoot.appendingPathComponent("Workbench")

    @Test func theDailyTargetsOfServerAndSessionArePlannedFromTheDailiesIndex() throws {
        let server = try DocumentServer(root: DocumentServer.mirror)
        defer { server.stop() }
        let (result, targets) = try DevelopmentTargets.plan(Self.project, server: server)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(targets.keys.filter { $0.hasPrefix("workbench-2026-05-0-daily-187-pro3-") }.count == 4)
        let session = try #require(targets["workbench-session-init-2026-05-0-daily-186-pro2-ubuntu-24-04-daily"])
        #expect(session.dockerfile == "workbench-session-init/.dev-2026.05.0-daily+186.pro2/Containerfile.ubuntu2404")
        #expect(session.tags.contains("ghcr.io/posit-dev/workbench-session-init-preview:daily"))
        #expect(server.requests(to: "/dailies.rstudio.com/rstudio/latest/index.json").count == 1)
    }

    @Test func aReleaseBranchReadsThatBranchsDailies() throws {
        let index = try String(contentsOf: DocumentServer.mirror.appendingPathComponent("dailies.rstudio.com/rstudio/latest/index.json"), encoding: .utf8)
            .replacingOccurrences(of: "2026.05.0-daily+187", with: "2026.04.1-daily+12")
            .replacingOccurrences(of: "2026.05.0-daily-187", with: "2026.04.1-daily-12")
        let server = try DocumentServer(["documents": ["/dailies.rstudio.com/rstudio/2026.04/index.json": ["body": index]]], root: DocumentServer.mirror)
        defer { server.stop() }
        let (result, targets) = try DevelopmentTargets.plan(Self.project, server: server, arguments: ["--image-name", "^workbench$"],
                                                            environment: [#"BAKERY_DEV_SPEC={"release_branch": "2026.04", "channel": "daily"}"#])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(targets.keys.sorted().first?.hasPrefix("workbench-2026-04-1-daily-12-pro3-") == true, "\(targets.keys.sorted())")
        #expect(server.requests(to: "/dailies.rstudio.com/rstudio/latest/index.json").isEmpty)
    }

    @Test func theDevFolderInstallsTheDailyPackage() throws {
        let (copy, _) = try DevelopmentTargets.renderedCopy(of: Self.project, products: ProductRegistry([WorkbenchProduct()]))
        defer { try? FileManager.default.removeItem(at: copy) }
        let folder = copy.appendingPathComponent("workbench/.dev-2026.05.0-daily+187.pro3")
        // Ubuntu 24.04 builds amd64 and arm64 ($TARGETARCH in the URL); 22.04 amd64 only.
        let noble = try String(contentsOf: folder.appendingPathComponent("Containerfile.ubuntu2404.std"), encoding: .utf8)
        #expect(noble.contains(#"DOWNLOAD_URL="https://s3.amazonaws.com/rstudio-ide-build/server/noble/$TARGETARCH/rstudio-workbench-2026.05.0-daily-187.pro3-$TARGETARCH.deb""#), "\(noble)")
        let jammy = try String(contentsOf: folder.appendingPathComponent("Containerfile.ubuntu2204.min"), encoding: .utf8)
        #expect(jammy.contains(#"DOWNLOAD_URL="https://s3.amazonaws.com/rstudio-ide-build/server/jammy/amd64/rstudio-workbench-2026.05.0-daily-187.pro3-amd64.deb""#), "\(jammy)")
    }
}
