// The resource types goss knows: section keys, Go type names, properties in check order, settings and gating.

/// One resource type of a gossfile (`file`, `package`, …).
public enum GossResourceKind: String, Sendable, Hashable, CaseIterable {
    case file, package, addr, port, service, user, group, command, dns, process
    case kernelParam = "kernel-param"
    case mount, interface, http, matching

    /// The section key in a gossfile.
    public var section: String { rawValue }

    /// The Go type name goss prints as `resource-type`.
    public var typeName: String {
        switch self {
        case .file: "File"
        case .package: "Package"
        case .addr: "Addr"
        case .port: "Port"
        case .service: "Service"
        case .user: "User"
        case .group: "Group"
        case .command: "Command"
        case .dns: "DNS"
        case .process: "Process"
        case .kernelParam: "KernelParam"
        case .mount: "Mount"
        case .interface: "Interface"
        case .http: "HTTP"
        case .matching: "Matching"
        }
    }

    /// A matchable property: its key in the gossfile and the name results report.
    public struct Property: Sendable, Hashable {
        public let key: String
        public let reported: String
        init(_ key: String, reported: String? = nil) {
            self.key = key
            self.reported = reported ?? key
        }
    }

    /// Matchable properties in goss's check order; the first is required unless `firstIsRequired` is false.
    public var properties: [Property] {
        switch self {
        case .file:
            [.init("exists"), .init("mode"), .init("owner"), .init("uid"), .init("group"), .init("gid"),
             .init("linked-to", reported: "linkedto"), .init("filetype"), .init("contains"), .init("contents"),
             .init("size"), .init("md5"), .init("sha256"), .init("sha512")]
        case .package: [.init("installed"), .init("versions", reported: "version")]
        case .user: [.init("exists"), .init("uid"), .init("gid"), .init("home"), .init("groups"), .init("shell")]
        case .group: [.init("exists"), .init("gid")]
        case .command: [.init("exit-status"), .init("stdout"), .init("stderr")]
        case .port: [.init("listening"), .init("ip")]
        case .process: [.init("running")]
        case .http: [.init("status"), .init("headers", reported: "Headers"), .init("body", reported: "Body")]
        case .addr: [.init("reachable")]
        case .dns: [.init("resolvable"), .init("addrs")]
        case .service: [.init("enabled"), .init("running"), .init("runlevels")]
        case .kernelParam: [.init("value")]
        case .mount: [.init("exists"), .init("opts"), .init("vfs-opts"), .init("source"), .init("filesystem"), .init("usage")]
        case .interface: [.init("exists"), .init("addrs"), .init("mtu")]
        case .matching: [.init("matches")]
        }
    }

    /// Whether the first property must be given (a missing one fails with "Missing required attribute").
    public var firstIsRequired: Bool { self != .service }

    /// Whether a failing (or false) first property skips the rest.
    public var gates: Bool {
        switch self {
        case .file, .package, .user, .group, .port, .http, .dns, .mount, .interface: true
        default: false
        }
    }

    /// Plain settings (not matchers) the section accepts, besides title/meta/skip.
    public var settings: [String] {
        switch self {
        case .file: ["path"]
        case .package: ["name"]
        case .user: ["username"]
        case .group: ["groupname"]
        case .command: ["exec", "timeout"]
        case .port: ["port"]
        case .process: ["comm"]
        case .http: ["url", "method", "allow-insecure", "no-follow-redirects", "timeout", "request-headers", "request-body",
                     "username", "password", "ca-file", "cert-file", "key-file", "proxy"]
        case .addr: ["address", "timeout", "local-address"]
        case .dns: ["resolve", "server", "timeout"]
        case .service: ["name"]
        case .kernelParam: ["name"]
        case .mount: ["mountpoint", "timeout"]
        case .interface: ["name"]
        case .matching: ["content", "as-reader"]
        }
    }

    /// The setting that renames the looked-up thing (the ID becomes `"<key>: <alias>"`).
    public var aliasSetting: String? {
        switch self {
        case .file: "path"
        case .package, .service, .kernelParam, .interface: "name"
        case .user: "username"
        case .group: "groupname"
        case .port: "port"
        case .process: "comm"
        case .http: "url"
        case .addr: "address"
        case .dns: "resolve"
        case .mount: "mountpoint"
        case .command, .matching: nil
        }
    }

    /// Old spellings goss still reads.
    var propertyAliases: [String: String] { self == .dns ? ["resolveable": "resolvable"] : [:] }

    /// The order goss queues types in (results come out in completion order; we report in this order, sorted within a type).
    public static let queueOrder: [GossResourceKind] = [
        .command, .http, .addr, .dns, .package, .service, .file, .process, .user, .group, .port, .kernelParam, .mount, .interface, .matching,
    ]
}
