// Finding the binary of an external tool (hadolint, dgoss, goss, trivy…) the way posit-bakery does.
import Foundation

/// Where an external tool's binary is, in posit-bakery's order:
///
/// 1. the environment variable `<TOOL>_PATH` (`HADOLINT_PATH`), used as given when set and non-empty;
/// 2. the bare name, when an executable of that name is on PATH (the child is started by name);
/// 3. `<project root>/tools/<tool>`, when it is a file;
/// 4. otherwise a `.commandNotFound` error with the reference's words (the CLI exits 1).
///
///     let hadolint = try ToolLocator.locate("hadolint", projectRoot: root)
///     let command = ChildCommand(hadolint.executable, ["--version"])
///
/// The result goes straight into `ChildCommand`'s `executable`, which `CommandRunner` resolves
/// (a bare name on PATH, a path as given).
public enum ToolLocator {
    /// A found tool: what to start, and how it was found.
    public struct Location: Sendable, Hashable {
        public enum Source: Sendable, Hashable {
            /// From the `<TOOL>_PATH` environment variable (its name).
            case environment(String)
            /// On PATH: `executable` is the bare name.
            case path
            /// `<root>/tools/<tool>`.
            case projectTools
        }

        /// The executable for `ChildCommand`: a bare name, or a path.
        public var executable: String
        public var source: Source

        public init(executable: String, source: Source) {
            self.executable = executable
            self.source = source
        }

        /// Whether `executable` is a path (so a child that needs it, like dgoss needing goss, gets `GOSS_PATH`).
        public var isExplicitPath: Bool { source != .path }
    }

    /// `HADOLINT_PATH` for `hadolint`: the tool's name upper-cased, `-` and `.` as `_`, then `_PATH`.
    public static func environmentVariable(for tool: String) -> String {
        String(tool.uppercased().map { $0 == "-" || $0 == "." ? "_" : $0 }) + "_PATH"
    }

    /// The tool's location, or a `.commandNotFound` error:
    /// "Could not find hadolint in PATH or in project tools directory. Either install hadolint or set
    /// the `HADOLINT_PATH` environment variable."
    ///
    /// - Parameters:
    ///   - tool: the tool's executable name (`hadolint`, `dgoss`, `goss`, `trivy`, `wizcli`, …).
    ///   - projectRoot: the project root, whose `tools/` folder is the last place looked at (nil: skipped).
    ///   - environment: the environment read for `<TOOL>_PATH` and `PATH` (default: bakery's own).
    public static func locate(_ tool: String, projectRoot: URL?,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws(BakeryError) -> Location {
        let variable = environmentVariable(for: tool)
        if let value = environment[variable], !value.isEmpty {
            return Location(executable: value, source: .environment(variable))
        }
        if !tool.isEmpty, !tool.contains("/") {
            let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
                // An empty PATH entry means the current folder, as for a shell (and for CommandRunner).
                let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + tool
                if CommandRunner.isExecutableFile(candidate) {
                    return Location(executable: tool, source: .path)
                }
            }
            if let projectRoot {
                let candidate = projectRoot.appendingPathComponent("tools").appendingPathComponent(tool)
                if RegularFile.kind(candidate.path) == .regular {
                    return Location(executable: candidate.path, source: .projectTools)
                }
            }
        }
        throw notFound(tool)
    }

    /// The reference's error for a tool found nowhere.
    public static func notFound(_ tool: String) -> BakeryError {
        let variable = environmentVariable(for: tool)
        return BakeryError(.commandNotFound,
                           "Could not find \(tool) in PATH or in project tools directory. Either install \(tool) or set the `\(variable)` environment variable.")
    }
}
