// Options every project command shares: where the project is, how much to say, and whether to use the network.
import ArgumentParser
import Foundation
import Logging

/// `--context` and the `LogOptions`, reused by every project command as an `@OptionGroup`.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The project folder (holding bakery.yaml).", valueName: "dir"))
    var context: String = "."

    @OptionGroup var log: LogOptions

    var verbose: Bool { log.verbose }
    var quiet: Bool { log.quiet }
    var offline: Bool { log.offline }
    var contextURL: URL { URL(fileURLWithPath: context, isDirectory: true) }
    var logLevel: Logger.Level { log.logLevel }
    func makeLogger() -> Logger { log.makeLogger() }
}

/// `-v/--verbose`, `-q/--quiet`, `--offline`: what every command shares, also those that read no project
/// (`get versions`).
struct LogOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Show debug messages.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Show errors only.")
    var quiet = false

    @Flag(name: .long, help: "Read version documents from the cache only, never the network (sets BAKERY_OFFLINE=1).")
    var offline = false

    func validate() throws {
        if verbose && quiet { throw ValidationError("Cannot set both --verbose and --quiet flags.") }
        // The one place every command passes through after parsing: whatever reads version documents later
        // (HTTPDocumentSource.fromEnvironment) sees the flag as the environment setting it stands for.
        if offline { setenv("BAKERY_OFFLINE", "1", 1) }
    }

    var logLevel: Logger.Level { verbose ? .debug : quiet ? .error : .info }

    /// A logger writing `LEVEL: message` lines to stderr at the chosen level.
    func makeLogger() -> Logger {
        var logger = Logger(label: "bakery") { _ in StderrLogHandler() }
        logger.logLevel = logLevel
        return logger
    }
}
