// Loads the macro library; template names are the plain file names (`apt.j2`).
import Foundation
import Jinja

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
