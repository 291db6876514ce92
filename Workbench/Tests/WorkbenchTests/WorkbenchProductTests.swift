import Bakery
import WorkbenchImages
import Testing
import TestSupport

/// The Workbench product folder and module agree with the published workbench configuration.
@Suite struct WorkbenchProductTests {
    let facts: ProductModuleFacts

    init() throws { facts = try ProductModuleFacts(WorkbenchProduct(), published: "workbench") }

    @Test func theProductFolderExists() {
        #expect(facts.folderExists)
        #expect(facts.product.folderName == "Workbench")
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
