// swift-tools-version:6.0
// One package for the shared tooling and the three product image projects.
// Module layout and dependency direction: ../shared/ARCHITECTURE.md (mirrored in README.md).
import PackageDescription

let package = Package(
    name: "PositImages",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bakery", targets: ["bakery"]),
        .library(name: "Bakery", targets: ["Bakery"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // libyaml, from the system (Debian: libyaml-dev).
        .systemLibrary(
            name: "CYAML",
            path: "Shared/Sources/CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(
            name: "BakeryYAML",
            dependencies: ["CYAML", .product(name: "OrderedCollections", package: "swift-collections")],
            path: "Shared/Sources/BakeryYAML"
        ),
        // A Jinja2-compatible template engine; knows nothing about bakery.
        .target(name: "Jinja", path: "Shared/Sources/Jinja"),
        // Go text/template as goss renders gossfiles (Go builtins, goss's functions, the Sprig helpers in use).
        .target(name: "GoTemplate", path: "Shared/Sources/GoTemplate"),
        // A goss runner that needs no goss binary: gossfiles rendered with GoTemplate, checks evaluated through a Probe.
        .target(name: "Goss", dependencies: ["GoTemplate", "BakeryYAML"], path: "Shared/Sources/Goss"),
        // The OCI distribution API (manifests, indexes, blobs, tags, referrers), digests, auth and retries; knows
        // nothing about bakery.
        .target(name: "OCIRegistry", dependencies: [.product(name: "Crypto", package: "swift-crypto")], path: "Shared/Sources/OCIRegistry"),
        .target(
            name: "Bakery",
            dependencies: [
                "BakeryYAML",
                "Jinja",
                "Goss",
                "OCIRegistry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            path: "Shared/Sources/Bakery",
            resources: [.copy("Templating/Macros")]
        ),
        .target(name: "ConnectImages", dependencies: ["Bakery"], path: "Connect/Sources/ConnectImages"),
        .target(name: "PackageManagerImages", dependencies: ["Bakery"], path: "PackageManager/Sources/PackageManagerImages"),
        .target(name: "WorkbenchImages", dependencies: ["Bakery"], path: "Workbench/Sources/WorkbenchImages"),
        .target(
            name: "BakeryCLI",
            dependencies: [
                "Bakery", "Jinja", "OCIRegistry", "ConnectImages", "PackageManagerImages", "WorkbenchImages",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/Sources/BakeryCLI"
        ),
        .executableTarget(name: "bakery", dependencies: ["BakeryCLI"], path: "Shared/Sources/bakery"),

        // Helpers shared by test targets: seeded randomness, running the built bakery, the reference normalisation.
        .target(name: "TestSupport", dependencies: ["Bakery", "BakeryYAML", "GoTemplate", "OCIRegistry"], path: "Tests/TestSupport"),
        // A seeded in-process fuzzer (YAML reader, span editor, config model, Jinja), run in release by CI.
        .executableTarget(name: "bakery-fuzz", dependencies: ["Bakery", "BakeryYAML", "Jinja"], path: "Tests/Fuzz"),
        .testTarget(name: "JinjaTests", dependencies: ["Jinja", "TestSupport"], path: "Tests/JinjaTests", exclude: ["Fixtures"]),
        .testTarget(name: "GoTemplateTests", dependencies: ["GoTemplate"], path: "Tests/GoTemplateTests"),
        .testTarget(name: "GossTests", dependencies: ["Goss"], path: "Tests/GossTests"),
        .testTarget(name: "BakeryYAMLTests", dependencies: ["BakeryYAML"], path: "Tests/BakeryYAMLTests"),
        .testTarget(name: "OCIRegistryTests", dependencies: ["OCIRegistry", "TestSupport"], path: "Tests/OCIRegistryTests"),
        // Fixtures live in Tests/Fixtures and are found from the source tree (#filePath), shared by all suites.
        .testTarget(name: "BakeryTests", dependencies: ["Bakery", "BakeryYAML", "Jinja", "Goss", "OCIRegistry", "TestSupport"], path: "Tests/BakeryTests"),
        .testTarget(name: "BakeryCLITests", dependencies: ["Bakery", "BakeryYAML", "OCIRegistry", "TestSupport"], path: "Tests/BakeryCLITests"),

        // Each product owns its suite, in its own folder: `swift test --filter ConnectTests` is the Connect team's check.
        .testTarget(name: "ConnectTests", dependencies: ["ConnectImages", "Bakery", "BakeryYAML", "GoTemplate", "Goss", "TestSupport"],
                    path: "Connect/Tests/ConnectTests", exclude: ["Fixtures"]),
        .testTarget(name: "PackageManagerTests", dependencies: ["PackageManagerImages", "Bakery", "BakeryYAML", "GoTemplate", "Goss", "TestSupport"],
                    path: "PackageManager/Tests/PackageManagerTests", exclude: ["Fixtures"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["WorkbenchImages", "Bakery", "BakeryYAML", "GoTemplate", "Goss", "TestSupport"],
                    path: "Workbench/Tests/WorkbenchTests", exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
