// The Jinja environment bakery renders with: bakery's filters, the macro library, the project's templates.
import Foundation
import Jinja

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
