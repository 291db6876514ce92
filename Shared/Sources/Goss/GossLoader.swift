// Reads a gossfile as goss does: render it as a Go template (.Env, .Vars, readFile inside the system under test),
// parse it, then merge its includes (rendered with the same data) over it.
import Foundation
import GoTemplate

/// Loads a gossfile and its includes into one `Gossfile`.
///
///     let loader = GossLoader(environment: env, readFile: { try await probe.readFile($0) })
///     let gossfile = try await loader.load(path: "test/goss.yaml")
public struct GossLoader: Sendable {
    /// `.Env`: the environment of the system under test (the container's, for dgoss).
    public var environment: [String: String]
    /// `.Vars` (from `--vars` and `--vars-inline`).
    public var vars: GossValue
    /// `readFile` in templates: reads where goss runs (inside the container). Returns the file's text.
    public var readFile: @Sendable (String) async throws -> String
    /// Reads a gossfile or include on this machine.
    public var readLocalFile: @Sendable (String) throws -> [UInt8]
    /// How many distinct files `readFile` may fetch for one template (each fetch re-renders).
    public var maxReadFiles = 64

    public init(environment: [String: String], vars: GossValue = .map([]),
                readFile: @escaping @Sendable (String) async throws -> String,
                readLocalFile: @escaping @Sendable (String) throws -> [UInt8] = { path in
                    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                }) {
        self.environment = environment
        self.vars = vars
        self.readFile = readFile
        self.readLocalFile = readLocalFile
    }

    /// Renders, parses and merges `path` and its includes. Errors are goss's exit-78 errors, located.
    public func load(path: String) async throws(GossError) -> Gossfile {
        guard let format = GossFileFormat(path: path) else {
            throw GossError(message: "Unknown file extension: \(URL(fileURLWithPath: path).pathExtension)", file: path,
                            hint: "name the gossfile .yaml, .yml or .json")
        }
        var warnings: [String] = []
        let resources = try await loadTree(path: path, format: format, depth: 0, warnings: &warnings)
        if resources.isEmpty {
            throw GossError(message: "found 0 tests, source: \(path)", file: path,
                            hint: "add at least one resource under a known section (file, package, command, …); unknown top-level keys are ignored")
        }
        return Gossfile(resources: resources, warnings: warnings)
    }

    private func loadTree(path: String, format: GossFileFormat, depth: Int, warnings: inout [String]) async throws(GossError) -> [GossResource] {
        guard depth < 50 else {
            throw GossError(message: "max depth of 50 reached, possibly due to dependency loop in goss file: \(path)", file: path,
                            hint: "an include refers back to a file that includes it")
        }
        var info = stat()
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            let what = (info.st_mode & S_IFMT) == S_IFDIR ? "is a directory" : "is not a regular file"
            throw GossError(message: "File error: read \(path): \(what)", file: path, hint: "a gossfile (and each include) must be a regular file")
        }
        let bytes: [UInt8]
        do { bytes = try readLocalFile(path) } catch {
            throw GossError(message: "File error: open \(path): no such file or directory", file: path, hint: "check the path of the gossfile")
        }
        guard let source = String(validating: bytes, as: UTF8.self) else {
            throw GossError(message: "gossfile is not valid UTF-8", file: path)
        }
        let rendered = try await render(source, file: path)
        let parsed = try GossfileParser.parse(rendered, format: format, file: path)
        warnings += parsed.warnings
        var merged = parsed.resources
        let directory = (path as NSString).deletingLastPathComponent
        for include in parsed.includes.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) where !include.skip {
            let pattern = include.path.hasPrefix("/") ? include.path : (directory.isEmpty ? include.path : directory + "/" + include.path)
            let matches = GossGlob.expand(pattern)
            if matches.isEmpty {
                throw GossError(message: "no matched files were found: \"\(pattern)\"", file: path, hint: "fix the gossfile include `\(include.key)`")
            }
            for match in matches {
                let included = try await loadTree(path: match, format: format, depth: depth + 1, warnings: &warnings)
                for resource in included {
                    if let index = merged.firstIndex(where: { $0.kind == resource.kind && $0.key == resource.key }) {
                        warnings.append("[WARN] Duplicate key detected: '\(resource.kind.section)': '\(resource.key)', the definition in \(match) replaces the earlier one")
                        merged[index] = resource
                    } else {
                        merged.append(resource)
                    }
                }
            }
        }
        return merged
    }

    /// Renders with missingkey=error; `readFile` results are fetched (asynchronously) and the template re-rendered.
    func render(_ source: String, file: String) async throws(GossError) -> String {
        let template: GoTemplate
        do { template = try GoTemplate(name: "test", source: source) } catch {
            throw Self.located(error, file: file)
        }
        var fetched: [String: Result<String, GossReadFailure>] = [:]
        let data = GoValue.map(["Env": .environment(environment), "Vars": Self.goValue(vars)])
        while true {
            let known = fetched
            let functions = GoFunctions.goss(environment: environment, readFile: { path in
                guard let result = known[path] else { throw GossFileNeeded(path: path) }
                switch result {
                case .success(let text): return text
                case .failure(let failure): throw GoFunctionFailure(failure.message)
                }
            })
            do {
                return try template.render(data: data, functions: functions)
            } catch let needed as GossFileNeeded {
                guard fetched.count < maxReadFiles else {
                    throw GossError(message: "readFile: more than \(maxReadFiles) distinct files read while rendering", file: file,
                                    hint: "read fewer files in the template")
                }
                do {
                    fetched[needed.path] = .success(try await readFile(needed.path))
                } catch let failure as GossReadFailure {
                    fetched[needed.path] = .failure(failure)
                } catch {
                    fetched[needed.path] = .failure(GossReadFailure(message: "open \(needed.path): \(error)"))
                }
            } catch {
                throw Self.located(error, file: file)
            }
        }
    }

    static func located(_ error: any Error, file: String) -> GossError {
        if let error = error as? GoTemplateError {
            return GossError(message: error.description, file: file, line: error.position.line, column: error.position.column,
                             hint: error.message.contains("map has no entry for key")
                                ? "the variable is not set in the container: pass it with -e, or use `getEnv \"NAME\" \"default\"`" : nil)
        }
        return GossError(message: "template: \(error)", file: file)
    }

    static func goValue(_ value: GossValue) -> GoValue {
        switch value {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .float(let f): .float(f)
        case .string(let s): .string(s)
        case .list(let items): .list(items.map(goValue))
        case .map(let entries): .map(Dictionary(entries.map { ($0.key, goValue($0.value)) }, uniquingKeysWith: { _, last in last }))
        }
    }
}

/// A `readFile` that failed in the system under test; `message` is what goss prints (`open P: no such file or directory`).
public struct GossReadFailure: Error, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
}

/// Thrown out of a render to fetch a file asynchronously and render again.
struct GossFileNeeded: GoTemplatePassthrough {
    let path: String
}

/// Go's `filepath.Glob` for include paths: `*`, `?` and `[…]` in any path element, matches sorted.
enum GossGlob {
    static func expand(_ pattern: String) -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else {
            return FileManager.default.fileExists(atPath: pattern) ? [pattern] : []
        }
        var results: [String] = []
        var buffer = glob_t()
        defer { globfree(&buffer) }
        guard glob(pattern, 0, nil, &buffer) == 0 else { return [] }
        for i in 0..<Int(buffer.gl_pathc) {
            if let p = buffer.gl_pathv[i], let s = String(validatingCString: p) { results.append(s) }
        }
        return results.sorted()
    }
}
