// Posit Package Manager's product knowledge; the image project arrives with its own issue.
import Bakery

/// Posit Package Manager: the `package-manager` image.
///
///     PackageManagerProduct().folderName   // "PackageManager"
public struct PackageManagerProduct: ProductImages {
    public init() {}
    public let displayName = "Posit Package Manager"
    public let folderName = "PackageManager"
    public let imageNames = ["package-manager"]
    public let channelProducts: [PositProduct] = [.packageManager]
}
