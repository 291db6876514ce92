// This tool's own version.

/// The version `bakery version` prints.
public enum BakeryVersion {
    public static let current = "0.1.0"
}
