// Content digests as the OCI image spec defines them: `algorithm:encoded`, here SHA-256 (and SHA-512 read).
import Crypto
import Foundation

/// A content digest, `sha256:<64 lowercase hex>`.
///
///     let digest = Digest.sha256(of: Data("hello".utf8))
///     digest.description       // "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
///     try Digest(parsing: "sha256:2cf2…")   // throws: not 64 hex digits
///     digest.verifies(data)    // true when data hashes to it
public struct Digest: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// `sha256` or `sha512`.
    public let algorithm: String
    /// The lowercase hex encoding (64 characters for sha256, 128 for sha512).
    public let encoded: String

    /// Reads `algorithm:encoded`; only sha256 and sha512 with lowercase hex of the right length are digests.
    public init(parsing text: String) throws(RegistryError) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw RegistryError(.invalidDigest, "'\(text.prefix(100))' is not a digest (sha256:<64 hex digits>)") }
        let (algorithm, encoded) = (String(parts[0]), String(parts[1]))
        let length: Int
        switch algorithm {
        case "sha256": length = 64
        case "sha512": length = 128
        default: throw RegistryError(.invalidDigest, "'\(text.prefix(100))' uses the digest algorithm '\(algorithm.prefix(20))'; registries use sha256")
        }
        guard encoded.utf8.count == length, encoded.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw RegistryError(.invalidDigest, "'\(text.prefix(100))' is not a digest: \(algorithm) needs \(length) lowercase hex digits")
        }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// The SHA-256 digest of `data`.
    public static func sha256(of data: Data) -> Digest {
        Digest(sha256: SHA256.hash(data: data))
    }

    /// The digest a finished SHA-256 hash (of content hashed piece by piece) names.
    init(sha256 hash: SHA256.Digest) {
        self.init(algorithm: "sha256", encoded: hash.map { String(format: "%02x", $0) }.joined())
    }

    private init(algorithm: String, encoded: String) {
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// Whether `data` hashes to this digest.
    public func verifies(_ data: Data) -> Bool {
        switch algorithm {
        case "sha256": return Digest.sha256(of: data) == self
        case "sha512": return SHA512.hash(data: data).map { String(format: "%02x", $0) }.joined() == encoded
        default: return false
        }
    }

    public var description: String { "\(algorithm):\(encoded)" }

    public static func < (a: Digest, b: Digest) -> Bool { a.description < b.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try Digest(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
