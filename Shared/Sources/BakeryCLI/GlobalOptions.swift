// Options every project command shares: where the project is and how much to say.
import ArgumentParser
import Foundation
import Logging

/// `--context`, `-v/--verbose`, `-q/--quiet`, reused by every command as an `@OptionGroup`.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The project folder (holding bakery.yaml).", valueName: "dir"))
    var context: String = "."

    @Flag(name: .shortAndLong, help: "Show debug messages.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Show errors only.")
    var quiet = false

    func validate() throws {
        if verbose && quiet { throw ValidationError("Cannot set both --verbose and --quiet flags.") }
    }

    var contextURL: URL { URL(fileURLWithPath: context, isDirectory: true) }

    var logLevel: Logger.Level { verbose ? .debug : quiet ? .error : .info }

    /// A logger writing `LEVEL: message` lines to stderr at the chosen level.
    func makeLogger() -> Logger {
        var logger = Logger(label: "bakery") { _ in StderrLogHandler() }
        logger.logLevel = logLevel
        return logger
    }
}
