import Bakery
import BakeryYAML
import Foundation
import Testing
import TestSupport

/// Whatever the input, loading ends in a config or a BakeryError: never a trap.
@Suite struct RobustnessTests {
    static let tokens = [":", "- ", "[", "]", "{", "}", "\"", "'", "&a ", "*a", "<<: ", "!!str ", "!!int ", "~", "\n", "  ", "\t",
                         "24.04", "true", "null", "0x", "1e9", "é", "\u{0}", "#", "|", ">", "---", "...", "%YAML 1.2", "? ",
                         "name: ", "os: ", "versions: ", "matrix: ", "latest: ", "subpath: ../", "primary: true", "99999999999999999999",
                         // path-safety spellings (Tests/Fixtures/path-safety): every one must load or fail located, never trap
                         "subpath: .", "subpath: ./", "subpath: template", "subpath: x//y/.", "subpath: \"a\\u0001b\"", "subpath: .git",
                         "name: ..", "name: ../x", "name: x/..", "subpath: bakery.yaml", "/", "./", "//"]

    @Test func tenThousandMutatedConfigsNeverTrap() throws {
        var rng = SeededRandom(seed: 2026)
        let sources = try ["connect", "workbench", "06-matrix-images", "05-images-with-managed-dependencies"].map {
            try String(contentsOf: ExampleProjects.folder($0).appendingPathComponent("bakery.yaml"), encoding: .utf8)
        }
        var outcomes = (valid: 0, invalid: 0)
        for _ in 0..<10_000 {
            var bytes = Array(sources.randomElement(using: &rng)!.utf8)
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let at = Int.random(in: 0...bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes.insert(contentsOf: Array(Self.tokens.randomElement(using: &rng)!.utf8), at: at)
                case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &rng)))
                case 2: if at < bytes.count { bytes[at] = UInt8.random(in: 0...255, using: &rng) }
                default: bytes = Array(bytes.prefix(at))
                }
            }
            do {
                _ = try ConfigLoader.load(bytes: bytes, displayPath: "bakery.yaml", context: URL(fileURLWithPath: "/p"),
                                          file: URL(fileURLWithPath: "/p/bakery.yaml"))
                outcomes.valid += 1
            } catch {
                #expect(!error.errors.isEmpty)
                #expect(error.errors.allSatisfy { $0.location != nil })
                outcomes.invalid += 1
            }
        }
        #expect(outcomes.valid + outcomes.invalid == 10_000)
        #expect(outcomes.invalid > 1000)
    }

    /// Random images, versions and matrices with hostile folder spellings: a config that loads has
    /// only normalised folders, no two image folders overlap, and no version or matrix folder
    /// overlaps its image's templates or another version's folder. One that does not load says where.
    @Test func everyConfigThatLoadsHasSeparateNormalisedFolders() throws {
        var rng = SeededRandom(seed: 1010)
        let spellings = ["a", "a/", "./a", "a//", "a/.", "a/b", "./a/b/", "b", "template", "./template", "template/x", ".", "./", "",
                         "..", "a/../b", "/abs", "~/x", "a\\\\b", ".git", "x/.git", "bakery.yaml", "c", "1.0.0", "1.0.0/", "2.0.0/x",
                         "\\u0001", "x\\ty", "img", "img/1.0.0", "m", "matrix"]
        let names = ["a", "b", "c", "img", "1.0.0", "2.0.0", "template", "Template", "..", ".", "x/y", "../z", "a b", "A", ".git"]
        var outcomes = (loaded: 0, rejected: 0)
        for _ in 0..<5_000 {
            var text = "repository:\n  url: \"https://github.com/posit-dev/x\"\nimages:\n"
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                text += "  - name: \"\(names.randomElement(using: &rng)!)\"\n"
                if Bool.random(using: &rng) { text += "    subpath: \"\(spellings.randomElement(using: &rng)!)\"\n" }
                if Int.random(in: 0..<5, using: &rng) == 0 {
                    text += "    matrix:\n      values: {k: [\"1\", \"2\"]}\n"
                    if Bool.random(using: &rng) { text += "      subpath: \"\(spellings.randomElement(using: &rng)!)\"\n" }
                } else {
                    text += "    versions:\n"
                    for _ in 0..<Int.random(in: 1...3, using: &rng) {
                        text += "      - name: \"\(names.randomElement(using: &rng)!)\"\n"
                        if Bool.random(using: &rng) { text += "        subpath: \"\(spellings.randomElement(using: &rng)!)\"\n" }
                    }
                }
            }
            do {
                let loaded = try ConfigLoader.load(bytes: Array(text.utf8), displayPath: "bakery.yaml", context: URL(fileURLWithPath: "/p"),
                                                   file: URL(fileURLWithPath: "/p/bakery.yaml"))
                outcomes.loaded += 1
                let images = loaded.config.images
                var imageFolders: [FolderPath] = []
                for image in images {
                    let folder = try #require(FolderPath.parse(image.subpath).folder)
                    #expect(folder.description == image.subpath, "not normalised: \(image.subpath)\n\(text)")
                    #expect(!imageFolders.contains { $0.overlaps(folder) }, "image folders overlap:\n\(text)")
                    imageFolders.append(folder)
                    var versionFolders: [FolderPath] = []
                    for sub in image.versions.map(\.subpath) + (image.matrix.map { [$0.subpath] } ?? []) {
                        let v = try #require(FolderPath.parse(sub).folder)
                        #expect(v.description == sub, "not normalised: \(sub)\n\(text)")
                        #expect(!v.overlaps(FolderPath(components: ["template"])), "a version overlaps the templates:\n\(text)")
                        #expect(!versionFolders.contains { $0.overlaps(v) }, "version folders overlap:\n\(text)")
                        versionFolders.append(v)
                    }
                }
            } catch let error as BakeryError {
                outcomes.rejected += 1
                #expect(error.errors.allSatisfy { $0.location != nil })
            } catch {
                Issue.record("a loaded folder does not parse (\(error)):\n\(text)")
            }
        }
        #expect(outcomes.loaded > 200 && outcomes.rejected > 1_000, "\(outcomes)")
    }
}
