import Bakery
import ConnectImages
import Foundation
import Testing
import TestSupport

/// The Connect product folder and module agree with the published connect configuration.
@Suite struct ConnectProductTests {
    static let root = BakeryBinary.repositoryRoot
    let product = ConnectProduct()
    let facts: ProductModuleFacts

    init() throws { facts = try ProductModuleFacts(ConnectProduct(), published: "connect") }

    @Test func theProductFolderExists() {
        #expect(facts.folderExists)
        #expect(product.folderName == "Connect")
    }

    @Test func theModuleNamesThePublishedImages() {
        #expect(product.imageNames == facts.publishedImageNames)
    }

    @Test func itsDevVersionsFollowItsOwnChannels() {
        #expect(facts.undeclaredChannelProducts.isEmpty)
    }

    @Test func thePublishedConfigPassesTheProductChecks() {
        #expect(facts.checkErrors.isEmpty, "\(facts.checkErrors)")
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
