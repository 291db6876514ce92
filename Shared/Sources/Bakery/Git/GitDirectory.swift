// A repository's `.git` folder, read as files: HEAD without starting git.
import Foundation

/// Reads what it can from `.git` itself. Planning a build asks for the HEAD commit of every
/// project; reading two small files is much cheaper than starting git, and works without git.
enum GitDirectory {
    /// The `.git` folder of the repository holding `directory` (a worktree's or submodule's
    /// `gitdir:` file followed), or nil outside a repository.
    static func locate(from directory: URL) -> URL? {
        var dir = directory.standardizedFileURL
        let fm = FileManager.default
        while true {
            let dotGit = dir.appendingPathComponent(".git")
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: dotGit.path, isDirectory: &isDir) {
                if isDir.boolValue { return dotGit }
                // A worktree or submodule: ".git" is a file "gitdir: <path>".
                if let text = text(dotGit), text.hasPrefix("gitdir:") {
                    let path = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
                    return path.hasPrefix("/") ? URL(fileURLWithPath: path) : dir.appendingPathComponent(path).standardizedFileURL
                }
                return nil
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    /// A git file's text; only regular files are read (a FIFO in a hostile checkout must not block a plan).
    static func text(_ url: URL) -> String? {
        (try? RegularFile.read(url.path)).flatMap { String(data: $0, encoding: .utf8) }
    }

    /// The HEAD commit from `.git`'s files (HEAD, then a loose or packed ref), or nil when they do not say.
    static func head(of git: URL) -> String? {
        guard let headText = text(git.appendingPathComponent("HEAD")) else { return nil }
        let head = headText.trimmingCharacters(in: .whitespacesAndNewlines)
        if isCommitID(head) { return head }
        guard head.hasPrefix("ref:") else { return nil }
        let ref = String(head.dropFirst(4)).trimmingCharacters(in: .whitespaces)
        // Worktrees keep refs in the common directory.
        var roots = [git]
        if let common = text(git.appendingPathComponent("commondir")) {
            let c = common.trimmingCharacters(in: .whitespacesAndNewlines)
            roots.append(c.hasPrefix("/") ? URL(fileURLWithPath: c) : git.appendingPathComponent(c).standardizedFileURL)
        }
        for root in roots {
            if let loose = text(root.appendingPathComponent(ref)) {
                let sha = loose.trimmingCharacters(in: .whitespacesAndNewlines)
                if isCommitID(sha) { return sha }
            }
            if let packed = text(root.appendingPathComponent("packed-refs")) {
                for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
                    let sha = String(line.prefix(while: { $0 != " " }))
                    if isCommitID(sha) { return sha }
                }
            }
        }
        return nil
    }

    /// A full commit id: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.
    static func isCommitID(_ s: String) -> Bool {
        (s.count == 40 || s.count == 64) && s.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}
