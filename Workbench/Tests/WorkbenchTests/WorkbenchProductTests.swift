import Bakery
import WorkbenchImages
import Foundation
import Testing
import TestSupport

/// The Workbench product folder and module agree with the published workbench configuration.
@Suite struct WorkbenchProductTests {
    static let root = BakeryBinary.repositoryRoot
    let product = WorkbenchProduct()

    @Test func theProductFolderExists() {
        var isDirectory: ObjCBool = false
        let folder = product.projectFolder(inWorkspace: Self.root)
        #expect(FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(folder.lastPathComponent == "Workbench")
    }

    @Test func theModuleNamesThePublishedImages() throws {
        let published = try ConfigLoader.load(context: Self.root.appendingPathComponent("Tests/Fixtures/examples/workbench"))
        #expect(product.imageNames == published.config.images.map(\.name))
    }

    @Test func itsDevVersionsFollowItsOwnChannels() throws {
        let published = try ConfigLoader.load(context: Self.root.appendingPathComponent("Tests/Fixtures/examples/workbench"))
        for image in published.config.images {
            for dev in image.devVersions {
                if case .channel(let p, _) = dev.source { #expect(product.channelProducts.contains(p)) }
            }
        }
    }
}
