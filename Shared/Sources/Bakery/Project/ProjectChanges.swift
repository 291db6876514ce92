// What create / update / remove do to a project, computed as a transaction.
import BakeryYAML
import Foundation

/// The project commands. Each returns the transaction to commit (nothing is written before).
public struct ProjectChanges {
    public let root: URL
    public let file: URL
    public let loaded: LoadedConfig
    public let log: TargetLog
    /// The registered product whose image project this is, if any: its rules judge every edit.
    public let product: (any ProductImages)?
    /// The `--diff-against` block of the last `createVersion`, to print after committing.
    public internal(set) var editionDiff: String?

    public init(root: URL, log: TargetLog, product: (any ProductImages)? = nil) throws(BakeryError) {
        self.root = root
        self.loaded = try ConfigLoader.load(context: root)
        self.file = loaded.file
        self.log = log
        self.product = product
    }

    var config: BakeryConfig { loaded.config }

    /// Whether anything (a link too) is at `relative`: a folder no entry of bakery.yaml owns is never written into.
    func occupied(_ relative: String) -> Bool {
        ProjectDirectory.kind(at: AT_FDCWD, root.appendingPathComponent(relative).path) != .missing
    }

    /// A name or `--subpath` from the command line that will become a folder: checked before anything
    /// is computed, with the same rules validate applies to bakery.yaml.
    public static func checkFolderArgument(_ value: String, _ what: String, isName: Bool) throws(BakeryError) {
        let result = isName ? FolderPath.name(NameDerivation.subpath(value)) : FolderPath.parse(value)
        if case .failure(let problem) = result {
            throw BakeryError(.invalidArgument, "the \(what) '\(FolderRules.printable(value))' \(problem.message)",
                              hint: isName ? "names become folder names: use letters, digits, '.', '_', '-' and '+', with no '/' and not '.' or '..' alone" : problem.hint)
        }
    }

    func currentText() throws(BakeryError) -> String {
        // Decoded as is: Foundation's String(data:encoding:) would drop a byte order mark, changing a byte the edit never meant to.
        guard let data = FileManager.default.contents(atPath: file.path), String(data: data, encoding: .utf8) != nil else {
            throw BakeryError(.configUnreadable, "cannot read \(file.path)", location: SourceLocation(file: loaded.displayPath, line: 1, column: 1))
        }
        return String(decoding: data, as: UTF8.self)
    }

    func makeEditor() throws(BakeryError) -> ConfigEditor { ConfigEditor(text: try currentText(), displayPath: loaded.displayPath) }

    /// Where in bakery.yaml (as read) the entry at `path` is written, for errors about it.
    func location(_ path: [ConfigEditor.Step]) -> SourceLocation? {
        (try? makeEditor())?.location(path)
    }

    /// Validates edited bakery.yaml text as the new configuration. A problem is reported at the place
    /// in the file as read where the edit goes (lines the edit did not touch keep their own positions).
    /// A product's rules refuse only what the edit introduces: a file that already breaks one can
    /// still be repaired (say, by removing the offending version).
    func reload(_ text: String) throws(BakeryError) -> BakeryConfig {
        let config: BakeryConfig
        var problems: [Diagnostic]
        do {
            config = try ConfigLoader.load(bytes: Array(text.utf8), displayPath: loaded.displayPath, context: root, file: file).config
            problems = []
        } catch {
            config = loaded.config
            problems = error.errors
        }
        if problems.isEmpty, let product {
            // Known errors are counted by message and hint (which names the image), so the same bad
            // name already present in one image does not let a second one in elsewhere.
            func key(_ d: Diagnostic) -> String { d.message + "\u{0}" + (d.hint ?? "") }
            var known: [String: Int] = [:]
            for d in product.check(loaded.config, file: loaded.displayPath) where d.severity == .error { known[key(d), default: 0] += 1 }
            problems = product.check(config, file: loaded.displayPath).filter { d in
                guard d.severity == .error else { return false }
                if let n = known[key(d)], n > 0 {
                    known[key(d)] = n - 1
                    return false
                }
                return true
            }
        }
        guard !problems.isEmpty else { return config }
        let before = (try? currentText()) ?? ""
        let mapped = problems.map { diagnostic -> Diagnostic in
            var d = diagnostic
            if let at = d.location { d.location = Self.originalLocation(at, before: before, after: text) }
            return d
        }
        throw BakeryError(.invalidConfig, "\(loaded.displayPath) would not be valid after this change; nothing was written",
                          location: mapped.first?.location, diagnostics: mapped)
    }

    /// Maps a position in the edited text back to the file as read: lines before the change keep
    /// their numbers, lines after it shift back, and lines the change wrote point at where it starts.
    static func originalLocation(_ at: SourceLocation, before: String, after: String) -> SourceLocation {
        func lines(_ s: String) -> [Substring] { s.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }) }
        let old = lines(before), new = lines(after)
        var prefix = 0
        while prefix < min(old.count, new.count), old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < min(old.count, new.count) - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        var mapped = at
        if at.line <= prefix { return mapped }
        if at.line > new.count - suffix {
            mapped.line = at.line - (new.count - old.count)
            return mapped
        }
        mapped.line = min(prefix + 1, max(1, old.count))
        // A line changed in place (a rename) keeps its column; lines the change added point at its start.
        if !(old.count == new.count && prefix + suffix == old.count - 1) { mapped.column = 1 }
        return mapped
    }

    func transaction(writing text: String) -> ProjectTransaction {
        var t = ProjectTransaction(root: root)
        t.write(file.lastPathComponent, Data(text.utf8), permissions: (try? FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions]) as? Int)
        return t
    }

    /// An edit that validated but does not hold what it wrote: a bug of ours, reported at the entry.
    func notRecorded(_ what: String, _ path: [ConfigEditor.Step]) -> BakeryError {
        BakeryError(.editUnsupported, "the new \(what) was not recorded in bakery.yaml; nothing was written", location: location(path))
    }

    /// `--value` pairs as a values mapping (a repeated key: the last one).
    static func map(_ values: [KeyValue]) -> YAMLOut.Map {
        var map = YAMLOut.Map()
        for kv in values { map[kv.key] = .scalar(kv.value) }
        return map
    }
}
