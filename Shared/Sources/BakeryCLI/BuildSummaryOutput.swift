// `bakery build --summary` after a build: counts, and (to come) image sizes.
import ArgumentParser
import Bakery
import Foundation
import Logging

extension BuildCommand {
    func printSummary(_ report: BuildReport, session: BuildSession, logger: Logger) throws {
        guard summary else { return }
        let counts = session.plan.counts(platforms: session.options.platforms)
        if summaryFormat == "json" {
            TargetRun.emit(.object([("build_targets", .int(counts.targets)), ("platform_builds", .int(counts.platformBuilds)),
                                    ("registry_tags", .int(counts.tags))]), .plan)
        } else {
            Console.stderr(SummaryTable.counts(targets: counts.targets, platformBuilds: counts.platformBuilds, tags: counts.tags))
        }
    }
}
