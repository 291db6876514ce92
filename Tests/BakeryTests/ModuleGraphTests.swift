import Foundation
import Testing
import TestSupport

/// The module graph of docs/architecture.md, checked on the sources: what each module imports is
/// within what it may import (so product modules never see each other, the YAML and template
/// engines never see bakery, and the domain never sees the command line).
@Suite struct ModuleGraphTests {
    static let system: Set<String> = ["Foundation", "FoundationEssentials", "Glibc", "Musl", "Darwin", "Dispatch", "Synchronization"]

    /// Module folder → the modules it may import (besides the system's).
    static let allowed: [(folder: String, may: Set<String>)] = [
        ("Shared/Sources/BakeryYAML", ["CYAML", "OrderedCollections"]),
        ("Shared/Sources/Jinja", []),
        ("Shared/Sources/GoTemplate", []),
        ("Shared/Sources/Goss", ["GoTemplate", "BakeryYAML"]),
        ("Shared/Sources/OCIRegistry", ["Crypto", "FoundationNetworking"]),
        ("Shared/Sources/Bakery", ["BakeryYAML", "Jinja", "Goss", "OCIRegistry", "Logging", "OrderedCollections", "Subprocess", "SystemPackage", "System"]),
        ("Connect/Sources/ConnectImages", ["Bakery"]),
        ("PackageManager/Sources/PackageManagerImages", ["Bakery"]),
        ("Workbench/Sources/WorkbenchImages", ["Bakery"]),
        ("Shared/Sources/BakeryCLI", ["Bakery", "Jinja", "Goss", "OCIRegistry", "ArgumentParser", "Logging", "ConnectImages", "PackageManagerImages", "WorkbenchImages"]),
        ("Shared/Sources/bakery", ["BakeryCLI"]),
    ]

    static func imports(below folder: String) -> [String: Set<String>] {
        let root = BakeryBinary.repositoryRoot.appendingPathComponent(folder)
        var out: [String: Set<String>] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return out }
        for case let path as String in walker where path.hasSuffix(".swift") {
            let text = (try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let i = words.firstIndex(of: "import"), words[..<i].allSatisfy({ $0.hasPrefix("@") || $0 == "public" || $0 == "internal" }),
                      i + 1 < words.count else { continue }
                out[path, default: []].insert(String(words[i + 1].split(separator: ".")[0]))
            }
        }
        return out
    }

    @Test(arguments: allowed.map(\.folder))
    func aModuleImportsOnlyWhatItMay(_ folder: String) {
        let may = Self.allowed.first { $0.folder == folder }?.may ?? []
        let files = Self.imports(below: folder)
        #expect(!files.isEmpty, "no Swift files found in \(folder)")
        for (file, modules) in files {
            let foreign = modules.subtracting(may).subtracting(Self.system)
            #expect(foreign.isEmpty, "\(folder)/\(file) imports \(foreign.sorted())")
        }
    }

    /// A new module is added to this table (and to docs/architecture.md) when it is created.
    @Test func everySwiftModuleFolderIsInTheTable() throws {
        let root = BakeryBinary.repositoryRoot
        let shared = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Shared/Sources").path)
            .filter { $0 != "CYAML" && !$0.hasPrefix(".") }.map { "Shared/Sources/\($0)" }
        let products = ["Connect", "PackageManager", "Workbench"].flatMap { product in
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("\(product)/Sources").path)) ?? []).map { "\(product)/Sources/\($0)" }
        }
        #expect(Set(shared + products) == Set(Self.allowed.map(\.folder)))
    }

    @Test func productModulesNeverSeeEachOther() {
        #expect(!Self.allowed.contains { $0.folder.hasSuffix("Images") && $0.may.contains { $0.hasSuffix("Images") } })
        #expect(!(Self.allowed.first { $0.folder == "Shared/Sources/Bakery" }?.may.contains("ArgumentParser") ?? true))
    }
}
