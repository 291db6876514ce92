import Bakery
import BakeryYAML
import Foundation
import Testing
import TestSupport

/// Whatever the input, loading ends in a config or a BakeryError: never a trap.
@Suite struct RobustnessTests {
    static let tokens = [":", "- ", "[", "]", "{", "}", "\"", "'", "&a ", "*a", "<<: ", "!!str ", "!!int ", "~", "\n", "  ", "\t",
                         "24.04", "true", "null", "0x", "1e9", "é", "\u{0}", "#", "|", ">", "---", "...", "%YAML 1.2", "? ",
                         "name: ", "os: ", "versions: ", "matrix: ", "latest: ", "subpath: ../", "primary: true", "99999999999999999999"]

    @Test func tenThousandMutatedConfigsNeverTrap() throws {
        var rng = SeededRandom(seed: 2026)
        let sources = try ["connect", "workbench", "06-matrix-images", "05-images-with-managed-dependencies"].map {
            try String(contentsOf: Fixtures.examples.appendingPathComponent("\($0)/bakery.yaml"), encoding: .utf8)
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
}
