// `bakery build --summary` after a build: counts, and the sizes of the images built.
import ArgumentParser
import Bakery
import Foundation
import Logging

extension BuildCommand {
    /// Measures what the build produced (never failing the command: an unreadable size stays
    /// unknown), then prints the sizes table on stderr or the JSON on stdout. `targets` are the
    /// selected targets, for their names and registry tags.
    func printSummary(_ report: BuildReport, session: BuildSession, targets: [ImageTarget], logger: Logger) throws {
        guard summary else { return }
        let sizes = BuildSizes(report: report, session: session)
        var measured = BuildSizes.Measurements()
        if !sizes.requests.isEmpty {
            logger.info("Using \(sizes.workers) worker(s) for \(sizes.requests.count) concurrent operation(s)")
            measured = SignalCancellation.run { await sizes.measure() }
            if measured.interrupted {
                Console.stderr("❌ Measuring the image sizes was interrupted.")
                throw ExitCode(130)
            }
        }
        let result = BuildSummary.make(jobs: session.jobs, targets: targets, sizes: measured.sizes)
        if summaryFormat == "json" {
            TargetRun.emit(result.json(), .plan)
        } else {
            Console.stderr(SummaryTable.sizes(result))
        }
    }
}
