// The staging folder of a change in progress: new files, what they replace, and a journal of every step,
// so that a failed or killed run can always be rolled back to the project as it was.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `.bakery-staging/` at the project root while a change is applied:
///
///     journal   one JSON object per line, written before the step it describes:
///               begin · mkdir PATH · move FROM TO · remove PATH ASIDE · save PATH ASIDE · write PATH STAGED SAVED · commit
///     new/N     the staged contents of the N-th written file
///     old/…     removed folders and the previous contents of replaced files
///
/// Undoing a step checks what is on disk, so undoing a step that was logged but not taken changes
/// nothing. A journal that reached `commit` is finished; any other is rolled back.
final class ProjectStaging {
    static let folderName = ".bakery-staging"

    let directory: ProjectDirectory
    let fd: Int32
    /// `new/` and `old/`, opened without following links (-1 when missing in a leftover).
    let newFD: Int32
    let oldFD: Int32
    private var journal: Int32

    private init(directory: ProjectDirectory, fd: Int32, journal: Int32) {
        self.directory = directory
        self.fd = fd
        self.journal = journal
        newFD = openat(fd, "new", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        oldFD = openat(fd, "old", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    }

    deinit {
        if journal >= 0 { close(journal) }
        if newFD >= 0 { close(newFD) }
        if oldFD >= 0 { close(oldFD) }
        close(fd)
    }

    /// A staged name as the journal records it (`new/3`), to the folder and single name it denotes.
    /// Anything else — `..`, an absolute path, another folder — is not bakery's and is refused.
    func stagedName(_ spelling: String?) -> (Int32, String)? {
        guard let spelling, spelling.hasPrefix("new/") else { return nil }
        let name = String(spelling.dropFirst(4))
        guard !name.isEmpty, name.allSatisfy(\.isASCII), name.allSatisfy(\.isNumber), newFD >= 0 else { return nil }
        return (newFD, name)
    }

    /// `old/r3` (a removed path) or `old/w3` (a replaced file), likewise.
    func asideName(_ spelling: String?) -> (Int32, String)? {
        guard let spelling, spelling.hasPrefix("old/r") || spelling.hasPrefix("old/w") else { return nil }
        let digits = spelling.dropFirst(5)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), oldFD >= 0 else { return nil }
        return (oldFD, String(spelling.dropFirst(4)))
    }

    static func create(in directory: ProjectDirectory) throws(BakeryError) -> ProjectStaging {
        let kind = ProjectDirectory.kind(at: directory.fd, folderName)
        guard kind == .missing else {
            throw BakeryError(.unsafePath, "cannot stage the change: '\(folderName)' already exists and is \(kind.words)",
                              hint: "bakery keeps its staging folder there; move it away, then run the command again")
        }
        guard mkdirat(directory.fd, folderName, 0o700) == 0 else { throw FileSystemError.make("create", folderName, errno: errno) }
        let fd = openat(directory.fd, folderName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError.make("open", folderName, errno: errno) }
        crashPoint()
        guard mkdirat(fd, "new", 0o700) == 0, mkdirat(fd, "old", 0o700) == 0 else {
            let code = errno
            close(fd)
            _ = ProjectDirectory.removeTree(at: directory.fd, folderName)
            throw FileSystemError.make("create", folderName + "/new", errno: code)
        }
        let journal = openat(fd, "journal", O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard journal >= 0 else {
            let code = errno
            close(fd)
            _ = ProjectDirectory.removeTree(at: directory.fd, folderName)
            throw FileSystemError.make("create", folderName + "/journal", errno: code)
        }
        let staging = ProjectStaging(directory: directory, fd: fd, journal: journal)
        do {
            try staging.log(["op": "begin", "folder": staging.identity])
        } catch {
            // A signal while the folder was being made (or a failed first write): nothing was changed yet, so the
            // folder goes too rather than waiting for the next run's recovery.
            _ = staging.discard()
            throw error
        }
        return staging
    }

    /// The staging folder's device and inode, recorded when bakery creates it. A folder that came
    /// from a repository, an archive or a copy has another inode, so its journal is never replayed.
    var identity: String {
        var st = stat()
        fstat(fd, &st)
        return "\(st.st_dev):\(st.st_ino)"
    }

    // MARK: steps

    /// Appends one step to the journal (a single write, so a kill leaves whole lines).
    func log(_ step: [String: String]) throws(BakeryError) {
        // Up to the commit record, a signal rolls the change back; after it, the change finishes.
        if step["op"] != "commit" { try Interruption.check() }
        guard var line = try? JSONSerialization.data(withJSONObject: step, options: [.sortedKeys]) else {
            throw BakeryError(.fileSystem, "cannot record a step of the change", hint: "this is a bug in bakery; please report it")
        }
        line.append(0x0A)
        let written = line.withUnsafeBytes { write(journal, $0.baseAddress, $0.count) }
        guard written == line.count else { throw FileSystemError.make("write", Self.folderName + "/journal", errno: errno) }
        Self.crashPoint()
    }

    /// Writes the contents of a new file into `new/N`, with exactly `mode`.
    func stage(_ index: Int, _ contents: Data, mode: mode_t) throws(BakeryError) {
        try create(in: newFD, "\(index)", shown: "new/\(index)", contents, mode: mode, action: "stage")
        Self.crashPoint()
    }

    /// Creates `name` in the folder `folder` (never through a link, never over anything) with all of `contents`.
    private func create(in folder: Int32, _ name: String, shown: String, _ contents: Data, mode: mode_t, action: String) throws(BakeryError) {
        let out = openat(folder, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard out >= 0 else { throw FileSystemError.make(action, Self.folderName + "/" + shown, errno: errno) }
        defer { close(out) }
        var offset = 0
        let failure: Int32? = contents.withUnsafeBytes { raw -> Int32? in
            guard let base = raw.baseAddress else { return nil }
            while offset < raw.count {
                let n = write(out, base + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return errno }
                offset += n
            }
            return nil
        }
        if let failure { throw FileSystemError.make(action, Self.folderName + "/" + shown, errno: failure) }
        guard fchmod(out, mode & 0o7777) == 0 else { throw FileSystemError.make(action, Self.folderName + "/" + shown, errno: errno) }
    }

    /// The parent folder of `path`, created (each new folder logged first) when `create`.
    private func parent(of path: FolderPath, action: String, create: Bool) throws(BakeryError) -> Int32? {
        try directory.openFolder(Array(path.components.dropLast()), action: action, path: path.description,
                                 create: create ? { folder throws(BakeryError) in try self.log(["op": "mkdir", "path": folder.description]) } : nil)
    }

    /// Moves a folder; the destination's missing parents are created (and logged) before the move is
    /// logged, so an undo in reverse order moves it back first and then removes the emptied parents.
    func move(_ from: FolderPath, to: FolderPath) throws(BakeryError) {
        guard let a = try parent(of: from, action: "move", create: false) else { throw FileSystemError.make("move", from.description, errno: ENOENT) }
        defer { close(a) }
        guard let b = try parent(of: to, action: "move", create: true) else { throw FileSystemError.make("move", to.description, errno: ENOENT) }
        defer { close(b) }
        try log(["op": "move", "from": from.description, "to": to.description])
        guard let fromName = from.components.last, let toName = to.components.last else {
            throw BakeryError(.unsafePath, "cannot move the project folder itself ('\(from)' to '\(to)')")
        }
        guard renameat(a, fromName, b, toName) == 0 else { throw FileSystemError.make("move", from.description, errno: errno) }
        Self.crashPoint()
    }

    func moveAside(_ path: FolderPath, index: Int) throws(BakeryError) {
        guard let a = try parent(of: path, action: "remove", create: false) else { return }
        defer { close(a) }
        try log(["op": "remove", "path": path.description, "aside": "old/r\(index)"])
        guard let name = path.components.last else { throw BakeryError(.unsafePath, "cannot remove the project folder itself") }
        guard renameat(a, name, oldFD, "r\(index)") == 0 else { throw FileSystemError.make("remove", path.description, errno: errno) }
        Self.crashPoint()
    }

    /// Renames the staged `new/N` over `path` (an atomic replace); the previous file is kept as `old/wN` until the end.
    func install(_ path: FolderPath, index: Int) throws(BakeryError) {
        guard let dir = try parent(of: path, action: "write", create: true) else { throw FileSystemError.make("write", path.description, errno: ENOENT) }
        defer { close(dir) }
        guard let name = path.components.last else { throw BakeryError(.unsafePath, "cannot write over the project folder itself") }
        let saved: Bool
        switch ProjectDirectory.kind(at: dir, name) {
        case .missing: saved = false
        case .regular:
            try log(["op": "save", "path": path.description, "aside": "old/w\(index)"])
            if linkat(dir, name, oldFD, "w\(index)", 0) != 0 {
                // No hard links here: keep a copy instead.
                let copy = try RegularFile.read(at: dir, name, shown: path.description)
                try create(in: oldFD, "w\(index)", shown: "old/w\(index)", copy.data, mode: mode_t(copy.mode), action: "save")
            }
            Self.crashPoint()
            saved = true
        case let kind:
            throw BakeryError(.unsafePath, "cannot write '\(path)': it is \(kind.words), not a regular file",
                              hint: "bakery replaces only regular files; remove it, then run the command again")
        }
        try log(["op": "write", "path": path.description, "staged": "new/\(index)", "aside": "old/w\(index)", "saved": saved ? "yes" : "no"])
        guard renameat(newFD, "\(index)", dir, name) == 0 else { throw FileSystemError.make("write", path.description, errno: errno) }
        Self.crashPoint()
    }

    // MARK: undo, finish

    /// The logged steps, in order; a torn last line (a kill during the append) is ignored. A journal
    /// that is not a regular file (a FIFO would block) is not bakery's: nil.
    func steps() -> [[String: String]]? {
        let j = openat(fd, "journal", O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
        guard j >= 0 else { return errno == ENOENT ? [] : nil }
        defer { close(j) }
        var st = stat()
        guard fstat(j, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size < 64 << 20 else { return nil }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(j, &buffer, buffer.count)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return data.split(separator: 0x0A).compactMap { (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: String] }
    }

    var isCommitted: Bool { steps()?.contains { $0["op"] == "commit" } ?? false }

    /// Undoes every logged step, newest first. Returns how many steps changed something back. Only
    /// names bakery writes are honoured (a project path outside the staging folder; `new/N`, `old/rN`,
    /// `old/wN` inside it), so a journal shipped in a repository cannot reach anything else.
    @discardableResult
    func rollBack() -> Int {
        var undone = 0
        for step in (steps() ?? []).reversed() {
            guard let op = step["op"] else { continue }
            switch op {
            case "mkdir":
                if let p = path(step["path"]), let (dir, name) = locate(p) {
                    if unlinkat(dir, name, AT_REMOVEDIR) == 0 { undone += 1 }
                    close(dir)
                }
            case "move":
                if let a = path(step["from"]), let b = path(step["to"]), let (bd, bn) = locate(b) {
                    defer { close(bd) }
                    if ProjectDirectory.kind(at: bd, bn) != .missing, let (ad, an) = locate(a) {
                        if ProjectDirectory.kind(at: ad, an) == .missing, renameat(bd, bn, ad, an) == 0 { undone += 1 }
                        close(ad)
                    }
                }
            case "remove":
                if let p = path(step["path"]), let (od, on) = asideName(step["aside"]), on.hasPrefix("r"),
                   ProjectDirectory.kind(at: od, on) != .missing, let (dir, name) = locate(p) {
                    if ProjectDirectory.kind(at: dir, name) == .missing, renameat(od, on, dir, name) == 0 { undone += 1 }
                    close(dir)
                }
            case "write":
                // Taken only if the staged file is gone from new/.
                guard let p = path(step["path"]), let (nd, nn) = stagedName(step["staged"]), let (od, on) = asideName(step["aside"]),
                      on.hasPrefix("w"), ProjectDirectory.kind(at: nd, nn) == .missing, let (dir, name) = locate(p) else { continue }
                if step["saved"] == "yes" {
                    if ProjectDirectory.kind(at: od, on) == .regular, renameat(od, on, dir, name) == 0 { undone += 1 }
                } else if ProjectDirectory.kind(at: dir, name) == .regular, unlinkat(dir, name, 0) == 0 {
                    undone += 1
                }
                close(dir)
            default: continue
            }
            Self.crashPoint()
        }
        return undone
    }

    /// A project path from the journal: normalised, and never inside the staging folder itself.
    private func path(_ spelling: String?) -> FolderPath? {
        guard let spelling, case .success(let p) = FolderPath.parse(spelling),
              let first = p.components.first, first.lowercased() != Self.folderName else { return nil }
        return p
    }

    /// The open parent folder of `path` and its last name (nil when the parent is gone or a link).
    private func locate(_ path: FolderPath) -> (Int32, String)? {
        guard let dir = try? directory.openFolder(Array(path.components.dropLast()), action: "restore", path: path.description) else { return nil }
        guard let name = path.components.last else {
            close(dir)
            return nil
        }
        return (dir, name)
    }

    /// Removes the staging folder (and with it what was kept aside), the journal last, so a leftover
    /// always says what it was. False when something could not be removed.
    @discardableResult
    func discard() -> Bool {
        if journal >= 0 { close(journal); journal = -1 }
        var ok = true
        guard let names = ProjectDirectory.names(in: fd) else { return false }
        for name in names where name != "journal" && ProjectDirectory.removeTree(at: fd, name) != nil { ok = false }
        guard ok else { return false }
        if unlinkat(fd, "journal", 0) != 0 && errno != ENOENT { return false }
        return unlinkat(directory.fd, Self.folderName, AT_REMOVEDIR) == 0
    }

    /// Finishes (committed) or rolls back (anything else) the change of an interrupted run. Called with the lock held.
    static func recover(root: URL, log: TargetLog?) throws(BakeryError) {
        let directory = try ProjectDirectory(root: root)
        switch ProjectDirectory.kind(at: directory.fd, folderName) {
        case .missing: return
        case .directory: break
        case let kind:
            throw BakeryError(.unsafePath, "'\(folderName)' in the project folder is \(kind.words), not bakery's staging folder",
                              hint: "bakery keeps the staging folder of a change in progress there; move it away, then run the command again")
        }
        let fd = openat(directory.fd, folderName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError.make("open", folderName, errno: errno) }
        let staging = ProjectStaging(directory: directory, fd: fd, journal: -1)
        guard let steps = staging.steps() else {
            throw BakeryError(.unsafePath, "'\(folderName)/journal' is not a regular file, so '\(folderName)' is not bakery's staging folder",
                              hint: "move the folder away, then run the command again")
        }
        let replayable = steps.contains { $0["op"] != "begin" }
        guard !replayable || (steps.first?["op"] == "begin" && steps.first?["folder"] == staging.identity) else {
            // Not made here by bakery (shipped in a repository, copied, unpacked): never replayed.
            throw BakeryError(.unsafePath, "'\(folderName)' was not created by bakery in this folder (its journal does not match it), so bakery will not replay it",
                              hint: "it may come from a repository or a copy of the project; look at it, remove it, then run the command again")
        }
        let message: String
        if steps.contains(where: { $0["op"] == "commit" }) {
            message = "An earlier bakery run was interrupted after its change was complete; removed its staging folder \(folderName)"
        } else if replayable {
            let undone = staging.rollBack()
            message = "An earlier bakery run was interrupted while changing this project; rolled its change back (\(undone) step\(undone == 1 ? "" : "s") undone) and removed \(folderName)"
        } else {
            message = "An earlier bakery run was interrupted before it changed anything; removed its staging folder \(folderName)"
        }
        guard staging.discard(), ProjectDirectory.kind(at: directory.fd, folderName) == .missing else {
            throw BakeryError(.fileSystem, "cannot remove the staging folder '\(folderName)' of an interrupted run (the project itself is as it was before, or as that run left it complete)",
                              hint: "check the permissions of its contents and any mount inside it, then remove it by hand")
        }
        log?.warning(message)
    }

    // MARK: fault injection for the kill tests

    /// `BAKERY_TEST_CRASH_AT=N` ends the process (as kill -9 would: no cleanup) at the N-th step
    /// boundary, so tests can stop a change between any two of its file system operations.
    static let crashAt: Int? = ProcessInfo.processInfo.environment["BAKERY_TEST_CRASH_AT"].flatMap { Int($0) }
    /// `BAKERY_TEST_SIGNAL_AT=N` sends the process SIGTERM at the N-th step boundary (as Ctrl-C or a CI cancel would),
    /// so tests can interrupt a change at any point and check it is rolled back or finished in the same process.
    static let signalAt: Int? = ProcessInfo.processInfo.environment["BAKERY_TEST_SIGNAL_AT"].flatMap { Int($0) }
    nonisolated(unsafe) private static var boundaries = 0

    static func crashPoint() {
        guard crashAt != nil || signalAt != nil else { return }
        boundaries += 1
        if boundaries == crashAt { _exit(137) }
        if boundaries == signalAt { raise(SIGTERM) }
    }
}
