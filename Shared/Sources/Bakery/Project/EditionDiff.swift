// `create version --diff-against`: what changed from one version folder to the next, as a
// Markdown/HTML block for pull request descriptions.
import Foundation

public enum EditionDiff {
    static let limit = 20_000

    /// The block comparing the files of `old` (on disk) with `new` (path → contents, relative to
    /// the version folder).
    public static func markdown(image: String, old: [String: Data], new: [String: Data]) -> String {
        var sections: [String] = []
        var summary: [String] = []
        for path in Set(old.keys).union(new.keys).sorted() {
            let a = old[path], b = new[path]
            if a == b { continue }
            let status = a == nil ? "added" : (b == nil ? "removed" : "modified")
            if isBinary(a) || isBinary(b) {
                sections.append("<details open><summary><code>\(path)</code></summary>\n\n_Binary file changed._\n\n</details>")
                summary.append("- `\(path)` (binary)")
                continue
            }
            let diff = unified(String(decoding: a ?? Data(), as: UTF8.self), String(decoding: b ?? Data(), as: UTF8.self), path: path)
            var longest = 0, run = 0
            for c in diff { if c == "`" { run += 1; longest = max(longest, run) } else { run = 0 } }
            let fence = String(repeating: "`", count: max(3, longest + 1))
            sections.append("<details open><summary><code>\(path)</code></summary>\n\n\(fence)diff\n\(diff)\(fence)\n\n</details>")
            summary.append("- `\(path)` (\(status))")
        }
        var body: String
        if sections.isEmpty {
            body = "_No differences from previous edition._"
        } else {
            body = sections.joined(separator: "\n\n")
            if body.count > limit {
                body = "Diff too large to display in full (\(summary.count) files changed):\n\n" + summary.joined(separator: "\n")
            }
        }
        return "<details open><summary><code>\(image)</code></summary>\n\n\(body)\n\n</details>"
    }

    static func isBinary(_ d: Data?) -> Bool {
        guard let d else { return false }
        return d.contains(0) || String(data: d, encoding: .utf8) == nil
    }

    /// A unified diff with three lines of context, formatted as Python's difflib does.
    static func unified(_ a: String, _ b: String, path: String) -> String {
        let x = lines(a), y = lines(b)
        // Longest common subsequence table (files are small).
        let n = x.count, m = y.count
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    lcs[i][j] = x[i] == y[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
                }
            }
        }
        enum Op { case same(Int, Int), delete(Int), insert(Int) }
        var ops: [Op] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && x[i] == y[j] { ops.append(.same(i, j)); i += 1; j += 1 }
            else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) { ops.append(.delete(i)); i += 1 }
            else { ops.append(.insert(j)); j += 1 }
        }
        // Group changes into hunks with 3 lines of context.
        let changed = ops.indices.filter { if case .same = ops[$0] { return false }; return true }
        guard !changed.isEmpty else { return "" }
        var hunks: [ClosedRange<Int>] = []
        var start = max(0, changed[0] - 3), end = min(ops.count - 1, changed[0] + 3)
        for k in changed.dropFirst() {
            if k - 3 <= end + 1 { end = min(ops.count - 1, k + 3) } else {
                hunks.append(start...end)
                start = max(0, k - 3)
                end = min(ops.count - 1, k + 3)
            }
        }
        hunks.append(start...end)
        var out = "--- a/\(path)\n+++ b/\(path)\n"
        for h in hunks {
            var aStart = -1, bStart = -1, aCount = 0, bCount = 0
            var body = ""
            for k in h {
                switch ops[k] {
                case .same(let p, let q):
                    if aStart < 0 { aStart = p }; if bStart < 0 { bStart = q }
                    aCount += 1; bCount += 1; body += " " + x[p] + "\n"
                case .delete(let p):
                    if aStart < 0 { aStart = p }
                    aCount += 1; body += "-" + x[p] + "\n"
                case .insert(let q):
                    if bStart < 0 { bStart = q }
                    bCount += 1; body += "+" + y[q] + "\n"
                }
            }
            func range(_ start: Int, _ count: Int, fallback: Int) -> String {
                let s = start < 0 ? fallback : start
                if count == 0 { return "\(s),0" }
                return count == 1 ? "\(s + 1)" : "\(s + 1),\(count)"
            }
            // For an empty side, difflib reports the line before the change.
            let aFallback = ops[h.lowerBound...].compactMap { op -> Int? in if case .same(let p, _) = op { return p } ; return nil }.first ?? 0
            let bFallback = ops[h.lowerBound...].compactMap { op -> Int? in if case .same(_, let q) = op { return q } ; return nil }.first ?? 0
            out += "@@ -\(range(aStart, aCount, fallback: aFallback)) +\(range(bStart, bCount, fallback: bFallback)) @@\n" + body
        }
        return out
    }

    static func lines(_ s: String) -> [String] {
        var l = s.components(separatedBy: "\n")
        if l.last == "" { l.removeLast() }
        return l
    }

    /// The regular files of a project folder, reached without following a link on the way (a link
    /// there is an error: its files are not the project's), relative paths → contents.
    public static func files(root: URL, folder: String) throws(BakeryError) -> [String: Data] {
        let path: FolderPath
        switch FolderPath.parse(folder) {
        case .success(let p): path = p
        case .failure(let problem): throw BakeryError(.unsafePath, "cannot read the folder '\(folder)': it \(problem.message)", hint: problem.hint)
        }
        let directory = try ProjectDirectory(root: root)
        guard let fd = try directory.openFolder(path.components, action: "compare with", path: folder) else { return [:] }
        close(fd)
        return files(in: root.appendingPathComponent(path.description))
    }

    /// The regular files below `dir` (links and special files are not followed or read), relative paths → contents.
    public static func files(in dir: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        guard let reader = try? FolderReader(dir, shown: dir.lastPathComponent) else { return out }
        for entry in FolderWalk.entries(dir) where entry.kind == .regular {
            out[entry.path] = (try? reader.read(entry.path).data) ?? Data()
        }
        return out
    }
}
