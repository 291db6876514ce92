#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The source of a template and the name errors should use for it (usually its path).
public struct TemplateSource: Sendable {
    public var text: String
    public var displayName: String

    public init(text: String, displayName: String) {
        self.text = text
        self.displayName = displayName
    }
}

/// Finds templates by name for `import`, `from … import` and `include`.
public protocol TemplateLoader: Sendable {
    /// The template named `name`, or nil if this loader does not have it.
    func source(for name: String) throws -> TemplateSource?
    /// Where this loader looks, for "not found" messages.
    var searchDescription: String { get }
}

/// Templates held in memory, by name.
public struct DictionaryLoader: TemplateLoader {
    public var templates: [String: String]
    public init(_ templates: [String: String]) { self.templates = templates }
    public func source(for name: String) throws -> TemplateSource? {
        templates[name].map { TemplateSource(text: $0, displayName: name) }
    }
    public var searchDescription: String { "memory" }
}

/// Templates in directories, searched in order. Names are `/`-separated paths relative to a
/// directory; names that would escape the directory are not found. A name that reaches, through a
/// symbolic link, a file outside its directory is refused, and so is anything but a regular file
/// (a FIFO would block the render). Errors name templates by the directory as given plus the name.
public struct FileSystemLoader: TemplateLoader {
    public var directories: [String]
    public init(_ directories: [String]) { self.directories = directories }

    public func source(for name: String) throws -> TemplateSource? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.isEmpty, !parts.contains(where: { $0 == ".." }), !name.hasPrefix("/") else { return nil }
        for directory in directories {
            let url = parts.reduce(URL(fileURLWithPath: directory)) { $0.appendingPathComponent(String($1)) }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: url.path) {
                    // A dangling link: say where it leads, never "not found".
                    let parent = Self.realPath(url.deletingLastPathComponent().path) ?? url.deletingLastPathComponent().path
                    let lexical = URL(fileURLWithPath: target.hasPrefix("/") ? target : parent + "/" + target).standardizedFileURL.path
                    let base = Self.realPath(directory) ?? directory
                    let inside = lexical.hasPrefix(base.hasSuffix("/") ? base : base + "/")
                    throw JinjaError(.refused, "template '\(name)' is a symbolic link to '\(target)', which does not exist"
                                     + (inside ? "" : " and points outside the template folder"))
                }
                continue
            }
            if let base = Self.realPath(directory), let real = Self.realPath(url.path), !real.hasPrefix(base.hasSuffix("/") ? base : base + "/") {
                throw JinjaError(.refused, "template '\(name)' points outside the template folder (to \(real)); only files inside \(directory) are read")
            }
            // The checked real path is opened without following a link at its end, and read only if
            // the open file is a regular file: no window to swap in a link or a FIFO.
            let fd = open(Self.realPath(url.path) ?? url.path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw JinjaError(.notFound, "template '\(name)' at \(url.path) cannot be read") }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
                throw JinjaError(.refused, "template '\(name)' at \(url.path) is not a regular file (a FIFO, socket or device is never read)")
            }
            _ = fcntl(fd, F_SETFL, 0)
            let data = FileHandle(fileDescriptor: fd, closeOnDealloc: false).readDataToEndOfFile()
            guard let text = String(data: data, encoding: .utf8) else {
                throw JinjaError(.notFound, "template '\(name)' at \(url.path) is not valid UTF-8")
            }
            let shown = directory == "." ? name : (directory.hasSuffix("/") ? directory + name : directory + "/" + name)
            return TemplateSource(text: text, displayName: shown)
        }
        return nil
    }

    public var searchDescription: String { directories.joined(separator: ", ") }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}

/// Tries loaders in order.
public struct ChainLoader: TemplateLoader {
    public var loaders: [any TemplateLoader]
    public init(_ loaders: [any TemplateLoader]) { self.loaders = loaders }
    public func source(for name: String) throws -> TemplateSource? {
        for loader in loaders {
            if let s = try loader.source(for: name) { return s }
        }
        return nil
    }
    public var searchDescription: String { loaders.map(\.searchDescription).joined(separator: ", then ") }
}

public typealias FilterFunction = @Sendable (Value, Arguments, Renderer) throws -> Value
public typealias TestFunction = @Sendable (Value, Arguments, Renderer) throws -> Bool

/// Jinja2's `Environment` with the settings bakery uses: strict undefined, no autoescape, the
/// trailing newline kept, no trim_blocks/lstrip_blocks. Holds filters, tests, globals and a loader.
public struct Environment: Sendable {
    public var filters: [String: FilterFunction]
    public var tests: [String: TestFunction]
    public var globals: [String: Value]
    public var loader: (any TemplateLoader)?
    /// Maximum nesting of macro calls, includes and imports.
    public var maxDepth = 200
    /// The work one render may do: expressions evaluated, statements run, loop iterations. The
    /// largest product template takes under 100,000; runaway loops and exponential macro recursion stop here.
    public var maxSteps = 2_000_000
    /// The largest string (in UTF-8 bytes) any expression may produce, and the largest output of one render.
    public var maxBytes = 64 << 20
    /// The most items a list or dict built by a template may hold.
    public var maxItems = 1_000_000
    private let cache = TemplateCache()

    public init(loader: (any TemplateLoader)? = nil) {
        self.loader = loader
        self.filters = BuiltinFilters.all
        self.tests = BuiltinTests.all
        self.globals = BuiltinGlobals.all
    }

    /// Parses a template from a string. Errors name the template `name`.
    public func template(source: String, name: String = "<template>") throws -> Template {
        let statements = try Parser.parse(source, name: name, filters: Set(filters.keys), tests: Set(tests.keys))
        return Template(name: name, statements: statements)
    }

    /// Loads (once) and parses the template `name` through the loader.
    public func template(named name: String) throws -> Template {
        if let t = cache.get(name) { return t }
        guard let loader else { throw JinjaError(.notFound, "template '\(name)' not found (no template loader configured)") }
        guard let source = try loader.source(for: name) else {
            throw JinjaError(.notFound, "template '\(name)' not found (searched \(loader.searchDescription))")
        }
        let t = try template(source: source.text, name: source.displayName)
        cache.set(name, t)
        return t
    }

    /// Renders `source` with `context` as the template's variables.
    public func render(source: String, name: String = "<template>", context: [String: Value] = [:]) throws -> String {
        try template(source: source, name: name).render(context, environment: self)
    }
}

final class TemplateCache: @unchecked Sendable {
    private var templates: [String: Template] = [:]
    private let lock = NSLock()
    func get(_ name: String) -> Template? { lock.withLock { templates[name] } }
    func set(_ name: String, _ t: Template) { lock.withLock { templates[name] = t } }
}

/// A parsed template.
public final class Template: Sendable {
    public let name: String
    let statements: [Statement]

    init(name: String, statements: [Statement]) {
        self.name = name
        self.statements = statements
    }

    public func render(_ context: [String: Value] = [:], environment: Environment) throws -> String {
        let renderer = Renderer(environment: environment)
        return try renderer.renderTemplate(self, context: context)
    }
}
