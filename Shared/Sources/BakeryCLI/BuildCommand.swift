// `bakery build --plan`: the docker buildx bake plan for the selected targets.
import ArgumentParser
import Bakery
import Foundation

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Write the docker buildx bake plan for the selected images (--plan).",
        discussion: """
        With --plan, prints the bake plan as JSON on stdout; build it with \
        `bakery build --plan > plan.json && docker buildx bake -f plan.json`. At a workspace root \
        without bakery.yaml, every product folder with one is planned, each target's context being its folder. \
        Running builds from bakery itself (bake or per-target builds, push, metadata) is not part of this \
        version, so --plan is required.
        """,
        aliases: ["bake", "b"])

    @OptionGroup var options: GlobalOptions
    @OptionGroup var filters: ImageFilterOptions
    @OptionGroup var selection: VersionSelectionOptions

    @Flag(help: "Print the bake plan as JSON on stdout instead of building.")
    var plan = false

    @Option(help: ArgumentHelp("bake (the plan) or build; --plan needs bake.", valueName: "bake|build"))
    var strategy: String = "bake"

    @Option(help: ArgumentHelp("Only platforms matching this pattern (repeatable, e.g. linux/arm64); the plan keeps each OS's platform list.", valueName: "platform"))
    var imagePlatform: [String] = []

    @Flag(help: "Only the versions marked latest: true.")
    var latest = false

    // Unconditional: `--recent -1` is a value to reject, not an unknown option.
    @Option(parsing: .unconditional, help: ArgumentHelp("Only the N newest release versions of each image.", valueName: "n"))
    var recent: Int?

    @Flag(inversion: .prefixedNo, help: "Plan pushing: adds cache-to entries when a cache registry is given.")
    var push = false

    @Flag(inversion: .prefixedNo, help: "Load images into the local engine when building (no effect on the plan).")
    var load = true

    @Flag(inversion: .prefixedNo, help: "Pull base images when building (no effect on the plan).")
    var pull = false

    @Flag(inversion: .prefixedNo, help: "Use the build cache when building (no effect on the plan).")
    var cache = true

    @Option(help: ArgumentHelp("Registry for build cache (adds cache-from, and cache-to with --push).", valueName: "registry"))
    var cacheRegistry: String?

    @Option(help: ArgumentHelp("Registry for temporary, untagged images: replaces every target's tags with <registry>/<image>/tmp.", valueName: "registry"))
    var tempRegistry: String?

    @Flag(help: "After the plan, print counts of targets, platform builds and tags on stderr.")
    var summary = false

    @Option(help: ArgumentHelp("table or json; json is not supported with --plan.", valueName: "table|json"))
    var summaryFormat: String = "table"

    func validate() throws {
        if let recent, recent < 1 { throw ValidationError("--recent must be at least 1.") }
        guard ["bake", "build"].contains(strategy.lowercased()) else {
            throw ValidationError("Invalid value for '--strategy': '\(strategy)' is not one of 'bake', 'build'.")
        }
        guard ["table", "json"].contains(summaryFormat) else {
            throw ValidationError("Invalid value for '--summary-format': '\(summaryFormat)' is not one of 'table', 'json'.")
        }
        if !plan {
            throw ValidationError("bakery build needs --plan in this version: it writes the bake plan (run it with `docker buildx bake -f`).")
        }
    }

    func run() throws {
        let logger = options.makeLogger()
        var filter = TargetFilter()
        filters.apply(to: &filter)
        filter.imagePlatforms = imagePlatform
        filter.latest = latest
        filter.recent = recent
        selection.apply(to: &filter, logger: logger)
        let run = try TargetRun.load(options, filter: filter, logger: logger)

        if strategy.lowercased() == "build" {
            Console.stderr("❌ The --plan option is not supported with the 'build' strategy. Please use the 'bake' strategy to print the bake plan.")
            throw ExitCode(1)
        }
        if summary && summaryFormat == "json" {
            Console.stderr("❌ --summary-format json is not supported with --plan, which already writes the bake plan as JSON to stdout. Use --summary-format table, or drop --plan.")
            throw ExitCode(1)
        }
        guard !run.targets.isEmpty else {
            let described = filter.description
            Console.stderr("❌ No image targets to build\(described.isEmpty ? "" : " matching \(described)"). Check the --image-name, --image-version, --image-variant, --image-os, and --image-platform filters along with the --recent, --dev-versions, and --matrix-versions selection.")
            throw ExitCode(1)
        }
        var planOptions = PlanOptions()
        planOptions.cacheRegistry = cacheRegistry
        planOptions.tempRegistry = tempRegistry
        planOptions.push = push
        let tagger = Tagger()
        let ordered = run.targets.sortedForOutput()
        do {
            let plan = try BakePlan.make(ordered, facts: run.workspace.facts(), options: planOptions, tagger: tagger,
                                         created: Labels.createdTimestamp())
            try TargetRun.emit(plan, .plan)
            if summary {
                let c = plan.counts()
                Console.stderr(SummaryTable.counts(targets: c.targets, platformBuilds: c.platformBuilds, tags: c.tags))
            }
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
    }
}
