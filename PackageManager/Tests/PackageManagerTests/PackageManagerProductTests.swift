import Bakery
import PackageManagerImages
import Testing
import TestSupport

/// The Package Manager product folder and module agree with the published package-manager configuration.
@Suite struct PackageManagerProductTests {
    let facts: ProductModuleFacts

    init() throws { facts = try ProductModuleFacts(PackageManagerProduct(), published: "package-manager") }

    @Test func theProductFolderExists() {
        #expect(facts.folderExists)
        #expect(facts.product.folderName == "PackageManager")
    }

    @Test func theModuleNamesThePublishedImages() {
        #expect(facts.product.imageNames == facts.publishedImageNames)
    }

    @Test func itsDevVersionsFollowItsOwnChannels() {
        #expect(facts.undeclaredChannelProducts.isEmpty)
    }

    @Test func thePublishedConfigPassesTheProductChecks() {
        #expect(facts.checkErrors.isEmpty, "\(facts.checkErrors)")
    }
}
