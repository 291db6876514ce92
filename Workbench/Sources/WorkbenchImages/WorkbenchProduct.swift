// Posit Workbench's product knowledge: its images, version names, release channels and their checks.
import Bakery

/// Posit Workbench: the server image, its session runtime (matrix), session init and Positron init images.
///
///     let workbench = WorkbenchProduct()
///     workbench.imageNames.count                                                 // 4
///     workbench.isValidVersionName("2026.04.0+526.pro2", image: "workbench")     // true
///     workbench.channels(for: .workbenchSession)?.channels                       // [.release, .preview, .daily]
public struct WorkbenchProduct: ProductImages {
    public init() {}
    public let displayName = "Posit Workbench"
    public let folderName = "Workbench"
    public let imageNames = ["workbench", "workbench-session-init", "workbench-positron-init", "workbench-session"]
    public let channelProducts: [PositProduct] = [.workbench, .workbenchSession]
    /// The images versioned by Workbench's own release numbers (the other two are versioned by their matrix).
    public static let releaseVersionedImages: Set<String> = ["workbench", "workbench-session-init"]

    /// The server's and the session components' channels.
    public func channels(for product: PositProduct) -> (any ProductChannels)? {
        channelProducts.contains(product) ? WorkbenchChannels(product: product) : nil
    }

    /// `workbench` and `workbench-session-init` versions are Workbench releases (`2026.04.0+526.pro2`) or
    /// channel builds; the matrix images have no rule here.
    public func isValidVersionName(_ version: String, image: String) -> Bool? {
        Self.releaseVersionedImages.contains(image) ? WorkbenchVersion(version) != nil : nil
    }

    /// The shared checks, with a hint for a bad version name that says what a Workbench version looks like
    /// and what is wrong with this one (the shared hint's example, 2026.03.1, is not a Workbench version).
    public func check(_ config: BakeryConfig, file: String) -> [Diagnostic] {
        var found = WithoutVersionRule(of: self).standardChecks(config, file: file)
        for (i, image) in config.images.enumerated() where Self.releaseVersionedImages.contains(image.name) {
            for (j, version) in image.versions.enumerated() {
                guard let problem = WorkbenchVersion.problem(with: version.name) else { continue }
                found.append(Diagnostic(.error, "'\(version.name)' is not a \(displayName) version", code: .productRule,
                                        location: version.location,
                                        path: ConfigPath().key("images").index(i).key("versions").index(j).key("name"),
                                        hint: "\(image.name) versions are Workbench releases such as \(WorkbenchVersion.example); \(problem)"))
            }
        }
        return found
    }
}

/// The product's names without its version rule, so that the shared checks leave version names to
/// `WorkbenchProduct.check`.
private struct WithoutVersionRule: ProductImages {
    let displayName: String
    let folderName: String
    let imageNames: [String]
    let channelProducts: [PositProduct]

    init(of product: WorkbenchProduct) {
        displayName = product.displayName
        folderName = product.folderName
        imageNames = product.imageNames
        channelProducts = product.channelProducts
    }
}
