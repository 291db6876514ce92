import Bakery
import Foundation
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

    @Test func theProductFolderPassesTheProductChecks() throws {
        let product = WorkbenchProduct()
        let loaded = try ConfigLoader.load(context: product.projectFolder(inWorkspace: BakeryBinary.repositoryRoot), product: product)
        #expect(product.check(loaded.config, file: loaded.displayPath).isEmpty)
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    }

    @Test func versionNamesFollowWorkbenchReleaseNumbers() {
        let product = WorkbenchProduct()
        for image in ["workbench", "workbench-session-init"] {
            #expect(product.isValidVersionName("2026.04.0+526.pro2", image: image) == true)
            #expect(product.isValidVersionName("2026.05.0-daily+187.pro3", image: image) == true)
            #expect(product.isValidVersionName("2026.04.0", image: image) == false)
            #expect(product.isValidVersionName("2026.4.0+526.pro2", image: image) == false)
        }
        // The matrix images are versioned by their rows, and other products' images have no rule here.
        #expect(product.isValidVersionName("2026.03.0-212", image: "workbench-positron-init") == nil)
        #expect(product.isValidVersionName("R4.5.3-python3.14.4", image: "workbench-session") == nil)
        #expect(product.isValidVersionName("2026.03.1", image: "connect") == nil)
    }

    @Test func itReadsTheServerAndSessionChannelsOnly() {
        let product = WorkbenchProduct()
        for channelProduct in [PositProduct.workbench, .workbenchSession] {
            let channels = product.channels(for: channelProduct)
            #expect(channels is WorkbenchChannels)
            #expect(channels?.product == channelProduct)
            #expect(channels?.channels == [.release, .preview, .daily])
            #expect(channels?.channels == channelProduct.channels)
        }
        #expect(product.channels(for: .connect) == nil)
        #expect(product.channels(for: .packageManager) == nil)
    }

    /// The published bakery.yaml with `replacements` applied, decoded without the product's checks.
    private func workbenchConfig(_ replacements: [(String, String)]) throws -> (config: BakeryConfig, text: String) {
        let folder = WorkbenchProduct().projectFolder(inWorkspace: BakeryBinary.repositoryRoot)
        let file = folder.appendingPathComponent("bakery.yaml")
        var text = try String(contentsOf: file, encoding: .utf8)
        for (old, new) in replacements {
            #expect(text.contains(old), "bakery.yaml no longer contains '\(old)'")
            text = text.replacingOccurrences(of: old, with: new)
        }
        let loaded = try ConfigLoader.load(bytes: Array(text.utf8), displayPath: "Workbench/bakery.yaml", context: folder, file: file)
        return (loaded.config, text)
    }

    @Test func aBadVersionNameIsAnErrorWithAWorkbenchHint() throws {
        // Both images versioned by Workbench releases list these versions, so each replacement makes two errors.
        let (config, text) = try workbenchConfig([("- name: 2026.01.2+418.pro1", "- name: 2026.01.2"),
                                                  ("- name: 2025.09.2+418.pro4", "- name: 2025.09.2+418+pro4")])
        let found = WorkbenchProduct().check(config, file: "Workbench/bakery.yaml")
        let errors = found.filter { $0.severity == .error }
        #expect(errors.count == 4, "\(found)")
        #expect(found.count == errors.count, "only the version names are wrong: \(found)")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let first = try #require(errors.first)
        #expect(first.code == .productRule)
        #expect(first.message == "'2026.01.2' is not a Posit Workbench version")
        #expect(first.path?.description == "images[0].versions[1].name")
        #expect(first.hint == "workbench versions are Workbench releases such as 2026.04.0+526.pro2; it has no build: add '+BUILD.proN' as the release is named")
        let line = try #require(first.location?.line)
        #expect(lines[line - 1].contains("- name: 2026.01.2"))
        #expect(errors[1].message == "'2025.09.2+418+pro4' is not a Posit Workbench version")
        #expect(errors[1].hint?.hasSuffix("it has more than one '+'; only the build follows '+'") == true)
        #expect(errors[2].path?.description == "images[1].versions[1].name")
        #expect(errors[2].hint?.hasPrefix("workbench-session-init versions are Workbench releases such as 2026.04.0+526.pro2;") == true)
        // One diagnostic per bad name: the shared check's generic hint is not added alongside.
        #expect(!found.contains { $0.hint?.contains("2026.03.1") == true })
    }

    @Test func theSharedImageChecksAreKept() throws {
        let (config, _) = try workbenchConfig([("  - name: workbench-positron-init\n", "  - name: workbench-positron-setup\n")])
        let found = WorkbenchProduct().check(config, file: "Workbench/bakery.yaml")
        #expect(found.count == 2, "\(found)")
        #expect(found.allSatisfy { $0.severity == .warning && $0.code == .productRule })
        #expect(found.contains { $0.message == "Posit Workbench does not publish an image named 'workbench-positron-setup'" })
        #expect(found.contains { $0.message == "Posit Workbench publishes the image 'workbench-positron-init', which this bakery.yaml does not define" })
    }

    @Test func loadingTheFolderWithABadVersionNameFails() throws {
        let (_, text) = try workbenchConfig([("- name: 2026.04.0+526.pro2\n        subpath: '2026.04'", "- name: 2026.4.0+526.pro2\n        subpath: '2026.04'")])
        let folder = WorkbenchProduct().projectFolder(inWorkspace: BakeryBinary.repositoryRoot)
        do {
            _ = try ConfigLoader.load(bytes: Array(text.utf8), displayPath: "Workbench/bakery.yaml", context: folder,
                                      file: folder.appendingPathComponent("bakery.yaml"), product: WorkbenchProduct())
            Issue.record("a bad version name should fail the load")
        } catch {
            #expect(error.code == .invalidConfig)
            #expect(error.description.contains("images[0].versions[0].name: '2026.4.0+526.pro2' is not a Posit Workbench version "
                                               + "(workbench versions are Workbench releases such as 2026.04.0+526.pro2; the form is YYYY.MM.P+BUILD.proN"), "\(error)")
        }
    }
}
