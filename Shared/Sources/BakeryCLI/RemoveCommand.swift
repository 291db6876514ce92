// `bakery remove image|version`: delete an entry and its folder, all or nothing.
import ArgumentParser
import Bakery
import Foundation
import Logging

struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove an image or a version: its folder and its bakery.yaml entry.",
        subcommands: [RemoveImageCommand.self, RemoveVersionCommand.self],
        aliases: ["rm", "r"])
}

struct RemoveImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "image", abstract: "Remove an image, its folder and its entry.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: ArgumentHelp("The image name.", valueName: "name")) var name: String

    func run() throws {
        try ProjectRun.run(options, success: "✅ Successfully removed image '\(name)'", failure: "❌ Failed to remove image '\(name)'") { root, log in
            try ProjectRun.changes(at: root, log: log).removeImage(name)
        }
    }
}

struct RemoveVersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Remove a version, its folder and its entry.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: ArgumentHelp("The image name.", valueName: "image")) var image: String
    @Argument(help: ArgumentHelp("The version name.", valueName: "version")) var version: String

    func run() throws {
        try ProjectRun.run(options, success: "✅ Successfully removed version '\(version)' from image '\(image)'",
                           failure: "❌ Failed to remove version '\(version)' from image '\(image)'") { root, log in
            try ProjectRun.changes(at: root, log: log).removeVersion(image, version)
        }
    }
}
