import Bakery
import Foundation

/// What every product suite checks about its module against the repository and the product's
/// published configuration (kept in Tests/Fixtures/examples/<published>), as plain values to expect on.
public struct ProductModuleFacts {
    public let product: any ProductImages
    public let published: LoadedConfig

    public init(_ product: any ProductImages, published name: String) throws {
        self.product = product
        self.published = try ConfigLoader.load(context: BakeryBinary.fixtures.appendingPathComponent("examples/\(name)"))
    }

    /// The product's folder at the repository root exists and is named as the module says.
    public var folderExists: Bool {
        var isDirectory: ObjCBool = false
        let folder = product.projectFolder(inWorkspace: BakeryBinary.repositoryRoot)
        return FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The images the published configuration defines, in file order.
    public var publishedImageNames: [String] { published.config.images.map(\.name) }

    /// Channel products the published dev versions follow that the module does not declare.
    public var undeclaredChannelProducts: [PositProduct] {
        published.config.images.flatMap(\.devVersions).compactMap { dev -> PositProduct? in
            guard case .channel(let p, _) = dev.source, !product.channelProducts.contains(p) else { return nil }
            return p
        }
    }

    /// The product's checks on its published configuration (no errors expected).
    public var checkErrors: [Diagnostic] {
        product.check(published.config, file: published.displayPath).filter { $0.severity == .error }
    }
}
