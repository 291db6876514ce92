// `bakery validate`: load bakery.yaml and report every problem, or a one-line summary.
import ArgumentParser
import Bakery

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check bakery.yaml and report every problem with its file, line and column.",
        discussion: """
            Exits 0 when the configuration is valid, 1 when it is not. Writes nothing. A product folder \
            (Connect, PackageManager, Workbench) is also checked against its product's rules; at the \
            repository root, every product folder with a bakery.yaml is validated.
            """)

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Treat warnings (unknown keys, deprecated spellings, …) as errors.")
    var strict = false

    func run() throws {
        let logger = options.makeLogger()
        var failed = false
        do {
            // Every product folder is judged, even after one fails: a broken product hides no other's problems.
            for result in try Workspace.loadEach(context: options.contextURL, products: RegisteredProducts.registry, strict: strict).projects {
                switch result {
                case .success(let project):
                    let loaded = project.loaded
                    logger.debug("Loaded Bakery config from \(loaded.displayPath)")
                    DiagnosticReporter.report(loaded.diagnostics, logger: logger)
                    Console.stdout(ValidationSummary(loaded).line)
                case .failure(let error):
                    DiagnosticReporter.fail(error, logger: logger)
                    failed = true
                }
            }
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            failed = true
        }
        if failed { throw ExitCode(1) }
    }
}

/// The one-line OK summary: `✅ Connect/bakery.yaml is valid: 3 images, 21 versions, 1 matrix, 2 dev versions`.
struct ValidationSummary {
    let line: String

    init(_ loaded: LoadedConfig) {
        let images = loaded.config.images
        var parts = [Self.count(images.count, "image"), Self.count(images.reduce(0) { $0 + $1.versions.count }, "version")]
        let matrices = images.filter { $0.matrix != nil }.count
        if matrices > 0 { parts.append(Self.count(matrices, "matrix", plural: "matrices")) }
        let dev = images.reduce(0) { $0 + $1.devVersions.count }
        if dev > 0 { parts.append(Self.count(dev, "dev version")) }
        let warnings = loaded.warnings.count
        var text = "✅ \(loaded.displayPath) is valid: " + parts.joined(separator: ", ")
        if warnings > 0 { text += " (\(Self.count(warnings, "warning")))" }
        line = text
    }

    static func count(_ n: Int, _ word: String, plural: String? = nil) -> String {
        "\(n) \(n == 1 ? word : plural ?? word + "s")"
    }
}
