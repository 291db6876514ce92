// A tool's results folder, `<root>/results/<tool>/`: emptied at the start of a run, written without following links.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `<project root>/results/<tool>/` for one run of a tool command, as posit-bakery keeps it: deleted and
/// created empty by `prepare`, then written with one file per target
/// (`results/<tool>/<image name>/<uid>.<ext>`) and, for combined reports, files at its top
/// (`results/hadolint/hadolint.sarif`).
///
///     let results = try ResultsDirectory.prepare(tool: "hadolint", projectRoot: root)
///     let url = try results.write(json, image: "connect", uid: "connect-2026-03-1-ubuntu-24-04", ext: "json")
///
/// Every path is walked from the project root one folder at a time without following a link:
/// `results` or `results/<tool>` that is a symbolic link (or not a folder) is refused, never
/// deleted or written through; links found inside the old `results/<tool>` are removed as links,
/// and nothing on another file system is entered. Errors name the path relative to the project
/// root and say what to do.
public final class ResultsDirectory: @unchecked Sendable {
    /// The tool's name, which is also its folder's name under `results/`.
    public let tool: String
    /// The project root.
    public let projectRoot: URL
    private let project: ProjectDirectory

    private init(tool: String, project: ProjectDirectory) {
        self.tool = tool
        self.project = project
        self.projectRoot = project.root
    }

    /// `<root>/results/<tool>`.
    public var url: URL { projectRoot.appendingPathComponent("results").appendingPathComponent(tool) }

    /// `results/<tool>`, as messages show it.
    public var shown: String { "results/\(tool)" }

    /// Deletes `<projectRoot>/results/<tool>/` with everything in it and creates it again, empty
    /// (`results/` is created when missing). Throws `.unsafePath` when `results` or
    /// `results/<tool>` is a link or not a folder, `.fileSystem` when the old folder cannot be
    /// removed (a mount point inside it, permissions) or the new one created.
    public static func prepare(tool: String, projectRoot: URL) throws(BakeryError) -> ResultsDirectory {
        guard FolderPath.name(tool).folder != nil else {
            throw BakeryError(.invalidArgument, "'\(tool)' cannot be a results folder name")
        }
        let project = try ProjectDirectory(root: projectRoot)
        let results = ResultsDirectory(tool: tool, project: project)
        let action = "prepare the results folder"
        guard let parent = try project.openFolder(["results"], action: action, path: results.shown, create: { _ throws(BakeryError) in })
        else { throw FileSystemError.make(action, results.shown, errno: ENOENT) }
        defer { close(parent) }
        switch ProjectDirectory.kind(at: parent, tool) {
        case .missing:
            break
        case .directory:
            if let code = ProjectDirectory.removeTree(at: parent, tool) {
                throw FileSystemError.make("remove the previous results in", results.shown + "/", errno: code)
            }
        case .symlink(let target):
            throw BakeryError(.unsafePath, "cannot \(action) '\(results.shown)': it is a symbolic link to '\(target)'",
                              hint: "bakery empties this folder at every run and never deletes through a link; remove the link, then run the command again")
        case let kind:
            throw BakeryError(.unsafePath, "cannot \(action) '\(results.shown)': it is \(kind.words), not a folder",
                              hint: "bakery empties this folder at every run; move it away, then run the command again")
        }
        if mkdirat(parent, tool, 0o755) != 0 {
            throw FileSystemError.make("create the results folder", results.shown, errno: errno)
        }
        return results
    }

    /// `<root>/results/<tool>/<image>/<uid>.<ext>` (not created).
    public func fileURL(image: String, uid: String, ext: String) -> URL {
        url.appendingPathComponent(image).appendingPathComponent("\(uid).\(ext)")
    }

    /// Writes `data` to `results/<tool>/<image>/<uid>.<ext>` (the image's folder is created when
    /// missing) and returns the file's URL.
    @discardableResult
    public func write(_ data: Data, image: String, uid: String, ext: String) throws(BakeryError) -> URL {
        try write(data, folder: [image], name: "\(uid).\(ext)")
        return fileURL(image: image, uid: uid, ext: ext)
    }

    /// Writes `data` to `results/<tool>/<name>` (a combined report such as `hadolint.sarif`) and
    /// returns the file's URL.
    @discardableResult
    public func write(_ data: Data, named name: String) throws(BakeryError) -> URL {
        try write(data, folder: [], name: name)
        return url.appendingPathComponent(name)
    }

    private func write(_ data: Data, folder: [String], name: String) throws(BakeryError) {
        let shown = ([self.shown] + folder + [name]).joined(separator: "/")
        for part in folder + [name] where FolderPath.name(part).folder == nil {
            throw BakeryError(.invalidArgument, "cannot write '\(shown)': '\(part)' is not a single file or folder name")
        }
        let action = "write"
        guard let dir = try project.openFolder(["results", tool] + folder, action: action, path: shown,
                                               create: { _ throws(BakeryError) in })
        else { throw FileSystemError.make(action, shown, errno: ENOENT) }
        defer { close(dir) }
        // Never through a link, never into a FIFO or device someone placed at that name.
        let fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = errno
            let kind = ProjectDirectory.kind(at: dir, name)
            if kind != .regular && kind != .missing {
                throw BakeryError(.unsafePath, "cannot write '\(shown)': it is \(kind.words)",
                                  hint: "bakery writes only regular files in its results folder; remove it, then run the command again")
            }
            throw FileSystemError.make(action, shown, errno: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileSystemError.make(action, shown, errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw BakeryError(.unsafePath, "cannot write '\(shown)': it is \(FileKind(mode: info.st_mode, target: "").words)",
                              hint: "bakery writes only regular files in its results folder; remove it, then run the command again")
        }
        let bytes = [UInt8](data)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystemError.make(action, shown, errno: errno)
            }
            written += n
        }
    }
}

/// The C `write`, out of reach of the methods named `write` above.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
