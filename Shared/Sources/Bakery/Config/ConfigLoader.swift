// Finds, reads, parses and validates a project's bakery.yaml, collecting every diagnostic.
import BakeryYAML
import Foundation

/// A loaded, validated configuration and what was noticed on the way (warnings, infos).
public struct LoadedConfig: Sendable {
    public var config: BakeryConfig
    /// The project root (the folder holding bakery.yaml).
    public var context: URL
    public var file: URL
    /// The file's path as shown in messages (relative to the working directory when below it).
    public var displayPath: String
    public var diagnostics: [Diagnostic]

    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
}

/// Loads bakery.yaml (then bakery.yml) from a context folder.
///
///     do {
///         let loaded = try ConfigLoader.load(context: URL(fileURLWithPath: "Connect"))
///         print(loaded.config.images.count)
///     } catch let error as BakeryError {
///         error.errors.forEach { print($0) }   // Connect/bakery.yaml:12:9: images[0].name: …
///     }
public enum ConfigLoader {
    public static let fileNames = ["bakery.yaml", "bakery.yml"]

    /// The config file in `context`, or nil when there is none. A directory with the name is an error.
    public static func locate(context: URL) throws(BakeryError) -> URL? {
        let fm = FileManager.default
        for name in fileNames {
            let url = context.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                // fileExists follows links: a link whose target is missing (or a loop) lands here.
                if let target = try? fm.destinationOfSymbolicLink(atPath: url.path) {
                    throw BakeryError(.configUnreadable, "'\(displayPath(url))' is a symbolic link to '\(target)', which does not exist",
                                      location: SourceLocation(file: displayPath(url), line: 1, column: 1),
                                      hint: "point the link at the project's config file, or replace it with the file")
                }
                continue
            }
            if isDirectory.boolValue {
                throw BakeryError(.configUnreadable, "'\(displayPath(url))' is a directory, not a file",
                                  location: SourceLocation(file: displayPath(url), line: 1, column: 1),
                                  hint: "remove or rename the directory and put the project's config in a file named \(name)")
            }
            let kind = RegularFile.kind(url.path)
            if kind != .regular {
                // A FIFO would block the read (and the lock) forever; a device is never a config.
                throw BakeryError(.configUnreadable, "'\(displayPath(url))' is \(kind.words), not a regular file",
                                  location: SourceLocation(file: displayPath(url), line: 1, column: 1),
                                  hint: "bakery reads its config only from a regular file; replace it with one named \(name)")
            }
            return url
        }
        return nil
    }

    /// Loads and validates. Throws `.configNotFound`, `.configUnreadable`, `.yamlSyntax`, or
    /// `.invalidConfig` carrying every diagnostic. With `strict`, warnings count as errors. When the
    /// folder is a registered product's image project, `product`'s checks are part of validation.
    public static func load(context: URL, strict: Bool = false, product: (any ProductImages)? = nil) throws(BakeryError) -> LoadedConfig {
        let context = context.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: context.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BakeryError(.configNotFound, "the context '\(displayPath(context))' is not a directory",
                              hint: "pass --context with the folder that holds bakery.yaml")
        }
        guard let file = try locate(context: context) else {
            throw BakeryError(.configNotFound, "no bakery.yaml file found in the context path '\(displayPath(context))'",
                              hint: "run `bakery create project` first if this is a new project, or pass --context DIR")
        }
        let shown = displayPath(file)
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            let reason = FileManager.default.isReadableFile(atPath: file.path) ? "it could not be read" : "permission denied"
            throw BakeryError(.configUnreadable, "cannot read '\(shown)': \(reason)",
                              location: SourceLocation(file: shown, line: 1, column: 1),
                              hint: "make it readable by the current user, e.g. chmod a+r \(shown)")
        }
        var loaded = try load(bytes: [UInt8](data), displayPath: shown, context: context, file: file, strict: strict, product: product)
        if ProjectDirectory.kind(at: AT_FDCWD, context.appendingPathComponent(ProjectStaging.folderName).path) != .missing {
            // A change in progress, or one a killed run left: the next mutating command repairs it.
            let warning = Diagnostic(strict ? .error : .warning, "'\(ProjectStaging.folderName)' is here: a bakery change is in progress, or an interrupted one was left half-applied",
                                     code: .notice, location: SourceLocation(file: shown, line: 1, column: 1),
                                     hint: "when no other bakery runs, any create, update or remove command repairs it (e.g. bakery update files --image-name '^$')")
            if strict {
                throw BakeryError(.invalidConfig, "\(shown) has 1 error", location: warning.location, diagnostics: loaded.diagnostics + [warning])
            }
            loaded.diagnostics.append(warning)
        }
        return loaded
    }

    /// Validates YAML text already in memory (used by `load`, tests and editors).
    public static func load(bytes: [UInt8], displayPath: String, context: URL, file: URL, strict: Bool = false,
                            product: (any ProductImages)? = nil) throws(BakeryError) -> LoadedConfig {
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(bytes: bytes)
        } catch {
            let location = SourceLocation(file: displayPath, line: error.mark.line, column: error.mark.column)
            var message = error.message
            if let context = error.context, let mark = error.contextMark {
                message = "\(context) started at line \(mark.line), column \(mark.column): \(message)"
            }
            let hint = error.hint ?? syntaxHint(error)
            let diagnostic = Diagnostic(.error, message, code: .yamlSyntax, location: location, hint: hint)
            throw BakeryError(.yamlSyntax, message, location: location, hint: hint, diagnostics: [diagnostic])
        }
        let reader = ConfigReader(file: displayPath)
        let config = BakeryConfig.decode(root, reader: reader)
        var diagnostics = reader.diagnostics
        if let config, let product, !diagnostics.contains(where: { $0.severity == .error }) {
            // Product rules judge a config that is otherwise valid (their messages would only repeat a schema error).
            diagnostics += product.check(config, file: displayPath)
        }
        if strict { diagnostics = diagnostics.map { $0.severity == .warning ? $0.asError : $0 } }
        let sorted = stableSorted(diagnostics) { ($0.location?.line ?? 0, $0.location?.column ?? 0) < ($1.location?.line ?? 0, $1.location?.column ?? 0) }
        guard let config, !sorted.contains(where: { $0.severity == .error }) else {
            let count = sorted.filter { $0.severity == .error }.count
            throw BakeryError(.invalidConfig, "\(displayPath) has \(count) error\(count == 1 ? "" : "s")",
                              location: SourceLocation(file: displayPath, line: 1, column: 1), diagnostics: sorted)
        }
        return LoadedConfig(config: config, context: context, file: file, displayPath: displayPath, diagnostics: sorted)
    }

    private static func syntaxHint(_ error: YAMLError) -> String {
        let m = error.message
        if m.contains("mapping values are not allowed") { return "check the indentation of this line, or quote a value that contains ': '" }
        if m.contains("tab") { return "indent with spaces; YAML does not allow tabs for indentation" }
        if m.contains("found character that cannot start any token") { return "tabs cannot indent YAML, and values starting with '@' or '`' must be quoted" }
        if m.contains("end of stream") || m.contains("unexpected end") { return "a quote or bracket opened earlier is never closed" }
        if m.contains("did not find expected key") { return "check the indentation: entries of one mapping must line up" }
        if m.contains("did not find expected") { return "check brackets, quotes and indentation around here" }
        return "fix the YAML syntax here"
    }

    /// A path relative to the working directory when it lies below it, else absolute.
    public static func displayPath(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let cwd = FileManager.default.currentDirectoryPath
        let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
        if path == cwd { return "." }
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
