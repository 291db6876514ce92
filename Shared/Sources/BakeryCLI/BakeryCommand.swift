// The `bakery` root command and process entry: usage errors exit 2, handled failures 1.
import ArgumentParser
import Bakery
import Foundation

public struct BakeryCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bakery",
        abstract: "Build, tag, test and publish container images defined in bakery.yaml.",
        subcommands: [BuildCommand.self, CreateCommand.self, UpdateCommand.self, RemoveCommand.self, GetCommand.self, HadolintCommand.self, DgossCommand.self, RunCommand.self, CICommand.self, ImagetoolsCommand.self, CleanCommand.self, RenderCommand.self, ValidateCommand.self, VersionCommand.self])

    public init() {}

    /// Runs the command line and exits the process with bakery's exit codes.
    public static func runAndExit(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        if arguments.isEmpty {
            // As the reference does: no command prints the help and is a usage error.
            Console.stderr(helpMessage())
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot(arguments)
            let parsed = type(of: command)
            if !parsed.configuration.subcommands.isEmpty {
                // A group without its subcommand (`bakery create`): help, and a usage error, as for the root.
                Console.stderr(helpMessage(for: parsed))
                Foundation.exit(2)
            }
            try command.run()
            Foundation.exit(0)
        } catch let error as BakeryError {
            // Anything a command did not report itself still goes through the one reporting path.
            DiagnosticReporter.fail(error, logger: GlobalOptions().makeLogger())
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                // Usage errors: ArgumentParser's message, bakery's exit code (2).
                Console.stderr(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
