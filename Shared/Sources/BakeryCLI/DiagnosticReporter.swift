// Prints diagnostics and failures the same way for every command.
import Bakery
import Logging

enum DiagnosticReporter {
    /// Warnings and infos go through the logger (so -q silences them); errors always print.
    static func report(_ diagnostics: [Diagnostic], logger: Logger) {
        for d in diagnostics {
            switch d.severity {
            case .info: logger.info("\(d.locatedMessage)")
            case .warning: logger.warning("\(d.locatedMessage)")
            case .error: Console.stderr(d.description)
            }
        }
    }

    /// The one way a command reports a failure: every diagnostic it carries, or its own located
    /// message (`FILE:LINE:COL: path: message (hint)`), and a closing ❌ line for a config that
    /// failed validation. Errors of the lower modules arrive wrapped (`BakeryError.from`).
    static func fail(_ failure: any Error, logger: Logger) {
        let error = BakeryError.from(failure)
        if error.diagnostics.isEmpty {
            Console.stderr(error.errors[0].description)
        } else {
            report(error.diagnostics, logger: logger)
        }
        switch error.code {
        case .invalidConfig: Console.stderr("❌ \(error.message)")
        case .yamlSyntax: Console.stderr("❌ \(error.location?.file ?? "bakery.yaml") is not valid YAML")
        default: break
        }
    }
}
