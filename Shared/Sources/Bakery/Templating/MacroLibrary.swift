// Bakery's macro library (apt, dnf, python, r, quarto, goss), shipped as package resources.
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
