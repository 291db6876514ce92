// What a product module (Connect, Package Manager, Workbench) tells the shared tooling about itself.
import Foundation

/// A Posit product's image project: its folder in the monorepo and the images it defines.
///
///     let connect: any ProductImages = ConnectProduct()
///     connect.folderName      // "Connect"
///     connect.imageNames      // ["connect", "connect-content", "connect-content-init"]
public protocol ProductImages: Sendable {
    /// Human name, e.g. "Posit Connect".
    var displayName: String { get }
    /// The product folder at the repository root, e.g. "Connect".
    var folderName: String { get }
    /// The images the product's bakery.yaml defines, in file order.
    var imageNames: [String] { get }
    /// Release-channel products its dev versions follow (reference §14.3).
    var channelProducts: [PositProduct] { get }
    /// How `product`'s release channels are read (for `sourceType: channel` dev versions), or nil when
    /// this module does not know that product's channels.
    func channels(for product: PositProduct) -> (any ProductChannels)?
}

extension ProductImages {
    /// Products whose channel knowledge is not written yet have none.
    public func channels(for product: PositProduct) -> (any ProductChannels)? { nil }

    /// The product's image project inside a workspace (the repository root).
    public func projectFolder(inWorkspace root: URL) -> URL {
        root.appendingPathComponent(folderName, isDirectory: true)
    }
}
