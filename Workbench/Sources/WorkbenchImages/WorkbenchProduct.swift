// Posit Workbench's product knowledge; the image project arrives with its own issue.
import Bakery

/// Posit Workbench: the server image, its session runtime (matrix), session init and Positron init images.
///
///     WorkbenchProduct().imageNames.count   // 4
public struct WorkbenchProduct: ProductImages {
    public init() {}
    public let displayName = "Posit Workbench"
    public let folderName = "Workbench"
    public let imageNames = ["workbench", "workbench-session-init", "workbench-positron-init", "workbench-session"]
    public let channelProducts: [PositProduct] = [.workbench, .workbenchSession]
}
