// How bakery's registry commands (publish, merge, clean, --skip-unchanged) get a RegistryClient: credentials
// from the auth files and the environment, insecure registries, and retries told to the log.
import Foundation
import Logging
import OCIRegistry

/// The settings every registry-speaking command shares, read from the environment.
///
///     let client = try RegistryAccess(environment: env).client(logger: logger)
///
/// Credentials are searched in this order: `BAKERY_REGISTRY_USERNAME` / `BAKERY_REGISTRY_PASSWORD` for the one
/// registry `BAKERY_REGISTRY_HOST` names; `GITHUB_TOKEN` (user `GITHUB_ACTOR`, else `token`) for ghcr.io; then
/// `REGISTRY_AUTH_FILE`, containers `auth.json` and the docker config (see `CredentialStore.load`). Plain HTTP is used
/// for loopback registries and for those listed (comma-separated `host[:port]`) in `BAKERY_INSECURE_REGISTRIES`.
public struct RegistryAccess: Sendable {
    public static let hostVariable = "BAKERY_REGISTRY_HOST"
    public static let usernameVariable = "BAKERY_REGISTRY_USERNAME"
    public static let passwordVariable = "BAKERY_REGISTRY_PASSWORD"
    public static let insecureVariable = "BAKERY_INSECURE_REGISTRIES"

    public var credentials: CredentialStore
    public var insecureRegistries: Set<String>
    /// Every secret value the environment gave (to mask in anything bakery prints or writes).
    public var secrets: [String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                home: String = NSHomeDirectory()) throws(BakeryError) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var explicit: [String: RegistryCredential] = [:]
        var secrets: [String] = []
        let host = value(Self.hostVariable), user = value(Self.usernameVariable), password = value(Self.passwordVariable)
        if host != nil || user != nil || password != nil {
            guard let host, let user, let password else {
                let missing = [(Self.hostVariable, host), (Self.usernameVariable, user), (Self.passwordVariable, password)]
                    .filter { $0.1 == nil }.map(\.0)
                throw BakeryError(.invalidArgument, "registry credentials in the environment are incomplete: \(missing.joined(separator: ", ")) not set",
                                  hint: "set all three of \(Self.hostVariable), \(Self.usernameVariable) and \(Self.passwordVariable), or none")
            }
            explicit[host] = RegistryCredential(username: user, password: password)
            secrets.append(password)
        }
        if let token = value("GITHUB_TOKEN"), explicit["ghcr.io"] == nil {
            explicit["ghcr.io"] = RegistryCredential(username: value("GITHUB_ACTOR") ?? "token", password: token)
            secrets.append(token)
        }
        let files: CredentialStore
        do { files = try CredentialStore.load(environment: environment, home: home) } catch {
            throw BakeryError(.registry, error.message, hint: "fix or remove that file, or point REGISTRY_AUTH_FILE at a valid one", cause: error)
        }
        credentials = explicit.isEmpty ? files : files.prepending(entries: explicit)
        insecureRegistries = Set((value(Self.insecureVariable) ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        self.secrets = secrets
    }

    /// A client that logs each retry as a warning (the registry's words, never a secret).
    public func client(logger: Logger, configure: (inout RegistryClientOptions) -> Void = { _ in }) -> RegistryClient {
        var options = RegistryClientOptions()
        options.insecureRegistries = insecureRegistries
        options.userAgent = "bakery/\(BakeryVersion.current)"
        options.onRetry = { line in logger.warning("\(line)") }
        configure(&options)
        return RegistryClient(credentials: credentials, options: options)
    }

    /// The deepest nesting of arrays and objects `parseJSON` accepts: bakery's JSON reader recurses once per level,
    /// so a hostile server or file nesting a million levels would exhaust the stack (a crash, not an error).
    public static let maximumJSONDepth = 256

    /// JSON a server or a file sent, parsed keeping key order; nil when it is not UTF-8 JSON or nests deeper than
    /// `maximumJSONDepth`.
    public static func parseJSON(_ data: Data) -> JSONValue? {
        guard jsonDepth(data) <= maximumJSONDepth, let text = String(data: data, encoding: .utf8) else { return nil }
        return JSONValue.parse(text)
    }

    /// The deepest nesting of `[` and `{` outside strings (no parsing: a quick scan that cannot recurse).
    public static func jsonDepth(_ data: Data) -> Int {
        var depth = 0, deepest = 0
        var inString = false, escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    /// `text` with every secret in `secrets` replaced by `<redacted>`, then cut to `limit` characters when one is
    /// given: redacting first, so a secret straddling the cut cannot leave its first characters behind.
    public static func redacted(_ text: String, secrets: [String], limit: Int? = nil) -> String {
        var out = text
        for secret in secrets where !secret.isEmpty { out = out.replacingOccurrences(of: secret, with: "<redacted>") }
        guard let limit, out.count > limit else { return out }
        return String(out.prefix(limit)) + "…"
    }

    /// `text` parsed as an image reference, or a BakeryError naming `what` it is.
    public static func reference(_ text: String, what: String) throws(BakeryError) -> ImageReference {
        do { return try ImageReference(parsing: text) } catch {
            throw BakeryError(.invalidValue, "\(what) '\(text)' is not an image reference: \(error.message)", cause: error)
        }
    }
}
