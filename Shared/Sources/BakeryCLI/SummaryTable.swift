// The build summary tables on stderr: counts (with --plan) and image sizes (after a build).
import ArgumentParser
import Bakery
import Foundation

/// The build summary tables.
enum SummaryTable {
    /// `--plan --summary`: targets, platform builds and registry tags.
    static func counts(targets: Int, platformBuilds: Int, tags: Int) -> String {
        let table = BoxTable(columns: [.init("Metric"), .init("Count", .right)],
                             rows: [["Build Targets", String(targets)], ["Platform Builds", String(platformBuilds)],
                                    ["Registry Tags", String(tags)]])
        return (["Build Summary"] + table.lines() + [BuildSummary.captions[0]]).joined(separator: "\n")
    }

    /// After a build: per target its platforms, tags, layers and sizes, and the totals.
    static func sizes(_ summary: BuildSummary) -> String {
        summary.table()
    }
}
