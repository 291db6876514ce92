// JUnit XML for CI: one <testsuite> per target, one <testcase> per check, wrapped in <testsuites>.
// (goss's own `--format junit` is `GossFormatter.render(_, format: .junit, …)`.)
import Foundation

public enum GossJUnit {
    /// One target's suite (no XML declaration), children indented by two spaces.
    ///
    ///     <testsuite name="connect-2025.09.0-ubuntu-2204-std" tests="2" failures="1" errors="0" skipped="0" time="0.120" timestamp="…">
    ///       <testcase classname="connect-…" name="File /etc/passwd exists" time="0.001">
    ///         <system-out>File: /etc/passwd: exists: matches expectation: true</system-out>
    ///       </testcase>
    ///       …
    public static func testsuite(name: String, report: GossReport, now: Date) -> String {
        let suite = XMLText.strictEscape(name)
        var out = "<testsuite name=\"\(suite)\" tests=\"\(report.testCount)\" failures=\"\(report.failedCount)\" errors=\"0\" "
        out += "skipped=\"\(report.skippedCount)\" time=\"\(GossFormatter.seconds(report.totalDuration))\" timestamp=\"\(GoTime.rfc3339(now))\">\n"
        for r in report.results {
            let caseName = XMLText.strictEscape("\(r.resourceType) \(r.resourceID) \(r.property)")
            let line = XMLText.strictEscape(r.printedCompactLine(includeRaw: true))
            out += "  <testcase classname=\"\(suite)\" name=\"\(caseName)\" time=\"\(GossFormatter.seconds(r.duration))\">\n"
            switch r.outcome {
            case .fail: out += "    <failure message=\"\(line)\">\(line)</failure>\n"
            case .skip: out += "    <skipped/>\n"
            case .success: break
            }
            out += "    <system-out>\(line)</system-out>\n"
            out += "  </testcase>\n"
        }
        return out + "</testsuite>\n"
    }

    /// The combined file (`results/dgoss/junit.xml`): every target's suite under `<testsuites name="goss">`.
    public static func document(_ suites: [(name: String, report: GossReport)], now: Date) -> String {
        let tests = suites.reduce(0) { $0 + $1.report.testCount }
        let failures = suites.reduce(0) { $0 + $1.report.failedCount }
        let skipped = suites.reduce(0) { $0 + $1.report.skippedCount }
        let time = suites.reduce(Int64(0)) { $0 + $1.report.totalDuration }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"goss\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(GossFormatter.seconds(time))\">\n"
        for suite in suites {
            for line in testsuite(name: suite.name, report: suite.report, now: now).split(separator: "\n") {
                out += "  " + line + "\n"
            }
        }
        return out + "</testsuites>\n"
    }
}
