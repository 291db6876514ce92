// The external tools whose options bakery.yaml can carry.
import BakeryYAML

/// The external tools whose options bakery.yaml can carry.
public enum Tool: String, Sendable, Hashable, CaseIterable {
    case goss, hadolint, soci, trivy, wizcli
}
