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

    @Test func versionNamesFollowPackageManagerReleaseNumbers() {
        let product = PackageManagerProduct()
        #expect(product.isValidVersionName("2026.04.2", image: "package-manager") == true)
        #expect(product.isValidVersionName("2025.12.0-14", image: "package-manager") == true)
        #expect(product.isValidVersionName("2026.06.0-dev+314-g7c2e9f1", image: "package-manager") == true)
        #expect(product.isValidVersionName("2025.12", image: "package-manager") == false)
        #expect(product.isValidVersionName("2026.4.2", image: "package-manager") == false)
        // Images Package Manager does not publish have no rule here.
        #expect(product.isValidVersionName("anything", image: "connect") == nil)
        // A bad name is explained with a Package Manager example, not the generic one.
        #expect(product.versionNameHint("2025.12", image: "package-manager").contains("such as 2025.12.0-14"))
    }

    @Test func itReadsItsOwnChannelsOnly() {
        let product = PackageManagerProduct()
        #expect(product.channels(for: .packageManager)?.product == .packageManager)
        #expect(product.channels(for: .packageManager)?.channels == [.release, .preview, .daily])
        #expect(product.channels(for: .packageManager)?.channels == PositProduct.packageManager.channels)
        #expect(product.channels(for: .connect) == nil)
        #expect(product.channels(for: .workbench) == nil)
    }
}
