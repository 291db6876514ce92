// All-or-nothing changes to a project: files written, folders removed or moved, bakery.yaml replaced.
import Foundation

/// A set of changes computed up front and applied together. New contents go to temporary files in
/// the destination folder first and are renamed into place; replaced and removed things are kept
/// aside until everything succeeded, so a failure at any step restores the project as it was.
/// An advisory lock on bakery.yaml keeps two bakery processes from interleaving their changes.
public struct ProjectTransaction {
    public let root: URL
    public private(set) var writes: [(path: String, contents: Data, permissions: Int?)] = []
    public private(set) var removals: [String] = []
    public private(set) var moves: [(from: String, to: String)] = []

    public init(root: URL) { self.root = root }

    /// Writes `contents` to `path` (relative to the root), creating folders as needed.
    public mutating func write(_ path: String, _ contents: Data, permissions: Int? = nil) {
        writes.removeAll { $0.path == path }
        writes.append((path, contents, permissions))
    }

    public mutating func write(_ files: [RenderedFile]) {
        for f in files { write(f.path, f.contents, permissions: f.permissions) }
    }

    /// Removes a file or folder (recursively).
    public mutating func remove(_ path: String) { removals.append(path) }

    /// Moves a folder (a version whose subpath changed).
    public mutating func move(_ from: String, to: String) { moves.append((from, to)) }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Applies everything, or nothing. Takes the project lock unless the caller holds it
    /// (commands that read bakery.yaml take it before reading, so concurrent runs serialise).
    public func commit(holdingLock: Bool = false) throws {
        let fm = FileManager.default
        let lock = holdingLock ? nil : try ProjectLock(root: root)
        defer { lock?.release() }
        var undo: [() -> Void] = []
        var cleanup: [URL] = []
        func fail(_ message: String) -> Failure {
            for step in undo.reversed() { step() }
            return Failure(description: message)
        }
        let token = UUID().uuidString.prefix(8)
        do {
            // Moves first (a moved folder may then receive new files), then removals, then writes.
            for (from, to) in moves {
                let a = root.appendingPathComponent(from), b = root.appendingPathComponent(to)
                guard fm.fileExists(atPath: a.path) else { continue }
                if fm.fileExists(atPath: b.path) { throw fail("cannot move \(from) to \(to): \(to) already exists") }
                try fm.createDirectory(at: b.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fm.moveItem(at: a, to: b)
                undo.append { try? fm.moveItem(at: b, to: a) }
            }
            for path in removals {
                let url = root.appendingPathComponent(path)
                guard fm.fileExists(atPath: url.path) else { continue }
                let aside = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).bakery-removed-\(token)")
                try fm.moveItem(at: url, to: aside)
                undo.append { try? fm.moveItem(at: aside, to: url) }
                cleanup.append(aside)
            }
            // Stage every new file next to its destination.
            var staged: [(temp: URL, final: URL)] = []
            for w in writes {
                let final = root.appendingPathComponent(w.path)
                let dir = final.deletingLastPathComponent()
                if !fm.fileExists(atPath: dir.path) {
                    // Remember the topmost folder we create, to remove it on failure.
                    var top = dir
                    while !fm.fileExists(atPath: top.deletingLastPathComponent().path) { top = top.deletingLastPathComponent() }
                    try fm.createDirectory(at: dir, withIntermediateDirectories: true)
                    undo.append { try? fm.removeItem(at: top) }
                }
                let temp = dir.appendingPathComponent(".\(final.lastPathComponent).bakery-new-\(token)")
                guard fm.createFile(atPath: temp.path, contents: w.contents,
                                    attributes: w.permissions.map { [.posixPermissions: $0] }) else {
                    for s in staged { try? fm.removeItem(at: s.temp) }
                    throw fail("cannot write \(w.path): \(fm.isWritableFile(atPath: dir.path) ? "the file could not be created" : "the folder is not writable")")
                }
                staged.append((temp, final))
            }
            // Swap them in; replaced files are kept aside until the end.
            for (i, s) in staged.enumerated() {
                if fm.fileExists(atPath: s.final.path) {
                    let aside = s.final.deletingLastPathComponent().appendingPathComponent(".\(s.final.lastPathComponent).bakery-old-\(token)")
                    try fm.moveItem(at: s.final, to: aside)
                    undo.append { try? fm.removeItem(at: s.final); try? fm.moveItem(at: aside, to: s.final) }
                    cleanup.append(aside)
                } else {
                    undo.append { try? fm.removeItem(at: s.final) }
                }
                do {
                    try fm.moveItem(at: s.temp, to: s.final)
                } catch {
                    for rest in staged[i...] { try? fm.removeItem(at: rest.temp) }
                    throw fail("cannot write \(s.final.path): \(error.localizedDescription)")
                }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw fail("\(error.localizedDescription)")
        }
        for url in cleanup { try? fm.removeItem(at: url) }
    }
}

/// An advisory lock (flock) on the project's bakery.yaml, held while a command changes the project.
public final class ProjectLock {
    private var descriptor: Int32 = -1

    public init(root: URL) throws {
        for name in ConfigLoader.fileNames {
            let path = root.appendingPathComponent(name).path
            let fd = open(path, O_RDONLY)
            if fd >= 0 {
                descriptor = fd
                break
            }
        }
        guard descriptor >= 0 else { return }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            // Another bakery is changing this project: wait for it (bounded).
            var waited = 0
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                if waited >= 300 {
                    close(descriptor)
                    descriptor = -1
                    throw ProjectTransaction.Failure(description: "another bakery process is changing this project (bakery.yaml is locked); try again when it has finished")
                }
                usleep(100_000)
                waited += 1
            }
        }
    }

    public func release() {
        if descriptor >= 0 {
            flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }
}
