// The products the tool knows, registered once by the CLI: how a folder is recognised as a product's image project.
import Foundation

/// The registered product modules, in workspace order.
///
///     let products = ProductRegistry([ConnectProduct(), PackageManagerProduct(), WorkbenchProduct()])
///     products.product(folderName: "Connect")?.displayName    // "Posit Connect"
///
/// A repository root is a workspace when it holds registered product folders with a bakery.yaml;
/// a project folder named after a registered product is that product's image project and gets its checks.
public struct ProductRegistry: Sendable {
    public let products: [any ProductImages]

    public init(_ products: [any ProductImages]) {
        self.products = products
    }

    /// No products: every folder is a plain project (library users and tests of the shared tooling).
    public static let none = ProductRegistry([])

    /// The product whose folder is named `folderName` (exact spelling).
    public func product(folderName: String) -> (any ProductImages)? {
        products.first { $0.folderName == folderName }
    }

    /// The product owning the project folder `directory`, judged by the folder's name.
    public func product(for directory: URL) -> (any ProductImages)? {
        product(folderName: directory.standardizedFileURL.lastPathComponent)
    }
}

extension ProductRegistry {
    /// How `product`'s channels are read, from the first registered module that knows them.
    public func channels(for product: PositProduct) -> (any ProductChannels)? {
        for module in products {
            if let channels = module.channels(for: product) { return channels }
        }
        return nil
    }
}
