// The end of a `dgoss run`: the results table, each failure's compact summary line, and the execution errors.
import Foundation
import Goss

/// What `bakery dgoss run` prints after testing.
public struct GossRunReport: Sendable {
    public var results: [GossTargetResult]

    public init(results: [GossTargetResult]) { self.results = results }

    public var anyFailed: Bool { results.contains { ($0.report?.failedCount ?? 0) > 0 } }
    public var anyErrored: Bool { results.contains { if case .executionError = $0.outcome { true } else { false } } }

    /// "Goss Test Results": per image, version, OS and variant the counts and goss's duration, and a total row.
    public func table() -> String {
        var rows: [[String]] = []
        var total = (success: 0, failed: 0, skipped: 0, count: 0, seconds: 0.0)
        for result in results {
            let target = result.setup.target
            let name = [target.image.name, target.version.name, target.os?.name ?? "", target.variant?.name ?? ""]
            guard let report = result.report else {
                rows.append(name + ["—", "—", "—", "—", "error"])
                continue
            }
            let success = report.testCount - report.failedCount - report.skippedCount
            let seconds = Double(report.totalDuration) / 1e9
            total.success += success
            total.failed += report.failedCount
            total.skipped += report.skippedCount
            total.count += report.testCount
            total.seconds += seconds
            rows.append(name + [String(success), String(report.failedCount), String(report.skippedCount), String(report.testCount),
                                String(format: "%.2fs", seconds)])
        }
        let table = BoxTable(columns: [.init("Image Name"), .init("Version"), .init("OS"), .init("Variant"), .init("Success", .right),
                                       .init("Failed", .right), .init("Skipped", .right), .init("Total Tests", .right), .init("Duration", .right)],
                             rows: rows,
                             footer: [["Total", "", "", "", String(total.success), String(total.failed), String(total.skipped),
                                       String(total.count), String(format: "%.2fs", total.seconds)]])
        return (["Goss Test Results"] + table.lines()).joined(separator: "\n")
    }

    /// Each target's failed checks, or nil when none failed.
    public func failureText() -> String? {
        guard anyFailed else { return nil }
        var lines = [String(repeating: "-", count: 80)]
        for result in results {
            guard let report = result.report, report.failedCount > 0 else { continue }
            lines.append("\(result.setup.target.uid) test failures:")
            for check in report.results where check.outcome == .fail {
                lines.append("  - " + (check.recordedSummaryLineCompact ?? check.summaryLineCompact))
            }
        }
        lines.append("❌ dgoss test(s) failed")
        return lines.joined(separator: "\n")
    }

    /// The targets that could not be tested, or nil.
    public func errorText() -> String? {
        guard anyErrored else { return nil }
        var lines = [String(repeating: "-", count: 80)]
        for result in results {
            guard case .executionError(let message, let details) = result.outcome else { continue }
            lines.append(message)
            lines += details
        }
        lines.append("❌ dgoss command(s) failed to execute")
        return lines.joined(separator: "\n")
    }
}
