// Posit Connect's product knowledge. Versions, channels and download URLs arrive with the Connect issue.
import Bakery

/// Posit Connect: the `connect`, `connect-content` (matrix) and `connect-content-init` images.
///
///     let connect = ConnectProduct()
///     connect.imageNames.contains("connect")   // true
public struct ConnectProduct: ProductImages {
    public init() {}
    public let displayName = "Posit Connect"
    public let folderName = "Connect"
    public let imageNames = ["connect", "connect-content", "connect-content-init"]
    public let channelProducts: [PositProduct] = [.connect]
}
