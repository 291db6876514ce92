// Image references in Docker's grammar (distribution's `reference` package): `[registry/]repository[:tag][@digest]`,
// normalised the way docker and podman normalise Docker Hub names.
import Foundation

/// A parsed image reference.
///
///     let ref = try ImageReference(parsing: "ubuntu:24.04")
///     ref.description   // "docker.io/library/ubuntu:24.04"
///     ref.apiHost       // "registry-1.docker.io"
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// Host and optional port: `docker.io` (normalised from `index.docker.io` too), `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000`.
    public let registry: String
    /// Slash-separated lowercase path: `library/ubuntu` for Docker Hub's official images, `posit-dev/workbench`.
    public let repository: String
    public let tag: String?
    public let digest: Digest?

    /// Docker Hub's canonical name, and the host its registry API answers on.
    public static let dockerHub = "docker.io"
    public static let dockerHubAPIHost = "registry-1.docker.io"
    /// distribution/reference `NameTotalLengthMax`: a name (registry and repository) has at most 255 characters.
    public static let maximumNameLength = 255
    /// distribution/reference tag grammar `[\w][\w.-]{0,127}`: at most 128 characters.
    public static let maximumTagLength = 128

    /// Reads `[registry/]repository[:tag][@digest]`. The first path component is the registry when it contains
    /// `.` or `:` or is `localhost`; otherwise the registry is `docker.io`, where a one-component repository `x`
    /// becomes `library/x`. Repository components are `[a-z0-9]+` joined by `.`, `_`, `__` or dashes.
    public init(parsing text: String) throws(RegistryError) {
        let shown = "'\(text.prefix(300))'"
        guard !text.isEmpty else { throw RegistryError(.invalidReference, "an empty string is not an image reference; write e.g. ghcr.io/owner/image:tag") }
        var rest = Substring(text)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            let digestText = String(rest[rest.index(after: at)...])
            do { digest = try Digest(parsing: digestText) } catch {
                throw RegistryError(.invalidReference, "\(shown) is not an image reference: after '@' \(error.message)")
            }
            rest = rest[..<at]
        }
        var tag: String?
        let lastSlash = rest.lastIndex(of: "/")
        let lastComponentStart = lastSlash.map { rest.index(after: $0) } ?? rest.startIndex
        if let colon = rest[lastComponentStart...].firstIndex(of: ":") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        let name = String(rest)
        guard name.count <= Self.maximumNameLength else {
            throw RegistryError(.invalidReference, "'\(text.prefix(80))…' is not an image reference: its name has \(name.count) characters, more than the \(Self.maximumNameLength) allowed")
        }
        var registry = Self.dockerHub
        var path = name
        if let slash = name.firstIndex(of: "/") {
            let first = String(name[..<slash])
            if first.contains(".") || first.contains(":") || first == "localhost" {
                registry = first
                path = String(name[name.index(after: slash)...])
            }
        }
        try self.init(validating: registry, repository: path, tag: tag, digest: digest, shown: shown)
    }

    /// A reference from its parts, validated as `init(parsing:)` validates them (`docker.io` normalisation included).
    public init(registry: String, repository: String, tag: String? = nil, digest: Digest? = nil) throws(RegistryError) {
        var spelled = "\(registry)/\(repository)"
        if let tag { spelled += ":\(tag)" }
        if let digest { spelled += "@\(digest)" }
        guard (registry.count + 1 + repository.count) <= Self.maximumNameLength else {
            throw RegistryError(.invalidReference, "'\(spelled.prefix(80))…' is not an image reference: its name has more than the \(Self.maximumNameLength) characters allowed")
        }
        try self.init(validating: registry, repository: repository, tag: tag, digest: digest, shown: "'\(spelled.prefix(300))'")
    }

    private init(validating registry: String, repository: String, tag: String?, digest: Digest?, shown: String) throws(RegistryError) {
        func fail(_ problem: String) -> RegistryError {
            RegistryError(.invalidReference, "\(shown) is not an image reference: \(problem)")
        }
        guard Self.isValidRegistry(registry) else {
            throw fail("the registry '\(registry.prefix(100))' is not a host name or IP address with an optional port (e.g. ghcr.io, 127.0.0.1:5000)")
        }
        guard !repository.isEmpty else { throw fail("the repository name is missing (write e.g. \(registry)/owner/image)") }
        for component in repository.split(separator: "/", omittingEmptySubsequences: false) {
            guard Self.isValidPathComponent(component) else {
                if component.isEmpty { throw fail("the repository '\(repository.prefix(100))' has an empty path component") }
                if component.contains(where: \.isUppercase) {
                    throw fail("the repository component '\(component.prefix(100))' has uppercase letters; repository names are lowercase")
                }
                throw fail("the repository component '\(component.prefix(100))' is not lowercase letters and digits separated by '.', '_', '__' or dashes")
            }
        }
        if let tag {
            guard Self.isValidTag(tag) else {
                if tag.isEmpty { throw fail("the tag after ':' is empty") }
                if tag.count > Self.maximumTagLength { throw fail("the tag has \(tag.count) characters, more than the \(Self.maximumTagLength) allowed") }
                throw fail("the tag '\(tag.prefix(100))' must start with a letter, digit or '_' and contain only letters, digits, '_', '.' and '-'")
            }
        }
        let normalisedRegistry = Self.dockerHubAliases.contains(registry) ? Self.dockerHub : registry
        self.registry = normalisedRegistry
        self.repository = normalisedRegistry == Self.dockerHub && !repository.contains("/") ? "library/\(repository)" : repository
        self.tag = tag
        self.digest = digest
    }

    private init(registry: String, repository: String, tag: String?, digest: Digest?, unchecked: Void) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Names that docker treats as Docker Hub.
    static let dockerHubAliases: Set<String> = ["docker.io", "index.docker.io"]

    /// The host (and port) the distribution API is reached on: `registry-1.docker.io` for Docker Hub.
    public var apiHost: String { registry == Self.dockerHub ? Self.dockerHubAPIHost : registry }

    /// Whether the registry is on this machine: `localhost`, 127.0.0.0/8 or `::1`, with any port. Only such registries
    /// (and those the user marks insecure) may be spoken to over plain HTTP.
    public var isLoopback: Bool { Self.isLoopbackHost(registry) }

    /// `registry/repository`, without tag or digest.
    public var name: String { "\(registry)/\(repository)" }

    /// What goes after `/manifests/` in the API: the digest when there is one, else the tag, else `latest`.
    public var manifestReference: String { digest?.description ?? tag ?? "latest" }

    /// The same repository with another tag (nil removes it). The tag should satisfy `isValidTag`.
    public func with(tag: String?) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: tag, digest: digest, unchecked: ())
    }

    /// The same repository with another digest (nil removes it).
    public func with(digest: Digest?) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: tag, digest: digest, unchecked: ())
    }

    /// The canonical spelling `registry/repository[:tag][@digest]`, which parses back to the same reference.
    public var description: String {
        var text = name
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    // MARK: Grammar

    /// A tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    public static func isValidTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, bytes.count <= maximumTagLength, isWordByte(first) else { return false }
        return bytes.dropFirst().allSatisfy { isWordByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// A repository path component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
    static func isValidPathComponent(_ component: Substring) -> Bool {
        let bytes = Array(component.utf8)
        var index = 0
        func alphanumericRun() -> Bool {
            let start = index
            while index < bytes.count, isLowerAlphanumeric(bytes[index]) { index += 1 }
            return index > start
        }
        guard alphanumericRun() else { return false }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."): index += 1
            case UInt8(ascii: "_"):
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "_") { index += 1 }
            case UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            default: return false
            }
            guard alphanumericRun() else { return false }
        }
        return true
    }

    /// `host[:port]`, where host is DNS labels joined by dots, an IPv4 address, or `[IPv6]`.
    static func isValidRegistry(_ registry: String) -> Bool {
        let (host, port) = splitHostPort(registry)
        if let port {
            guard !port.isEmpty, port.count <= 5, port.utf8.allSatisfy(isDigit), let number = Int(port), number <= 65535 else { return false }
        }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return false }
            let inner = host.dropFirst().dropLast()
            return inner.contains(":") && inner.utf8.allSatisfy { isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
        }
        guard !host.isEmpty else { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last else { return false }
            return isAlphanumeric(first) && isAlphanumeric(last) && bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// Splits `host:port`, `[v6]:port`, `host` or `[v6]`; the port is nil when there is no `:` after the host.
    static func splitHostPort(_ registry: String) -> (host: String, port: String?) {
        if registry.hasPrefix("["), let close = registry.firstIndex(of: "]") {
            let host = String(registry[...close])
            let after = registry[registry.index(after: close)...]
            if after.isEmpty { return (host, nil) }
            return after.first == ":" ? (host, String(after.dropFirst())) : (registry, nil)
        }
        guard let colon = registry.firstIndex(of: ":") else { return (registry, nil) }
        return (String(registry[..<colon]), String(registry[registry.index(after: colon)...]))
    }

    /// Whether a URL's host (as `URL.host` gives it: an IPv6 address without brackets) is this machine.
    public static func isLoopback(urlHost host: String) -> Bool {
        isLoopbackHost(host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host)
    }

    static func isLoopbackHost(_ registry: String) -> Bool {
        var host = splitHostPort(registry).host.lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            return host == "::1" || host == "0:0:0:0:0:0:0:1"
        }
        if host == "localhost" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.first == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.utf8.allSatisfy(isDigit) && (Int(octet) ?? 256) <= 255
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    private static func isHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte) }
    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || (0x61...0x7A).contains(byte) }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isLowerAlphanumeric(byte) || (0x41...0x5A).contains(byte) }
    private static func isWordByte(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == UInt8(ascii: "_") }
}
