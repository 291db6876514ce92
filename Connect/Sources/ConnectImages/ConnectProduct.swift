// Posit Connect's product knowledge: its images, versions, release channels and download URLs.
import Bakery

/// Posit Connect: the `connect`, `connect-content` (matrix) and `connect-content-init` images.
///
///     let connect = ConnectProduct()
///     connect.imageNames.contains("connect")          // true
///     connect.channels(for: .connect)?.channels       // [.release, .daily]
public struct ConnectProduct: ProductImages {
    public init() {}
    public let displayName = "Posit Connect"
    public let folderName = "Connect"
    public let imageNames = ["connect", "connect-content", "connect-content-init"]
    public let channelProducts: [PositProduct] = [.connect]
    /// The images versioned by Connect's own release numbers (`connect-content` is versioned by its matrix).
    public static let releaseVersionedImages: Set<String> = ["connect", "connect-content-init"]

    public func channels(for product: PositProduct) -> (any ProductChannels)? {
        product == .connect ? ConnectChannels() : nil
    }

    /// `connect` and `connect-content-init` versions are Connect releases (`2026.03.1`) or development builds.
    public func isValidVersionName(_ version: String, image: String) -> Bool? {
        Self.releaseVersionedImages.contains(image) ? ConnectVersion(version) != nil : nil
    }
}
