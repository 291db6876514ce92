// The report `bakery hadolint run` prints on stderr: the "Hadolint Results" table, the findings, the failures.
import Foundation

extension HadolintReport {
    /// The "Hadolint Results" table: a row per Containerfile linted (the image name on its first
    /// row only; `matrix` as the version of a Containerfile shared by several targets), counts per
    /// severity, and a Total row.
    public func tableLines() -> [String] {
        var rows: [[String]] = []
        var previousImage: String?
        var totals = [0, 0, 0, 0]
        for entry in entries where entry.executionFailure == nil {
            let target = entry.job.target
            let counts = HadolintFinding.Level.allCases.map { level in entry.findings.filter { $0.level == level }.count }
            for (i, c) in counts.enumerated() { totals[i] += c }
            let name = target.image.name == previousImage ? "" : target.image.name
            previousImage = target.image.name
            rows.append([name, entry.job.isShared ? "matrix" : target.version.name, target.os?.name ?? "", target.variant?.name ?? "",
                         entry.job.containerfile] + counts.map(String.init) + [String(counts.reduce(0, +))])
        }
        let footer = [["Total", "", "", "", ""] + totals.map(String.init) + [String(totals.reduce(0, +))]]
        let table = BoxTable(columns: [.init("Image Name"), .init("Version"), .init("OS"), .init("Variant"), .init("Containerfile"),
                                       .init("Errors", .right), .init("Warnings", .right), .init("Info", .right),
                                       .init("Style", .right), .init("Total", .right)],
                             // Nothing linted: the Total row alone, without an empty body.
                             rows: rows.isEmpty ? footer : rows, footer: rows.isEmpty ? [] : footer)
        return ["Hadolint Results"] + table.lines()
    }

    static let rule = String(repeating: "-", count: 80)

    /// Everything after the table: the findings per Containerfile (after a rule of 80 `-`), the
    /// execution failures (after another), and the closing ✅ or ❌ line.
    public func detailLines() -> [String] {
        var lines: [String] = []
        let withFindings = entries.filter { !$0.findings.isEmpty }
        if !withFindings.isEmpty {
            lines.append(Self.rule)
            for entry in withFindings {
                lines.append("")
                lines.append("=== \(entry.job.containerfile) ===")
                lines += entry.findings.map(\.reportLine)
            }
        }
        let failures = executionFailures
        if !failures.isEmpty {
            lines.append(Self.rule)
            for failure in failures {
                lines.append(failure.reportText)
                lines.append("")
            }
        }
        lines.append(closingLine)
        return lines
    }

    /// `✅ Linting completed`, or the ❌ line that says why the command fails.
    public var closingLine: String {
        if interrupted {
            return "❌ Linting interrupted after \(entries.count) Containerfile(s)"
        }
        if !executionFailures.isEmpty {
            return "❌ hadolint command(s) failed to execute"
        }
        if let sarifFailure {
            return "❌ the SARIF report could not be written: \(sarifFailure.message)"
        }
        let failed = failedLints
        if !failed.isEmpty {
            let threshold = Set(failed.map { $0.job.options.failureThreshold ?? "error" }).sorted().joined(separator: ", ")
            return "❌ Linting failed: hadolint reported issues at or above the failure threshold (\(threshold)) in \(failed.count) Containerfile(s)"
        }
        return "✅ Linting completed"
    }
}
