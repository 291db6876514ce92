// All-or-nothing changes to a project: files written, folders removed or moved, bakery.yaml replaced last.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A set of changes computed up front and applied together, confined to the folders the command owns.
///
/// `commit` first checks everything (each path normalised and inside an owned folder, no symbolic link
/// on the way, no link in a destination folder leading elsewhere, no folder or special file where a
/// file goes, one file system), then stages every new file in `.bakery-staging/`, then applies the
/// steps — each one logged in the staging journal before it is taken — and removes the staging
/// folder. A failure rolls the logged steps back; a killed run is rolled back by the next one
/// (`ProjectStaging.recover`). bakery.yaml is always replaced last.
public struct ProjectTransaction {
    public let root: URL
    /// Folders (relative to the root) this change may write, move or delete in; bakery.yaml itself is always allowed.
    public private(set) var owned: [String] = []
    public private(set) var writes: [(path: String, contents: Data, permissions: Int?)] = []
    private var writeIndex: [String: Int] = [:]
    public private(set) var removals: [String] = []
    public private(set) var moves: [(from: String, to: String)] = []

    public init(root: URL) { self.root = root }

    /// Declares a folder the command owns: every other path is refused.
    public mutating func own(_ folder: String) {
        if !owned.contains(folder) { owned.append(folder) }
    }

    /// Writes `contents` to `path` (relative to the root), creating folders as needed.
    public mutating func write(_ path: String, _ contents: Data, permissions: Int? = nil) {
        if let i = writeIndex[path] {
            writes[i] = (path, contents, permissions)
        } else {
            writeIndex[path] = writes.count
            writes.append((path, contents, permissions))
        }
    }

    public mutating func write(_ files: [RenderedFile]) {
        for f in files { write(f.path, f.contents, permissions: f.permissions) }
    }

    /// Removes a file or folder (recursively; a link is removed as a link).
    public mutating func remove(_ path: String) { removals.append(path) }

    /// Moves a folder (a version whose subpath changed).
    public mutating func move(_ from: String, to: String) { moves.append((from, to)) }

    /// Applies everything, or nothing. Takes the project lock unless the caller holds it
    /// (commands that read bakery.yaml take it before reading, so concurrent runs serialise).
    public func commit(holdingLock: Bool = false, log: TargetLog? = nil) throws(BakeryError) {
        let lock = holdingLock ? nil : try ProjectLock(root: root, log: log)
        defer { lock?.release() }
        let directory = try ProjectDirectory(root: root)
        let plan = try check(directory)
        if plan.moves.isEmpty && plan.removals.isEmpty && plan.writes.isEmpty { return }
        // Ctrl-C, a CI cancel (SIGTERM) or a closed terminal during the change: the step in progress
        // finishes, the change is rolled back (or, past its commit point, finished), then bakery exits.
        Interruption.begin()
        defer { Interruption.end() }
        let staging = try ProjectStaging.create(in: directory)
        do {
            for (i, w) in plan.writes.enumerated() {
                try Interruption.check()
                try staging.stage(i, w.contents, mode: w.mode)
            }
            try apply(plan, directory: directory, staging: staging)
        } catch {
            staging.rollBack()
            staging.discard()
            throw error
        }
        if !staging.discard() {
            log?.warning("The change is complete, but its staging folder \(ProjectStaging.folderName) could not be removed entirely; the next bakery run that changes this project removes it")
        }
        if let signal = Interruption.received {
            log?.warning("Interrupted (signal \(signal)) as the change completed; it was finished")
        }
    }

    struct Plan {
        var moves: [(from: FolderPath, to: FolderPath)] = []
        var removals: [FolderPath] = []
        var writes: [(path: FolderPath, contents: Data, mode: mode_t)] = []
    }

    /// Everything that can be known before the first change: refused paths fail here, with nothing touched.
    private func check(_ directory: ProjectDirectory) throws(BakeryError) -> Plan {
        let ownedFolders = try owned.map { spelling throws(BakeryError) in try parse(spelling, what: "folder") }
        func confined(_ spelling: String, action: String) throws(BakeryError) -> FolderPath {
            let path = try parse(spelling, what: "path")
            let isConfig = path.components.count == 1 && ConfigLoader.fileNames.contains(path.components[0])
            guard isConfig || ownedFolders.contains(where: { $0.contains(path) }) else {
                throw BakeryError(.unsafePath, "refusing to \(action) '\(path)': it lies outside the folders this command owns ("
                                  + (owned.isEmpty ? "none" : owned.joined(separator: ", ")) + ")",
                                  hint: "this is a bug in bakery; please report it with the command you ran")
            }
            return path
        }
        var plan = Plan()
        for (from, to) in moves {
            let a = try confined(from, action: "move"), b = try confined(to, action: "move")
            switch try directory.kind(a, action: "move") {
            case .missing: continue
            case .directory: break
            case let kind:
                throw BakeryError(.unsafePath, "cannot move '\(a)' to '\(b)': '\(a)' is \(kind.words), not a folder",
                                  hint: "replace it with a real folder, or remove it and run the command again")
            }
            if try directory.kind(b, action: "move") != .missing {
                throw BakeryError(.unsafePath, "cannot move '\(a)' to '\(b)': '\(b)' already exists", hint: "move or remove '\(b)' first")
            }
            plan.moves.append((a, b))
        }
        for spelling in removals {
            let path = try confined(spelling, action: "remove")
            let kind = try directory.kind(path, action: "remove")
            if kind == .missing { continue }
            if kind == .directory, let mount = try directory.inspect(path).mountPoints.first {
                // Removing the folder would empty another file system mounted inside it.
                throw BakeryError(.unsafePath, "refusing to remove '\(path)': '\(mount)' is a mount point (another file system)",
                                  hint: "unmount it, then run the command again")
            }
            plan.removals.append(path)
        }
        let configLast = writes.sorted { a, b in !ConfigLoader.fileNames.contains(a.path) && ConfigLoader.fileNames.contains(b.path) }
        for w in configLast {
            let path = try confined(w.path, action: "write")
            // A file written into a folder this change moves is checked where it is now.
            var now = path
            if let (a, b) = plan.moves.first(where: { $0.to.contains(path) }) {
                now = FolderPath(components: a.components + path.components.dropFirst(b.components.count))
            }
            switch try directory.kind(now, action: "write") {
            case .missing, .regular: break
            case .directory:
                throw BakeryError(.unsafePath, "cannot write '\(path)': a directory is in the way",
                                  hint: "bakery never deletes a folder to write a file; move the directory away, then run the command again")
            case let kind:
                throw BakeryError(.unsafePath, "cannot write '\(path)': it is \(kind.words), not a regular file",
                                  hint: "bakery replaces only regular files; remove it, then run the command again")
            }
            plan.writes.append((path, w.contents, mode_t(w.permissions ?? 0o644)))
        }
        // A destination folder that holds a link leading elsewhere is refused, so nothing is written or read through it.
        let targets = plan.writes.map(\.path) + plan.moves.flatMap { [$0.from, $0.to] }
        for folder in ownedFolders where targets.contains(where: { folder.contains($0) }) {
            let leaving = try directory.inspect(folder).linksLeaving
            if let first = leaving.first {
                throw BakeryError(.unsafePath, "refusing to write into '\(folder)': '\(first.link)' is a symbolic link to '\(first.target)', outside that folder"
                                  + (leaving.count > 1 ? " (and \(leaving.count - 1) more link\(leaving.count == 2 ? "" : "s"))" : ""),
                                  hint: "bakery writes version folders only when nothing in them leads elsewhere; remove the link")
            }
        }
        let device = directory.device(near: FolderPath(components: [ProjectStaging.folderName]))
        for path in targets where directory.device(near: path) != device {
            throw FileSystemError.make("write", path.description, errno: EXDEV)
        }
        return plan
    }

    private func parse(_ spelling: String, what: String) throws(BakeryError) -> FolderPath {
        switch FolderPath.parse(spelling) {
        case .success(let path): return path
        case .failure(let problem):
            throw BakeryError(.unsafePath, "refusing to use the \(what) '\(FolderRules.printable(spelling))': it \(problem.message)", hint: problem.hint)
        }
    }

    private func apply(_ plan: Plan, directory: ProjectDirectory, staging: ProjectStaging) throws(BakeryError) {
        for (from, to) in plan.moves { try staging.move(from, to: to) }
        for (i, path) in plan.removals.enumerated() { try staging.moveAside(path, index: i) }
        for (i, w) in plan.writes.enumerated() { try staging.install(w.path, index: i) }
        try staging.log(["op": "commit"])
    }
}
