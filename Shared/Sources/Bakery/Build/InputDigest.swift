// The input digest of `bakery build --skip-unchanged`: one SHA-256 over everything that decides what a build of
// a target produces (Containerfile, the context files it copies, args, labels, stage, secret ids, platforms and
// the base images' digests), and the reading of a Containerfile that finds those files and base images.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import OCIRegistry

/// The SHA-256 of a target's build inputs, recorded on the image as the label `co.posit.bakery.input-digest`.
///
///     let inputs = InputDigest.Inputs(containerfile: bytes, contextFiles: files, platforms: ["linux/amd64"])
///     let digest = InputDigest(inputs)
///     labels[InputDigest.label] = digest.description      // "sha256:…"
///
/// The encoding is canonical: every value is length-prefixed (no two different inputs give the same bytes),
/// dictionaries and file lists are sorted, and a format version leads, so a change of what is hashed changes
/// every digest instead of matching an old one by accident.
public struct InputDigest: Sendable, Hashable, CustomStringConvertible {
    /// The label the digest is recorded under (bakery's own namespace).
    public static let label = "co.posit.bakery.input-digest"
    /// Bumped whenever what is hashed, or how, changes.
    public static let formatVersion = "bakery-input-digest/1"
    /// Labels left out: `created` is the time of the run and `revision` the commit, so they differ on every run
    /// (or commit) without the image's content changing; hashing them would make every target look changed.
    public static let volatileLabels: Set<String> = ["org.opencontainers.image.created", "org.opencontainers.image.revision",
                                                     InputDigest.label]

    public let digest: Digest

    public var description: String { digest.description }

    /// One entry of the build context, as hashed.
    public struct ContextFile: Sendable, Hashable {
        public enum Content: Sendable, Hashable {
            /// A regular file: its bytes' digest.
            case file(Digest)
            case directory
            /// A symbolic link: where it points (and the digest of the file it reaches inside the context, if any).
            case link(target: String, reached: Digest?)
            /// A FIFO, socket or device: only its kind.
            case special(String)
        }

        /// Relative to the context, `/`-separated.
        public var path: String
        /// Permission bits (`st_mode & 0o7777`).
        public var mode: Int
        public var content: Content

        public init(path: String, mode: Int, content: Content) {
            self.path = path
            self.mode = mode
            self.content = content
        }
    }

    /// Everything hashed.
    public struct Inputs: Sendable {
        /// The rendered Containerfile's bytes.
        public var containerfile: Data
        /// The context entries the Containerfile's COPY/ADD instructions read (any order: sorted when hashed).
        public var contextFiles: [ContextFile]
        /// `.dockerignore` / `.containerignore` files that decide what the engine sends: name → bytes.
        public var ignoreFiles: [String: Data]
        public var args: [String: String]
        /// The target's labels; `volatileLabels` are dropped when hashing.
        public var labels: [String: String]
        public var stage: String?
        /// Build secret ids (never their values).
        public var secretIDs: [String]
        public var platforms: [String]
        /// `"<platform> <image>"` → the digest the image resolves to for that platform.
        public var baseImages: [String: String]

        public init(containerfile: Data, contextFiles: [ContextFile] = [], ignoreFiles: [String: Data] = [:],
                    args: [String: String] = [:], labels: [String: String] = [:], stage: String? = nil,
                    secretIDs: [String] = [], platforms: [String], baseImages: [String: String] = [:]) {
            self.containerfile = containerfile
            self.contextFiles = contextFiles
            self.ignoreFiles = ignoreFiles
            self.args = args
            self.labels = labels
            self.stage = stage
            self.secretIDs = secretIDs
            self.platforms = platforms
            self.baseImages = baseImages
        }
    }

    public init(_ inputs: Inputs) {
        digest = Digest.sha256(of: Self.encoding(inputs))
    }

    /// The canonical bytes hashed: tagged, length-prefixed fields in a fixed order.
    static func encoding(_ inputs: Inputs) -> Data {
        var out = Data()
        func bytes(_ data: Data) {
            var length = UInt64(data.count).bigEndian
            withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
            out.append(data)
        }
        func text(_ s: String) { bytes(Data(s.utf8)) }
        func count(_ n: Int) { text(String(n)) }
        func pairs(_ tag: String, _ values: [String: String]) {
            text(tag)
            count(values.count)
            for key in values.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                text(key)
                text(values[key]!)
            }
        }
        text(formatVersion)
        text("containerfile")
        bytes(inputs.containerfile)
        let files = inputs.contextFiles.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        text("context")
        count(files.count)
        for file in files {
            text(file.path)
            text(String(file.mode, radix: 8))
            switch file.content {
            case .file(let d): text("file"); text(d.description)
            case .directory: text("directory")
            case .link(let target, let reached): text("link"); text(target); text(reached?.description ?? "")
            case .special(let kind): text("special"); text(kind)
            }
        }
        text("ignore")
        count(inputs.ignoreFiles.count)
        for name in inputs.ignoreFiles.keys.sorted() {
            text(name)
            bytes(inputs.ignoreFiles[name]!)
        }
        pairs("args", inputs.args)
        pairs("labels", inputs.labels.filter { !volatileLabels.contains($0.key) })
        text("stage")
        text(inputs.stage ?? "")
        count(inputs.stage == nil ? 0 : 1)
        text("secrets")
        let ids = Set(inputs.secretIDs).sorted()
        count(ids.count)
        for id in ids { text(id) }
        text("platforms")
        let platforms = Set(inputs.platforms).sorted()
        count(platforms.count)
        for p in platforms { text(p) }
        pairs("bases", inputs.baseImages)
        return out
    }

    // MARK: - The build context

    /// Why the context could not be hashed.
    public struct ContextProblem: Error, Sendable {
        public var message: String
    }

    /// The entries of `context` that `sources` (COPY/ADD sources relative to the context) name: files, directories
    /// walked, globs expanded. `wholeContext`, a source that leaves the context, or a source that matches nothing
    /// (a link on the way, a file that is not there: the engine decides, so everything counts) take the whole
    /// context. Throws when the context cannot be read completely.
    public static func contextFiles(in context: URL, sources: [String], wholeContext: Bool) throws(ContextProblem) -> [ContextFile] {
        let scan = FolderWalk.scan(context)
        guard scan.complete else {
            throw ContextProblem(message: "the build context \(context.path) is too large or too deep to hash (\(scan.entries.count) entries read)")
        }
        var whole = wholeContext
        var chosen = Set<String>()
        let paths = scan.entries.map(\.path)
        if !whole {
            for source in sources {
                guard let normalized = normalize(source) else { whole = true; break }
                if normalized.isEmpty { whole = true; break }
                let isGlob = normalized.contains(where: { "*?[".contains($0) })
                var roots: [String] = []
                if isGlob {
                    roots = paths.filter { fnmatch(normalized, $0, FNM_PATHNAME) == 0 }
                } else if paths.contains(normalized) {
                    roots = [normalized]
                }
                if roots.isEmpty { whole = true; break }
                for root in roots {
                    // A matched folder is copied with everything in it; the folders above it are not read.
                    for p in paths where p == root || p.hasPrefix(root + "/") { chosen.insert(p) }
                }
            }
        }
        let kinds = Dictionary(scan.entries.map { ($0.path, $0.kind) }, uniquingKeysWith: { a, _ in a })
        var included = whole ? Set(paths) : chosen
        // A copied link is followed by the engine inside the context (its root is the link's `/`): what it reaches
        // there is copied too, so it is hashed too. Links are resolved from the walk alone, never on the host.
        var pending = included.filter { if case .symlink? = kinds[$0] { true } else { false } }
        var resolvedLinks = Set<String>()
        while let link = pending.popFirst() {
            guard resolvedLinks.insert(link).inserted, let reached = resolveInContext(link, kinds: kinds) else { continue }
            for p in paths where reached.isEmpty || p == reached || p.hasPrefix(reached + "/") {
                guard included.insert(p).inserted else { continue }
                if case .symlink? = kinds[p] { pending.insert(p) }
            }
        }
        var files: [ContextFile] = []
        for path in included.sorted() {
            let url = context.appendingPathComponent(path)
            var st = stat()
            guard lstat(url.path, &st) == 0 else {
                throw ContextProblem(message: "cannot read \(url.path): \(String(cString: strerror(errno)))")
            }
            let mode = Int(st.st_mode & 0o7777)
            switch kinds[path] ?? .other {
            case .regular:
                files.append(ContextFile(path: path, mode: mode, content: .file(try fileDigest(url))))
            case .directory:
                files.append(ContextFile(path: path, mode: mode, content: .directory))
            case .symlink(let target):
                var reached: Digest?
                if let inside = resolveInContext(path, kinds: kinds), case .regular? = kinds[inside] {
                    reached = try fileDigest(context.appendingPathComponent(inside))
                }
                files.append(ContextFile(path: path, mode: mode, content: .link(target: target, reached: reached)))
            case let other:
                files.append(ContextFile(path: path, mode: mode, content: .special(other.words)))
            }
        }
        return files
    }

    /// Where the link at `path` leads as an engine follows it inside the context: an absolute target starts at the
    /// context's root and `..` stops there, so the answer is always a path in the context ("" for its root). nil
    /// for a chain of more than `maximumLinkHops` links (a loop). Only the walk's entries are consulted.
    static func resolveInContext(_ path: String, kinds: [String: FileKind]) -> String? {
        var resolved: [Substring] = []
        var remaining = Array(path.split(separator: "/").reversed())
        var hops = 0
        while let part = remaining.popLast() {
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                _ = resolved.popLast()
                continue
            }
            let candidate = (resolved + [part]).joined(separator: "/")
            guard case .symlink(let target)? = kinds[candidate] else {
                resolved.append(part)
                continue
            }
            hops += 1
            guard hops <= maximumLinkHops else { return nil }
            if target.hasPrefix("/") { resolved = [] }
            remaining += target.split(separator: "/").reversed()
        }
        return resolved.joined(separator: "/")
    }

    /// Links followed in a row before a chain counts as a loop (Linux's own limit, MAXSYMLINKS).
    static let maximumLinkHops = 40

    /// The digest of a regular file's bytes (mapped, not copied into memory).
    static func fileDigest(_ url: URL) throws(ContextProblem) -> Digest {
        do {
            return Digest.sha256(of: try Data(contentsOf: url, options: .alwaysMapped))
        } catch {
            throw ContextProblem(message: "cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    /// A COPY source as a path relative to the context: leading `/` and `./` dropped, `..` applied; nil when it
    /// leaves the context, "" for the context itself.
    static func normalize(_ source: String) -> String? {
        var parts: [Substring] = []
        for part in source.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        return parts.joined(separator: "/")
    }

    /// The ignore files an engine reads for this Containerfile and context: `<Containerfile>.dockerignore` /
    /// `.containerignore` beside it, and `.dockerignore` / `.containerignore` at the context's root.
    public static func ignoreFiles(containerfile: URL, context: URL) -> [String: Data] {
        var found: [String: Data] = [:]
        let candidates = [("containerfile.dockerignore", URL(fileURLWithPath: containerfile.path + ".dockerignore")),
                          ("containerfile.containerignore", URL(fileURLWithPath: containerfile.path + ".containerignore")),
                          (".dockerignore", context.appendingPathComponent(".dockerignore")),
                          (".containerignore", context.appendingPathComponent(".containerignore"))]
        for (name, url) in candidates {
            if let data = try? RegularFile.read(url.path) { found[name] = data }
        }
        return found
    }

    // MARK: - The Containerfile

    /// What a Containerfile reads from outside itself: its base images and the context paths it copies.
    ///
    ///     let read = InputDigest.Instructions(parsing: text, args: ["BASE": "ubuntu:24.04"])
    ///     read.baseImages          // [.image("ubuntu:24.04", platform: nil)]
    ///     read.contextSources      // ["deps/packages.txt"]
    public struct Instructions: Sendable, Equatable {
        /// A FROM that names an image (not an earlier stage, not `scratch`).
        public struct Base: Sendable, Equatable {
            /// The image, with build args substituted; nil when it could not be resolved statically.
            public var image: String?
            /// The FROM line's image as written.
            public var written: String
            /// `--platform=` as written, when given.
            public var platform: String?
        }

        public var bases: [Base] = []
        /// COPY/ADD sources read from the build context (`--from=` copies and heredocs excluded).
        public var contextSources: [String] = []
        /// Set when a source cannot be resolved statically (`$VAR`): the whole context counts.
        public var wholeContext = false
        /// ADD sources fetched from the network: their content cannot be hashed before building.
        public var remoteSources: [String] = []

        public init(parsing text: String, args: [String: String] = [:]) {
            var globalArgs: [String: String] = [:]
            var stages = Set<String>()
            var seenFrom = false
            for line in Self.logicalLines(text) {
                let words = Self.words(line)
                guard let keyword = words.first?.uppercased() else { continue }
                let rest = Array(words.dropFirst())
                switch keyword {
                case "ARG" where !seenFrom:
                    for decl in rest {
                        if let eq = decl.firstIndex(of: "=") {
                            let name = String(decl[..<eq])
                            globalArgs[name] = args[name] ?? Self.unquoted(String(decl[decl.index(after: eq)...]))
                        } else if let value = args[decl] {
                            globalArgs[decl] = value
                        }
                    }
                case "FROM":
                    seenFrom = true
                    var platform: String?
                    var operands: [String] = []
                    for w in rest {
                        if w.hasPrefix("--platform=") { platform = String(w.dropFirst("--platform=".count)) } else if !w.hasPrefix("--") { operands.append(w) }
                    }
                    guard let written = operands.first else { continue }
                    let image = Self.substitute(written, globalArgs)
                    // An earlier stage (by the names seen so far) and `scratch` are not images.
                    let isStage = image.map { stages.contains($0.lowercased()) } ?? false
                    if operands.count >= 3, operands[1].uppercased() == "AS" { stages.insert(operands[2].lowercased()) }
                    if isStage || image?.lowercased() == "scratch" { continue }
                    bases.append(Base(image: image, written: written, platform: platform))
                case "COPY", "ADD":
                    var operands: [String] = []
                    var fromStage = false
                    var index = 0
                    while index < rest.count, rest[index].hasPrefix("--") {
                        if rest[index].lowercased().hasPrefix("--from=") { fromStage = true }
                        index += 1
                    }
                    let remaining = rest[index...].joined(separator: " ")
                    if remaining.hasPrefix("["), let data = remaining.data(using: .utf8),
                       let array = try? JSONSerialization.jsonObject(with: data) as? [String] {
                        operands = array
                    } else {
                        operands = Array(rest[index...])
                    }
                    guard !fromStage, operands.count >= 2 else { continue }
                    for source in operands.dropLast() {
                        if source.hasPrefix("<<") { continue }
                        let lower = source.lowercased()
                        if keyword == "ADD", lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("git@") || lower.contains(".git#") {
                            remoteSources.append(source)
                        } else if source.contains("$") {
                            wholeContext = true
                        } else {
                            contextSources.append(source)
                        }
                    }
                case "RUN":
                    // `RUN --mount=type=bind` (the default type) without `from=` reads the build context at `source`
                    // (the whole context when absent): those files are inputs as much as a COPY's.
                    for flag in rest.prefix(while: { $0.hasPrefix("--") }) where flag.lowercased().hasPrefix("--mount=") {
                        var options: [String: String] = [:]
                        for pair in flag.dropFirst("--mount=".count).split(separator: ",") {
                            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                            options[kv[0].lowercased()] = kv.count == 2 ? Self.unquoted(kv[1]) : "true"
                        }
                        guard (options["type"] ?? "bind") == "bind", options["from"] == nil else { continue }
                        let source = options["source"] ?? options["src"] ?? "."
                        if source.contains("$") { wholeContext = true } else { contextSources.append(source) }
                    }
                default:
                    continue
                }
            }
        }

        /// `$NAME`, `${NAME}` and `${NAME:-default}` replaced from `args`; nil when a name has no value.
        static func substitute(_ word: String, _ args: [String: String]) -> String? {
            guard word.contains("$") else { return word }
            var out = ""
            var chars = Array(word)[...]
            while let c = chars.popFirst() {
                guard c == "$" else { out.append(c); continue }
                var name = ""
                var fallback: String?
                if chars.first == "{" {
                    chars.removeFirst()
                    var body = ""
                    while let d = chars.popFirst(), d != "}" { body.append(d) }
                    if let r = body.range(of: ":-") {
                        name = String(body[..<r.lowerBound])
                        fallback = String(body[r.upperBound...])
                    } else {
                        name = body
                    }
                } else {
                    while let d = chars.first, d.isLetter || d.isNumber || d == "_" { name.append(d); chars.removeFirst() }
                }
                if let value = args[name], !value.isEmpty { out += value } else if let fallback { out += fallback } else { return nil }
            }
            return out
        }

        static func unquoted(_ s: String) -> String {
            if s.count >= 2, let f = s.first, f == "\"" || f == "'", s.last == f { return String(s.dropFirst().dropLast()) }
            return s
        }

        /// Whitespace-separated words, quotes kept off words that are quoted whole.
        static func words(_ line: String) -> [String] {
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { unquoted(String($0)) }
        }

        /// The instructions, one per entry: comments dropped, continuations (`\` or the `# escape=` character)
        /// joined, heredoc bodies skipped.
        static func logicalLines(_ text: String) -> [String] {
            var escape: Character = "\\"
            var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
            // Parser directives come first: `# escape=` changes the continuation character.
            for line in lines {
                let t = line.trimmingCharacters(in: .whitespaces)
                guard t.hasPrefix("#") else { break }
                let directive = t.dropFirst().trimmingCharacters(in: .whitespaces).lowercased()
                if directive.hasPrefix("escape="), let e = directive.dropFirst("escape=".count).trimmingCharacters(in: .whitespaces).first {
                    escape = e
                }
            }
            var out: [String] = []
            var current = ""
            var heredocEnd: (word: String, trimTabs: Bool)?
            lines.reverse()
            while let raw = lines.popLast() {
                if let end = heredocEnd {
                    let candidate = end.trimTabs ? raw.trimmingCharacters(in: CharacterSet(charactersIn: "\t")) : raw
                    if candidate == end.word { heredocEnd = nil }
                    continue
                }
                let trimmed = raw.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("#") || (trimmed.isEmpty && current.isEmpty) { continue }
                if trimmed.last == escape {
                    current += String(trimmed.dropLast()) + " "
                    continue
                }
                current += trimmed
                let instruction = current.trimmingCharacters(in: .whitespaces)
                current = ""
                if instruction.isEmpty { continue }
                out.append(instruction)
                if let marker = instruction.range(of: "<<") {
                    var word = instruction[marker.upperBound...]
                    let trimTabs = word.hasPrefix("-")
                    if trimTabs { word = word.dropFirst() }
                    let name = word.prefix { !" \t".contains($0) }.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                    if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { heredocEnd = (name, trimTabs) }
                }
            }
            if !current.isEmpty { out.append(current) }
            return out
        }
    }
}
