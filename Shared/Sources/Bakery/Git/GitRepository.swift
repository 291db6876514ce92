// The git questions bakery asks: which commit, what changed since a base, a file at a ref, the remote.
import Foundation

/// A git repository, asked through `CommandRunner` (`git` on PATH). The questions are async;
/// synchronous callers wrap a whole operation in `Blocking.wait`.
///
/// Refs come from users (`--base-ref`, `$BAKERY_BASE_REF`): one that starts with `-` is refused,
/// and every ref reaches git after `--end-of-options`, so none can be read as an option.
public struct GitRepository: Sendable {
    /// The repository's top folder, as git reports it.
    public let root: URL
    public var runner: CommandRunner
    /// The time limit of each git command.
    public var timeout: Duration = .seconds(120)

    public init(root: URL, runner: CommandRunner = CommandRunner()) {
        self.root = root
        self.runner = runner
    }

    /// The repository holding `directory` (`git rev-parse --show-toplevel`). Outside a repository:
    /// `.commandFailed`, with git's own words in its `CommandFailure` cause.
    public static func containing(_ directory: URL, runner: CommandRunner = CommandRunner()) async throws(BakeryError) -> GitRepository {
        // git reads HEAD without checking what it is: a FIFO there (a hostile checkout) would hold
        // it until its time limit. Refused at once, as `headRevision` does.
        if let git = GitDirectory.locate(from: directory) {
            let head = git.appendingPathComponent("HEAD").path
            let kind = RegularFile.kind(head)
            if kind != .regular && kind != .missing {
                throw BakeryError(.unsafePath, "'\(head)' is \(kind.words), not a regular file: git cannot read the repository's HEAD",
                                  hint: "replace it with the repository's HEAD file")
            }
        }
        let output = try await runner.run(command(["-C", directory.path, "rev-parse", "--show-toplevel"], timeout: .seconds(60)))
            .requireSuccess()
        let top = output.stdout.trimmingCharacters(in: .newlines)
        guard top.hasPrefix("/") else {
            throw BakeryError(.commandFailed, "`\(output.commandLine)` printed '\(top)', not a folder")
        }
        return GitRepository(root: URL(fileURLWithPath: top), runner: runner)
    }

    /// The HEAD commit of the repository holding `directory`, or nil outside a repository. Read
    /// from `.git`'s files when they say; git is asked only when they do not (a reftable, an
    /// unusual layout), and any failure of git is a nil.
    public static func headRevision(of directory: URL, runner: CommandRunner = CommandRunner()) async -> String? {
        // Outside a repository there is nothing to ask git about.
        guard let git = GitDirectory.locate(from: directory) else { return nil }
        if let fromFiles = GitDirectory.head(of: git) { return fromFiles }
        // A HEAD that is not a regular file (a FIFO in a hostile checkout) would block git too.
        guard RegularFile.kind(git.appendingPathComponent("HEAD").path) == .regular else { return nil }
        guard let output = try? await runner.run(command(["-C", directory.path, "rev-parse", "HEAD"], timeout: .seconds(60))),
              output.succeeded else { return nil }
        let sha = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return GitDirectory.isCommitID(sha) ? sha : nil
    }

    /// The commit `ref` names, or nil when it names none in this repository.
    /// A ref that starts with `-` is refused (`.invalidArgument`).
    public func commit(_ ref: String) async throws(BakeryError) -> String? {
        try Self.checkRef(ref)
        let output = try await git(["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"])
        guard output.succeeded else { return nil }
        let sha = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return GitDirectory.isCommitID(sha) ? sha : nil
    }

    /// The files (relative to `root`) that differ between HEAD and its merge base with `base`:
    /// what a branch changed since it left `base`. Paths come NUL-separated (`-z`), so unusual
    /// names arrive as they are, not C-quoted. `base` is peeled to its commit (`^{commit}`): an
    /// annotated tag names a commit, but `--merge-base` takes only commits.
    public func changedFiles(since base: String) async throws(BakeryError) -> [String] {
        try Self.checkRef(base)
        let output = try await git(["diff", "--name-only", "-z", "--merge-base", "--end-of-options", base + "^{commit}", "HEAD"]).requireSuccess()
        return output.standardOutput.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The text of `path` (relative to `root`) as committed at `ref`.
    public func file(_ path: String, at ref: String) async throws(BakeryError) -> String {
        try Self.checkRef(ref)
        return try await git(["show", "--end-of-options", "\(ref):\(path)"]).requireSuccess().stdout
    }

    /// The configured URL of the repository's first remote (before any insteadOf rewriting), or nil.
    public static func firstRemoteURL(of directory: URL, runner: CommandRunner = CommandRunner()) async -> String? {
        func ask(_ arguments: [String]) async -> String? {
            guard let output = try? await runner.run(command(["-C", directory.path] + arguments, timeout: .seconds(60))),
                  output.succeeded else { return nil }
            return output.stdout
        }
        guard let remotes = await ask(["remote"]), let first = remotes.split(separator: "\n").first,
              let url = await ask(["config", "--get", "remote.\(first).url"])?.trimmingCharacters(in: .whitespacesAndNewlines),
              !url.isEmpty else { return nil }
        return url
    }

    /// A remote URL as `host/org/repo`: scheme, user and `.git` dropped (`git@github.com:org/repo.git`
    /// and `https://user@github.com/org/repo` both give `github.com/org/repo`).
    public static func webPath(ofRemoteURL configured: String) -> String? {
        var url = configured
        if url.hasSuffix(".git") { url.removeLast(4) }
        if url.hasPrefix("git@"), let colon = url.firstIndex(of: ":") {
            url = String(url[url.index(url.startIndex, offsetBy: 4)..<colon]) + "/" + url[url.index(after: colon)...]
        } else if let scheme = url.range(of: "://") {
            url = String(url[scheme.upperBound...])
            if let at = url.firstIndex(of: "@"), at < (url.firstIndex(of: "/") ?? url.endIndex) { url = String(url[url.index(after: at)...]) }
        }
        return url.isEmpty ? nil : url
    }

    // MARK: - Running git

    /// Refs never start with `-`: such a value is an option in disguise (`--output=FILE`).
    static func checkRef(_ ref: String) throws(BakeryError) {
        if ref.hasPrefix("-") {
            throw BakeryError(.invalidArgument, "'\(ref)' is not a git ref: refs cannot start with '-'",
                              hint: "give a branch, tag or commit, e.g. origin/main")
        }
    }

    func git(_ arguments: [String]) async throws(BakeryError) -> CommandOutput {
        try await runner.run(Self.command(["-C", root.path] + arguments, timeout: timeout))
    }

    /// A git command that only reads: no optional index lock, no credential prompt.
    static func command(_ arguments: [String], timeout: Duration) -> ChildCommand {
        var command = ChildCommand("git", arguments)
        command.environment = ["GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"]
        command.timeout = timeout
        return command
    }
}
