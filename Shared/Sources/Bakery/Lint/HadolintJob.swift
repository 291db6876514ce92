// One Containerfile to lint and the targets that share it, with the options hadolint gets for it.
import Foundation

/// One Containerfile to lint and the targets built from it. Targets sharing a Containerfile (the
/// rows of a matrix) are linted once; the first target represents them.
public struct HadolintJob: Sendable {
    /// The representative target: its image, uid and display name name the results.
    public var target: ImageTarget
    /// Every selected target built from this Containerfile, the representative first.
    public var targets: [ImageTarget]
    /// The Containerfile relative to the project (or workspace) root, as reports show it.
    public var containerfile: String
    /// The Containerfile's absolute path, as hadolint is given it.
    public var containerfileURL: URL
    /// The options hadolint runs with (command line over bakery.yaml, then the defaults).
    public var options: HadolintOptions

    public var display: String { target.display }
    public var isShared: Bool { targets.count > 1 }

    /// The jobs for `targets` (in their order), one per distinct Containerfile, with the options
    /// of the command line (`cli`, nil fields not given) merged over each target's tool option.
    public static func jobs(for targets: [ImageTarget], root: URL, cli: HadolintOptions) -> [HadolintJob] {
        var jobs: [HadolintJob] = []
        var index: [String: Int] = [:]
        for target in targets {
            let relative = target.context == "." || target.context.isEmpty ? target.containerfile : "\(target.context)/\(target.containerfile)"
            let url = root.appendingPathComponent(relative).standardizedFileURL
            if let i = index[url.path] {
                jobs[i].targets.append(target)
                continue
            }
            index[url.path] = jobs.count
            let config: HadolintOptions?
            if case .hadolint(let o)? = ToolOptions.effective(tool: .hadolint, image: target.image.options, variant: target.variant?.options) {
                config = o
            } else {
                config = nil
            }
            jobs.append(HadolintJob(target: target, targets: [target], containerfile: relative, containerfileURL: url,
                                    options: HadolintOptions.effective(cli: cli, config: config)))
        }
        return jobs
    }
}
