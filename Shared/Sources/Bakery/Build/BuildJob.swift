// One target of the plan, resolved to absolute paths and the platforms it builds for.
import Foundation

/// What building one target needs: its plan entry, where its files are, and what it is called in messages.
public struct BuildJob: Sendable {
    /// The target's UID (`example-image-1-0-0-standard-ubuntu-24-04`): the prefix of its output lines and its key in metadata.
    public var uid: String
    /// `ImageTarget(image='…', version='…', …)`: how messages name it.
    public var display: String
    /// The image name (for the temporary registry reference and the summary).
    public var imageName: String
    /// The plan entry: labels, tags, build args, stage, cache, secrets.
    public var target: BakePlan.Target
    /// The platforms built: `--image-platform` when given, else the target's.
    public var platforms: [String]
    /// The Containerfile, absolute.
    public var containerfile: URL
    /// The build context, absolute: the target's project folder.
    public var context: URL

    public init(uid: String, display: String, imageName: String, target: BakePlan.Target, platforms: [String],
                containerfile: URL, context: URL) {
        self.uid = uid
        self.display = display
        self.imageName = imageName
        self.target = target
        self.platforms = platforms
        self.containerfile = containerfile
        self.context = context
    }

    /// The jobs of `plan`, in plan order. `root` is where the plan's contexts are relative to (the workspace root).
    public static func jobs(for targets: [ImageTarget], plan: BakePlan, root: URL, options: BuildOptions) -> [BuildJob] {
        let base = root.standardizedFileURL
        return targets.compactMap { t -> BuildJob? in
            guard let entry = plan.targets[t.uid] else { return nil }
            let context = entry.context == "." ? base : base.appendingPathComponent(entry.context).standardizedFileURL
            return BuildJob(uid: t.uid, display: t.display, imageName: t.image.name, target: entry,
                            platforms: options.platforms(of: entry),
                            containerfile: context.appendingPathComponent(entry.dockerfile).standardizedFileURL,
                            context: context)
        }
    }

    /// The UID as a file name in the run folder: one path component. A UID keeps a `/` that a
    /// combining mark follows (`1/\u{301}x`: one Character, not "/"), which would put the file in a
    /// subfolder that does not exist; every `/` (and NUL) byte becomes `-` here.
    var fileStem: String {
        String(decoding: uid.utf8.map { $0 == UInt8(ascii: "/") || $0 == 0 ? UInt8(ascii: "-") : $0 }, as: UTF8.self)
    }

    /// The reference a finished build is found under locally: its first tag.
    var primaryReference: String { target.tags.first ?? "localhost/\(imageName):\(uid)" }
}
