import Bakery
import PackageManagerImages
import Foundation
import Testing
import TestSupport

/// The PackageManager product folder and module agree with the published package-manager configuration.
@Suite struct PackageManagerProductTests {
    static let root = BakeryBinary.repositoryRoot
    let product = PackageManagerProduct()

    @Test func theProductFolderExists() {
        var isDirectory: ObjCBool = false
        let folder = product.projectFolder(inWorkspace: Self.root)
        #expect(FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(folder.lastPathComponent == "PackageManager")
    }

    @Test func theModuleNamesThePublishedImages() throws {
        let published = try ConfigLoader.load(context: Self.root.appendingPathComponent("Tests/Fixtures/examples/package-manager"))
        #expect(product.imageNames == published.config.images.map(\.name))
    }

    @Test func itsDevVersionsFollowItsOwnChannels() throws {
        let published = try ConfigLoader.load(context: Self.root.appendingPathComponent("Tests/Fixtures/examples/package-manager"))
        for image in published.config.images {
            for dev in image.devVersions {
                if case .channel(let p, _) = dev.source { #expect(product.channelProducts.contains(p)) }
            }
        }
    }
}
