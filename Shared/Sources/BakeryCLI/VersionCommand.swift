// `bakery version`: print this tool's version.
import ArgumentParser
import Bakery

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the bakery version.")

    func run() {
        Console.stdout("Posit Bakery v\(BakeryVersion.current)")
    }
}
