// Posit Package Manager's product knowledge: its image, version names, release channels and download URLs.
import Bakery

/// Posit Package Manager: the `package-manager` image.
///
///     let ppm = PackageManagerProduct()
///     ppm.folderName                                           // "PackageManager"
///     ppm.isValidVersionName("2025.12.0-14", image: "package-manager")   // true
///     ppm.channels(for: .packageManager)?.channels             // [.release, .preview, .daily]
public struct PackageManagerProduct: ProductImages {
    public init() {}
    public let displayName = "Posit Package Manager"
    public let folderName = "PackageManager"
    public let imageNames = ["package-manager"]
    public let channelProducts: [PositProduct] = [.packageManager]

    public func channels(for product: PositProduct) -> (any ProductChannels)? {
        product == .packageManager ? PackageManagerChannels() : nil
    }

    /// `package-manager` versions are Package Manager releases (`2026.04.2`, `2025.12.0-14`) or channel builds.
    public func isValidVersionName(_ version: String, image: String) -> Bool? {
        imageNames.contains(image) ? PackageManagerVersion(version) != nil : nil
    }

    public func versionNameHint(_ version: String, image: String) -> String {
        "\(image) versions are Package Manager releases such as 2025.12.0-14 (YYYY.MM.P, with an optional package build number)"
    }
}
