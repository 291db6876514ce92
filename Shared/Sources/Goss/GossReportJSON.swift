// Reading goss's JSON output back into a report (what a real `dgoss` printed), for tables and JUnit.
import Foundation

/// goss `--format json` output → `GossReport`.
public enum GossReportJSON {
    /// nil when the text is not goss JSON (no `summary` object with the counts).
    public static func parse(_ text: String) -> GossReport? {
        guard let value = try? GossDecoding.json(text, file: "dgoss output")?.value,
              let summary = value["summary"], summary["test-count"] != nil, summary["failed-count"] != nil else { return nil }
        guard case .list(let items)? = value["results"] ?? .list([]) else { return nil }
        var results: [GossResult] = []
        for item in items {
            func text(_ key: String) -> String { if case .string(let s)? = item[key] { s } else { "" } }
            let skipped = item["skipped"] == .bool(true)
            let successful = item["successful"] == .bool(true)
            let outcome: GossOutcome = skipped ? .skip : successful ? .success : .fail
            let start = parseTime(text("start-time")) ?? Date(timeIntervalSince1970: 0)
            let end = parseTime(text("end-time")) ?? start
            var matcher = GossMatcherResult()
            if let m = item["matcher-result"] {
                if case .string(let message)? = m["message"] { matcher.message = message }
                matcher.actual = m["actual"].flatMap { $0.isNull ? nil : $0 }
                matcher.expected = m["expected"].flatMap { $0.isNull ? nil : $0 }
                if case .list(let l)? = m["missing-elements"] { matcher.missingElements = l }
                if case .list(let l)? = m["found-elements"] { matcher.foundElements = l }
                if case .list(let l)? = m["extra-elements"] { matcher.extraElements = l }
            }
            var result = GossResult(resourceType: text("resource-type"), resourceID: text("resource-id"), property: text("property"),
                                    title: text("title"), meta: item["meta"].flatMap { $0.isNull ? nil : $0 }, outcome: outcome,
                                    err: item["err"].flatMap { if case .string(let s) = $0 { s } else { nil } },
                                    matcherResult: matcher, startTime: start, endTime: end)
            result.recordedSummaryLineCompact = text("summary-line-compact")
            results.append(result)
        }
        return GossReport(results: results)
    }

    /// Go's RFC 3339 with up to nanoseconds.
    static func parseTime(_ text: String) -> Date? {
        guard !text.isEmpty else { return nil }
        var base = text, fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let rest = text[text.index(after: dot)...]
            let digits = rest.prefix { $0.isNumber }
            fraction = Double("0." + digits) ?? 0
            base = String(text[..<dot]) + rest.dropFirst(digits.count)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: base).map { $0.addingTimeInterval(fraction) }
    }
}
