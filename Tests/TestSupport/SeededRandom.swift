import Foundation

/// A small deterministic random generator (SplitMix64) for robustness tests: every run tries the
/// same inputs, so a failure reproduces.
public struct SeededRandom: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededRandom {
    /// Writes `size` deterministic bytes to `file` (1 MiB of SplitMix64 output from `seed`, each MiB stamped with its
    /// index), a piece at a time: large blobs for the streaming tests without holding them in memory.
    public static func writeFile(size: Int, seed: UInt64, to file: URL) throws {
        var random = SeededRandom(seed: seed)
        var block = Data((0..<(1 << 20) / 8).flatMap { _ in withUnsafeBytes(of: random.next()) { Array($0) } })
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var offset = 0
        var index: UInt64 = 0
        while offset < size {
            withUnsafeBytes(of: index) { block.replaceSubrange(0..<8, with: $0) }
            let piece = block.prefix(min(block.count, size - offset))
            try handle.write(contentsOf: piece)
            offset += piece.count
            index += 1
        }
    }
}
