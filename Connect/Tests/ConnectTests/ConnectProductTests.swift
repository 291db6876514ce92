import Bakery
import ConnectImages
import Foundation
import Testing
import TestSupport

/// The Connect product folder and module agree with the published connect configuration.
@Suite struct ConnectProductTests {
    static let root = BakeryBinary.repositoryRoot
    let product = ConnectProduct()

    @Test func theProductFolderExists() {
        var isDirectory: ObjCBool = false
        let folder = product.projectFolder(inWorkspace: Self.root)
        #expect(FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(folder.lastPathComponent == "Connect")
    }

    @Test func theModuleNamesThePublishedImages() throws {
        let published = try ConfigLoader.load(context: Self.root.appendingPathComponent("Tests/Fixtures/examples/connect"))
        #expect(product.imageNames == published.config.images.map(\.name))
    }

    @Test func itsDevVersionsFollowItsOwnChannels() throws {
        let published = try ConfigLoader.load(context: Self.root.appendingPathComponent("Tests/Fixtures/examples/connect"))
        for image in published.config.images {
            for dev in image.devVersions {
                if case .channel(let p, _) = dev.source { #expect(product.channelProducts.contains(p)) }
            }
        }
    }

    @Test func theProductFolderPassesTheProductChecks() throws {
        let loaded = try ConfigLoader.load(context: product.projectFolder(inWorkspace: Self.root), product: product)
        #expect(product.check(loaded.config, file: loaded.displayPath).isEmpty)
        #expect(loaded.diagnostics.isEmpty)
    }

    @Test func versionNamesFollowConnectReleaseNumbers() {
        #expect(product.isValidVersionName("2026.03.1", image: "connect") == true)
        #expect(product.isValidVersionName("2026.3.1", image: "connect-content-init") == false)
        // connect-content is versioned by its matrix, not by Connect releases.
        #expect(product.isValidVersionName("anything", image: "connect-content") == nil)
    }
}
