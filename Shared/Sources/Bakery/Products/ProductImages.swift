// What a product module (Connect, Package Manager, Workbench) tells the shared tooling about itself.
import Foundation

/// A Posit product's image project: its folder in the monorepo, the images it defines and the
/// knowledge only the product has (version spelling, release channels, download URLs).
///
/// Commands reach product knowledge only through this protocol, via the `ProductRegistry` the CLI
/// builds from the product modules:
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
    /// Release-channel products its dev versions follow (a `sourceType: channel` dev version names one).
    var channelProducts: [PositProduct] { get }
    /// How `product`'s release channels are read (for `sourceType: channel` dev versions), or nil when
    /// this module does not know that product's channels.
    func channels(for product: PositProduct) -> (any ProductChannels)?
    /// Whether `version` is a well-formed version name for `image` (images versioned by the product's
    /// own release numbers), or nil when the product has no rule for that image.
    func isValidVersionName(_ version: String, image: String) -> Bool?
    /// What to tell the user when `version` breaks `image`'s version rule: what a version looks like, and
    /// what is wrong with this one when the product can say.
    func versionNameHint(_ version: String, image: String) -> String
    /// Checks only the product can make on its own bakery.yaml, run whenever its folder is loaded:
    /// located errors and warnings, in document order.
    func check(_ config: BakeryConfig, file: String) -> [Diagnostic]
}

extension ProductImages {
    /// Products whose channel knowledge is not written yet have none.
    public func channels(for product: PositProduct) -> (any ProductChannels)? { nil }

    /// No version rule unless the product states one.
    public func isValidVersionName(_ version: String, image: String) -> Bool? { nil }

    /// A generic hint: versions are release numbers.
    public func versionNameHint(_ version: String, image: String) -> String {
        "\(image) versions are release numbers such as 2026.03.1"
    }

    /// The default checks: the images are the ones the module names, and every version name of an
    /// image with a version rule follows it.
    public func check(_ config: BakeryConfig, file: String) -> [Diagnostic] { standardChecks(config, file: file) }

    /// The checks every product gets; a product's own `check` can add to them.
    public func standardChecks(_ config: BakeryConfig, file: String) -> [Diagnostic] {
        var found: [Diagnostic] = []
        let declared = Set(config.images.map(\.name))
        for image in config.images where !imageNames.contains(image.name) {
            found.append(Diagnostic(.warning, "\(displayName) does not publish an image named '\(image.name)'", code: .productRule,
                                    location: image.location,
                                    hint: "add it to the product module's imageNames (\(folderName)/Sources) if it is a new \(displayName) image"))
        }
        for name in imageNames where !declared.contains(name) {
            found.append(Diagnostic(.warning, "\(displayName) publishes the image '\(name)', which this bakery.yaml does not define",
                                    code: .productRule, location: SourceLocation(file: file, line: 1, column: 1),
                                    hint: "define it under images:, or remove it from the product module's imageNames"))
        }
        for (i, image) in config.images.enumerated() {
            for (j, version) in image.versions.enumerated() where isValidVersionName(version.name, image: image.name) == false {
                found.append(Diagnostic(.error, "'\(version.name)' is not a \(displayName) version", code: .productRule,
                                        location: version.location,
                                        path: ConfigPath().key("images").index(i).key("versions").index(j).key("name"),
                                        hint: versionNameHint(version.name, image: image.name)))
            }
        }
        return found
    }

    /// The product's image project inside a workspace (the repository root).
    public func projectFolder(inWorkspace root: URL) -> URL {
        root.appendingPathComponent(folderName, isDirectory: true)
    }
}
