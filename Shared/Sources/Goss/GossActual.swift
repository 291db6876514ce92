// What the system under test gave for one property: the actual side of a check.

/// The actual value of a property, typed as goss types it (this drives matcher selection).
///
///     .value(.bool(true))                       // file exists
///     .strings(["rstudio-server"])              // user groups ([]string in Go)
///     .stream(GossStream(bytes: out, goType: "*bytes.Reader"))   // command stdout
public enum GossActual: Sendable, Hashable {
    /// A scalar (bool, int, float, string), or a value exactly as YAML produced it (`matching` content).
    case value(GossValue)
    /// A Go `[]string` (user groups, package versions, port ips, dns addrs, mount opts): never `equal` to a YAML list.
    case strings([String])
    /// A line stream (file contents, command stdout/stderr, http headers/body, matching with as-reader).
    case stream(GossStream)
}

/// Raw bytes offered to matchers as an `io.Reader`; `goType` is what goss prints for it (`object: *bytes.Reader`).
public struct GossStream: Sendable, Hashable {
    public var bytes: [UInt8]
    public var goType: String

    public init(bytes: [UInt8], goType: String) {
        self.bytes = bytes
        self.goType = goType
    }

    public static func commandOutput(_ bytes: [UInt8]) -> GossStream { GossStream(bytes: bytes, goType: "*bytes.Reader") }
    public static func fileContents(_ bytes: [UInt8]) -> GossStream { GossStream(bytes: bytes, goType: "*os.File") }
    public static func reader(_ bytes: [UInt8]) -> GossStream { GossStream(bytes: bytes, goType: "*strings.Reader") }
}
