// A build platform; bakery supports these two.
import BakeryYAML

/// A build platform; bakery supports these two.
public enum Platform: String, Sendable, Hashable, CaseIterable {
    case amd64 = "linux/amd64"
    case arm64 = "linux/arm64"
}
