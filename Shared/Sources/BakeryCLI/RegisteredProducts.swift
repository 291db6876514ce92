// The one place the product modules are plugged into the tool.
import Bakery
import ConnectImages
import PackageManagerImages
import WorkbenchImages

/// Every product the `bakery` command knows, in workspace order. Adding a product: write its module
/// (a `ProductImages`), declare it as a dependency of BakeryCLI in Package.swift, and list it here.
enum RegisteredProducts {
    static let registry = ProductRegistry([ConnectProduct(), PackageManagerProduct(), WorkbenchProduct()])
}
