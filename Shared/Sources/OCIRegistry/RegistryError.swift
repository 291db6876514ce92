// The one error type of the registry client: what went wrong, with a code callers can branch on.
import Foundation

/// An error talking to a registry or reading what it sent. `message` names the registry, repository or
/// reference and says what to do; secrets never appear in it.
public struct RegistryError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable, Equatable {
        /// Not a digest / reference / media type the client accepts.
        case invalidDigest, invalidReference
        /// Not an `os/architecture[/variant]` platform.
        case invalidPlatform
        /// A document (manifest, index, error body, token response) that does not parse.
        case invalidDocument
        /// Content whose digest is not the one asked for or announced.
        case digestMismatch
        /// 401/403 after authenticating, or no credentials for a registry that needs them.
        case unauthorized
        /// 404: manifest, blob or repository unknown.
        case notFound
        /// A transient failure that outlived the retries (5xx, 429, connection errors, timeouts).
        case unavailable
        /// Any other HTTP status the operation does not expect.
        case unexpectedStatus
        /// Plain HTTP to a registry that is neither loopback nor marked insecure.
        case insecureRefused
        /// Reading credentials (a docker config or auth.json that does not parse).
        case credentials
        /// Cancelled by the caller (Ctrl-C).
        case cancelled
        /// A local file a blob streams through could not be made, written or read (disk full, permissions).
        case localFile
    }

    public var code: Code
    public var message: String
    /// The HTTP status, when the error came from a response.
    public var status: Int?

    public init(_ code: Code, _ message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String { message }
}
