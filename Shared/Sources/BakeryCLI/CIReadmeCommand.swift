// `bakery ci readme [--check]`: checks the Docker Hub READMEs against Hub's size limit, or pushes them (the work
// is Bakery's DockerHubReadme; this file parses options and prints the verdicts).
import ArgumentParser
import Bakery
import Foundation
import Logging

struct CIReadmeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readme",
        abstract: "Check or push image READMEs to Docker Hub.",
        discussion: """
        The README of an image (<image folder>/README.md) belongs on Docker Hub when one of its versions is not a \
        development version, is a matrix version or marked latest: true, and has a tag on \
        docker.io/<namespace>/<repository>. --check reports READMEs larger than Docker Hub's 25,000-byte limit. \
        Without --check, each such repository's description is replaced with its README, signing in with \
        DOCKER_HUB_README_USERNAME and DOCKER_HUB_README_PASSWORD, a personal access token (organization access \
        tokens cannot change repository descriptions); when either is unset, nothing is pushed and the command \
        succeeds. --check needs no credentials and makes no network request. BAKERY_DOCKER_HUB_URL replaces https://hub.docker.com. \
        Exit status: 0 done, 1 a README too large, a push that failed or invalid input, 2 usage error.
        """)

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Only check that the READMEs fit Docker Hub's 25,000-byte limit.")
    var check = false

    @Option(help: ArgumentHelp("Development versions: include, exclude or only.", valueName: "include|exclude|only"))
    var devVersions: VersionInclusion = .include

    @Option(help: ArgumentHelp("Only development versions of this release channel.", valueName: "release|preview|daily"))
    var devChannel: ReleaseChannel?

    @Option(help: ArgumentHelp("Matrix versions: include, exclude or only.", valueName: "include|exclude|only"))
    var matrixVersions: VersionInclusion = .include

    func run() throws {
        let logger = options.makeLogger()
        var filter = TargetFilter()
        filter.devVersions = devVersions
        filter.devChannel = devChannel
        filter.matrixVersions = matrixVersions
        let run = try TargetRun.load(options, filter: filter, logger: logger)
        let entries: [DockerHubReadme.Entry]
        let tooLarge: [DockerHubReadme.Oversize]
        do {
            entries = try DockerHubReadme.eligible(run.targets, workspace: run.workspace)
            tooLarge = try DockerHubReadme.oversized(entries)
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        for entry in entries where !entry.exists {
            logger.info("No README at \(entry.readme); \(entry.repositories.map(\.description).joined(separator: ", ")) left as they are.")
        }
        if check {
            if tooLarge.isEmpty {
                Console.stderr("✅ All READMEs are within Docker Hub's length limit")
                return
            }
            for oversize in tooLarge { Console.stderr("❌ \(oversize.message)") }
            throw ExitCode(1)
        }
        if !tooLarge.isEmpty {
            Console.stderr("❌ README(s) exceed Docker Hub's length limit:\n" + tooLarge.map { "- \($0.message)" }.joined(separator: "\n"))
            throw ExitCode(1)
        }
        let environment = ProcessInfo.processInfo.environment
        let username = environment[DockerHubReadme.usernameVariable].flatMap { $0.isEmpty ? nil : $0 }
        let password = environment[DockerHubReadme.passwordVariable].flatMap { $0.isEmpty ? nil : $0 }
        guard let username, let password else {
            logger.warning("Docker Hub README credentials not configured (\(DockerHubReadme.usernameVariable), \(DockerHubReadme.passwordVariable)). Skipping README push.")
            Console.stderr("No READMEs pushed")
            return
        }
        guard entries.contains(where: \.exists) else {
            logger.info("No image version is eligible (a release or matrix version marked latest, tagged docker.io/<namespace>/<repository>).")
            Console.stderr("No READMEs pushed")
            return
        }
        let base: URL
        do { base = try DockerHubReadme.base(environment: environment) } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        let hub = DockerHubReadme(base: base, username: username, password: password)
        let outcome = SignalCancellation.run { await hub.push(entries) }
        for (repository, reason) in outcome.failed { logger.error("\(repository): \(reason)") }
        if !outcome.failed.isEmpty {
            Console.stderr("❌ Failed to push READMEs for: " + outcome.failed.map { $0.repository.description }.joined(separator: ", "))
            throw ExitCode(1)
        }
        Console.stderr("✅ Pushed \(outcome.pushed.count) README(s) to Docker Hub")
    }
}
