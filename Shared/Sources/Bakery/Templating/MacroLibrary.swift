import Foundation
import Jinja

/// Bakery's macro library (`apt.j2`, `dnf.j2`, `python.j2`, `r.j2`, `quarto.j2`, `goss.j2`),
/// shipped as package resources and imported explicitly by templates.
public enum MacroLibrary {
    public static let names = ["apt.j2", "dnf.j2", "python.j2", "r.j2", "quarto.j2", "goss.j2"]

    /// The directory holding the library: `$BAKERY_MACRO_LIBRARY` if set, else the resource bundle
    /// beside the running executable, else SwiftPM's build-time location.
    public static func directory() throws -> URL {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["BAKERY_MACRO_LIBRARY"], !override.isEmpty {
            candidates.append(URL(fileURLWithPath: override))
        }
        let bundleName = "PositImages_Bakery.resources"
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent(bundleName).appendingPathComponent("Macros"))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent(bundleName).appendingPathComponent("Macros"))
        for candidate in candidates where fm.fileExists(atPath: candidate.appendingPathComponent("apt.j2").path) {
            return candidate
        }
        // Last resort, only reached when the resource directory exists at SwiftPM's build path.
        if let url = Bundle.module.url(forResource: "Macros", withExtension: nil),
           fm.fileExists(atPath: url.appendingPathComponent("apt.j2").path) {
            return url
        }
        throw JinjaError(.notFound, "bakery's macro library is missing: expected \(bundleName)/Macros beside the bakery executable (or set BAKERY_MACRO_LIBRARY to a directory holding apt.j2 …)")
    }
}

/// Loads the macro library; template names are the plain file names (`apt.j2`).
public struct MacroLibraryLoader: TemplateLoader {
    public let directory: URL

    public init() throws {
        directory = try MacroLibrary.directory()
    }

    public func source(for name: String) throws -> TemplateSource? {
        guard MacroLibrary.names.contains(name) else { return nil }
        let url = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw JinjaError(.notFound, "bakery's macro library file \(url.path) cannot be read")
        }
        return TemplateSource(text: text, displayName: "bakery:\(name)")
    }

    public var searchDescription: String { "bakery's macro library" }
}

/// The Jinja environment bakery renders with: strict undefined, no autoescape, trailing newline
/// kept, bakery's filters and `raise`, and a loader that searches `templateDirectories` first and
/// then the macro library.
public enum TemplateEnvironment {
    public static func make(templateDirectories: [String] = []) throws -> Environment {
        var loaders: [any TemplateLoader] = []
        if !templateDirectories.isEmpty { loaders.append(FileSystemLoader(templateDirectories)) }
        loaders.append(try MacroLibraryLoader())
        var environment = Environment(loader: ChainLoader(loaders))
        // The render budget (docs/templates.md), overridable for a template that really needs more.
        if let raw = ProcessInfo.processInfo.environment["BAKERY_TEMPLATE_MAX_STEPS"], let steps = Int(raw), steps > 0 {
            environment.maxSteps = steps
        }
        BakeryFilters.install(into: &environment)
        return environment
    }
}
