// The single error type of the Bakery module: a code to switch on, a message, a location, a hint and a cause.
import BakeryYAML
import Jinja
import OCIRegistry

/// An error a user can act on.
///
///     throw BakeryError(.configNotFound, "no bakery.yaml or bakery.yml in '/src'",
///                       hint: "run `bakery create project` first, or pass --context DIR")
///
/// Callers switch on `code`, never on message text. A failed validation carries every
/// diagnostic found (`diagnostics`), not just the first. Errors of the lower modules (a `YAMLError`,
/// a `JinjaError`, a failed system call) travel as `cause` of the BakeryError that explains them.
public struct BakeryError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case configNotFound
        case configUnreadable
        case yamlSyntax
        case invalidConfig
        case missingKey
        case unknownKey
        case invalidType
        case invalidValue
        case duplicate
        case deprecated
        case notice
        case invalidArgument
        /// A failed file system operation (permission, space, busy, …), naming the path.
        case fileSystem
        /// A path bakery refuses to use: a link out of the project, a special file, a folder in the way.
        case unsafePath
        /// SIGINT, SIGTERM or SIGHUP arrived during a change, which was rolled back (or finished).
        case interrupted
        /// A product's own rule (e.g. Connect's version spelling) rejects the config.
        case productRule
        /// A template could not be rendered (the message lists each template, line and destination).
        case templateFailed
        /// Versions that need an outside source (dev versions, matrix constraints, tag patterns) could not be resolved.
        case versionResolution
        /// A product release channel document could not give a release.
        case channel
        /// A failure inside bakery that no input should cause (the cause says what).
        case `internal`
        /// An image, version or other entry a command names does not exist.
        case notFound
        /// bakery.yaml cannot be changed safely at this place (a layout the editor does not handle); nothing was written.
        case editUnsupported
        /// A child process (git, a container engine, a linter) is not installed or not on PATH.
        case commandNotFound
        /// A child process could not be started, or exited unsuccessfully (the message has its command line and stderr).
        case commandFailed
        /// A child process ran past its time limit and was stopped.
        case commandTimedOut
        /// A child process wrote more output than bakery keeps, and was stopped.
        case commandOutputTooLarge
        /// A registry refused, failed or sent something unusable (the message names the registry and reference).
        case registry
    }

    public var code: Code
    public var message: String
    public var location: SourceLocation?
    public var path: ConfigPath?
    public var hint: String?
    /// For `.invalidConfig`: every problem found, errors and warnings, in document order.
    public var diagnostics: [Diagnostic]
    /// The lower-level error this one explains, when there is one (for logs and callers that dig).
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, location: SourceLocation? = nil, path: ConfigPath? = nil,
                hint: String? = nil, diagnostics: [Diagnostic] = [], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.path = path
        self.hint = hint
        self.diagnostics = diagnostics
        self.cause = cause
    }

    /// Any error as a BakeryError: itself, or one that explains a lower module's error and keeps it as cause.
    public static func from(_ error: any Error) -> BakeryError {
        switch error {
        case let error as BakeryError: return error
        case let error as JinjaError:
            return BakeryError(.templateFailed, error.description, cause: error)
        case let error as YAMLError:
            return BakeryError(.yamlSyntax, error.description, cause: error)
        case let error as RegistryError:
            return BakeryError(.registry, error.message, cause: error)
        default:
            return BakeryError(.internal, "\(error)", hint: "this is a bug in bakery; please report it with the command that caused it", cause: error)
        }
    }

    /// The diagnostics with severity error (or self as one diagnostic when there are none).
    public var errors: [Diagnostic] {
        let found = diagnostics.filter { $0.severity == .error }
        return found.isEmpty ? [Diagnostic(.error, message, code: code, location: location, path: path, hint: hint)] : found
    }

    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
