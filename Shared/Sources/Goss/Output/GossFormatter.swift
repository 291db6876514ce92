// goss's `--format` outputs (goss.md §6.2–6.4) and their exit codes.
import Foundation

/// `goss validate --format`.
public enum GossFormat: String, CaseIterable, Sendable {
    case documentation, json, junit, tap, rspecish, silent, nagios, structured
}

/// `-o` options.
public struct GossFormatOptions: Sendable, Hashable {
    /// Indented JSON (json, structured).
    public var pretty: Bool
    /// Results in `"<type>:<id>"` order instead of completion order.
    public var sort: Bool
    /// No "the raw value was" block in summary lines.
    public var excludeRaw: Bool
    /// nagios: `|total=… failed=… skipped=… duration=…`.
    public var perfdata: Bool
    /// nagios: one `Fail i - <compact>` line per failure.
    public var verbose: Bool

    public init(pretty: Bool = false, sort: Bool = false, excludeRaw: Bool = false, perfdata: Bool = false, verbose: Bool = false) {
        self.pretty = pretty
        self.sort = sort
        self.excludeRaw = excludeRaw
        self.perfdata = perfdata
        self.verbose = verbose
    }
}

public enum GossFormatter {
    /// The text goss prints on stdout for `format`, and its exit code (nagios: 2 on failure; structured: always 0).
    public static func render(_ report: GossReport, format: GossFormat, options: GossFormatOptions = GossFormatOptions(),
                              color: Bool = false, now: Date = Date()) -> (text: String, exitCode: Int32) {
        let painter = Painter(enabled: color && (format == .documentation || format == .rspecish))
        switch format {
        case .json:
            let text = GossJSON.encode(GossJSON.report(report, options: options), pretty: options.pretty, indent: 4) + "\n"
            return (text, report.exitCode)
        case .structured:
            return (GossJSON.encode(structured(report, options: options), pretty: options.pretty, indent: 4) + "\n", 0)
        case .junit:
            return (junit(report, options: options, now: now), report.exitCode)
        case .tap:
            return (tap(report, options: options), report.exitCode)
        case .documentation:
            return (documentation(report, options: options, painter: painter), report.exitCode)
        case .rspecish:
            return (rspecish(report, options: options, painter: painter), report.exitCode)
        case .silent:
            return ("", report.exitCode)
        case .nagios:
            return nagios(report, options: options)
        }
    }

    /// `Count: N, Failed: F, Skipped: S, Duration: X.XXXs`.
    static func countLine(_ report: GossReport) -> String {
        "Count: \(report.testCount), Failed: \(report.failedCount), Skipped: \(report.skippedCount), Duration: \(seconds(report.totalDuration))s"
    }

    /// Nanoseconds as seconds with 3 decimals.
    static func seconds(_ nanoseconds: Int64) -> String {
        String(format: "%.3f", Double(nanoseconds) / 1e9)
    }

    /// Results in output order: as given, or stably by `"<type>:<id>"` bytes with `-o sort`.
    static func ordered(_ results: [GossResult], sort: Bool) -> [GossResult] {
        guard sort else { return results }
        return results.enumerated().sorted { a, b in
            if a.element.sortKey == b.element.sortKey { return a.offset < b.offset }
            return a.element.sortKey.utf8.lexicographicallyPrecedes(b.element.sortKey.utf8)
        }.map(\.element)
    }

    /// Consecutive results of one resource (goss's result groups).
    static func groups(_ results: [GossResult]) -> [[GossResult]] {
        var groups: [[GossResult]] = []
        for result in results {
            if let last = groups.last?.last, last.resourceType == result.resourceType, last.resourceID == result.resourceID {
                groups[groups.count - 1].append(result)
            } else {
                groups.append([result])
            }
        }
        return groups
    }

    struct Painter {
        var enabled: Bool
        func paint(_ text: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        func green(_ t: String) -> String { paint(t, "32") }
        func red(_ t: String) -> String { paint(t, "31") }
        func yellow(_ t: String) -> String { paint(t, "33") }

        func line(_ r: GossResult, includeRaw: Bool) -> String {
            let text = r.summaryLine(includeRaw: includeRaw)
            switch r.outcome {
            case .success: return green(text)
            case .fail: return red(text)
            case .skip: return yellow(text)
            }
        }
    }

    /// `Title: …` and `Meta:` lines before a group.
    static func header(_ r: GossResult) -> String {
        var out = ""
        if !r.title.isEmpty { out += "Title: \(r.title)\n" }
        if let meta = r.meta, !meta.isNull {
            out += "Meta:\n"
            if case .map(let entries) = meta {
                for entry in entries.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                    out += "    \(entry.key): \(GoFormat.text(entry.value))\n"
                }
            }
        }
        return out
    }

    private static func failuresAndTotals(_ report: GossReport, _ failedOrSkipped: [[GossResult]], options: GossFormatOptions, painter: Painter) -> String {
        var out = ""
        if !failedOrSkipped.isEmpty {
            out += "Failures/Skipped:\n\n"
            let sorted = failedOrSkipped.enumerated().sorted { a, b in
                let ka = a.element[0].sortKey, kb = b.element[0].sortKey
                if ka == kb { return a.offset < b.offset }
                return ka.utf8.lexicographicallyPrecedes(kb.utf8)
            }.map(\.element)
            for group in sorted {
                out += header(group[0])
                for r in group { out += painter.line(r, includeRaw: !options.excludeRaw) + "\n" }
                out += "\n"
            }
        }
        out += "Total Duration: \(seconds(report.totalDuration))s\n"
        let counts = "Count: \(report.testCount), Failed: \(report.failedCount), Skipped: \(report.skippedCount)"
        out += (report.failedCount > 0 ? painter.red(counts) : painter.green(counts)) + "\n"
        return out
    }

    static func documentation(_ report: GossReport, options: GossFormatOptions, painter: Painter) -> String {
        var out = ""
        var failedOrSkipped: [[GossResult]] = []
        for group in groups(ordered(report.results, sort: options.sort)) {
            out += header(group[0])
            for r in group { out += painter.line(r, includeRaw: !options.excludeRaw) + "\n" }
            let bad = group.filter { $0.outcome != .success }
            if !bad.isEmpty { failedOrSkipped.append(bad) }
        }
        out += "\n\n"
        return out + failuresAndTotals(report, failedOrSkipped, options: options, painter: painter)
    }

    static func rspecish(_ report: GossReport, options: GossFormatOptions, painter: Painter) -> String {
        var out = ""
        var failedOrSkipped: [[GossResult]] = []
        for group in groups(ordered(report.results, sort: options.sort)) {
            for r in group {
                switch r.outcome {
                case .success: out += painter.green(".")
                case .skip: out += painter.yellow("S")
                case .fail: out += painter.red("F")
                }
            }
            let bad = group.filter { $0.outcome != .success }
            if !bad.isEmpty { failedOrSkipped.append(bad) }
        }
        out += "\n\n"
        return out + failuresAndTotals(report, failedOrSkipped, options: options, painter: painter)
    }

    static func tap(_ report: GossReport, options: GossFormatOptions) -> String {
        var out = "1..\(report.testCount)\n"
        for (i, r) in ordered(report.results, sort: options.sort).enumerated() {
            let line = r.printedCompactLine(includeRaw: !options.excludeRaw)
            switch r.outcome {
            case .success: out += "ok \(i + 1) - \(line)\n"
            case .fail: out += "not ok \(i + 1) - \(line)\n"
            case .skip: out += "ok \(i + 1) - # SKIP \(line)\n"
            }
        }
        return out
    }

    static func nagios(_ report: GossReport, options: GossFormatOptions) -> (text: String, exitCode: Int32) {
        let failed = report.failedCount > 0
        var out = (failed ? "GOSS CRITICAL - " : "GOSS OK - ") + countLine(report)
        if options.perfdata {
            out += "|total=\(report.testCount) failed=\(report.failedCount) skipped=\(report.skippedCount) duration=\(seconds(report.totalDuration))s"
        }
        out += "\n"
        if options.verbose {
            var index = 0
            for r in ordered(report.results, sort: options.sort) where r.outcome == .fail {
                index += 1
                out += "Fail \(index) - \(r.printedCompactLine(includeRaw: !options.excludeRaw))\n"
            }
        }
        return (out, failed ? 2 : 0)
    }

    static func structured(_ report: GossReport, options: GossFormatOptions) -> GossValue {
        let results = ordered(report.results, sort: options.sort)
        return .map([
            GossEntry("results", .list(results.map { GossJSON.result(for: $0, includeRaw: !options.excludeRaw) })),
            GossEntry("summary", .map([
                GossEntry("failed-count", .int(report.failedCount)),
                GossEntry("test-count", .int(report.testCount)),
                GossEntry("total-duration", .int(Int(report.totalDuration))),
            ])),
            GossEntry("summary-line", .string("Count: \(report.testCount), Failed: \(report.failedCount), Duration: \(seconds(report.totalDuration))s")),
        ])
    }

    /// goss's own junit (§6.3): one `<testsuite name="goss">`, each element on its own line.
    static func junit(_ report: GossReport, options: GossFormatOptions, now: Date) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuite name=\"goss\" errors=\"0\" tests=\"\(report.testCount)\" failures=\"\(report.failedCount)\" "
        out += "skipped=\"\(report.skippedCount)\" time=\"\(seconds(report.totalDuration))\" timestamp=\"\(GoTime.rfc3339(now))\">\n"
        for r in ordered(report.results, sort: options.sort) {
            let line = XMLText.goEscape(r.printedCompactLine(includeRaw: !options.excludeRaw))
            out += "<testcase name=\"\(r.resourceType) \(XMLText.goEscape(r.resourceID)) \(r.property)\" time=\"\(seconds(r.duration))\">\n"
            switch r.outcome {
            case .success: out += "<system-out>\(line)</system-out>\n"
            case .fail: out += "<system-err>\(line)</system-err>\n<failure>\(line)</failure>\n"
            case .skip: out += "<skipped/><system-out>\(line)</system-out>\n"
            }
            out += "</testcase>\n"
        }
        return out + "</testsuite>\n"
    }
}

enum XMLText {
    /// Go's `xml.EscapeText`: `" ' & < >` and tab/newline/CR as references; characters XML cannot hold become U+FFFD.
    static func goEscape(_ s: String) -> String { escape(s, invalid: "\u{FFFD}") }

    /// The same, dropping characters XML 1.0 cannot hold.
    static func strictEscape(_ s: String) -> String { escape(s, invalid: "") }

    static func isXMLChar(_ v: UInt32) -> Bool {
        v == 0x09 || v == 0x0A || v == 0x0D || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
    }

    private static func escape(_ s: String, invalid: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\t": out += "&#x9;"
            case "\n": out += "&#xA;"
            case "\r": out += "&#xD;"
            default:
                if isXMLChar(scalar.value) { out.unicodeScalars.append(scalar) } else { out += invalid }
            }
        }
        return out
    }
}
