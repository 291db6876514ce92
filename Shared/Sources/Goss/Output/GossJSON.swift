// Go's encoding/json as goss's outputs use it: generic maps (keys sorted), HTML-escaped strings, Go's
// float spelling, RFC 3339 times with nanoseconds (goss.md §6.2).
import Foundation
import GoTemplate

public enum GossJSON {
    /// Objects deeper than this print as `null` (JSON output never traps on a hostile value).
    static let maximumDepth = 200

    /// One JSON text with Go's rules: keys sorted by bytes, `<` `>` `&` as `\u003c` `\u003e` `\u0026`,
    /// U+2028/U+2029 escaped, integral floats without `.0` (`1`, `1e+21`). `pretty` indents by `indent`
    /// spaces per level (`json.MarshalIndent`); no trailing newline.
    public static func encode(_ value: GossValue, pretty: Bool = false, indent: Int = 4) -> String {
        var out = ""
        write(value, into: &out, pretty: pretty, indent: String(repeating: " ", count: max(0, indent)), level: 0, escapeHTML: true)
        return out
    }

    /// Compact, without HTML escaping: the JSON inside summary lines.
    static func encodeRaw(_ value: GossValue) -> String {
        var out = ""
        write(value, into: &out, pretty: false, indent: "", level: 0, escapeHTML: false)
        return out
    }

    private static func write(_ value: GossValue, into out: inout String, pretty: Bool, indent: String, level: Int, escapeHTML: Bool) {
        guard level < maximumDepth else { out += "null"; return }
        func newline(_ depth: Int) {
            guard pretty else { return }
            out += "\n"
            for _ in 0..<depth { out += indent }
        }
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let f): out += float(f)
        case .string(let s): string(s, into: &out, escapeHTML: escapeHTML)
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                newline(level + 1)
                write(item, into: &out, pretty: pretty, indent: indent, level: level + 1, escapeHTML: escapeHTML)
            }
            newline(level)
            out += "]"
        case .map(let entries):
            if entries.isEmpty { out += "{}"; return }
            // A Go map has one value per key: the last one written wins.
            var byKey: [String: GossValue] = [:]
            for entry in entries { byKey[entry.key] = entry.value }
            let keys = byKey.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            out += "{"
            for (i, key) in keys.enumerated() {
                if i > 0 { out += "," }
                newline(level + 1)
                string(key, into: &out, escapeHTML: escapeHTML)
                out += pretty ? ": " : ":"
                write(byKey[key] ?? .null, into: &out, pretty: pretty, indent: indent, level: level + 1, escapeHTML: escapeHTML)
            }
            newline(level)
            out += "}"
        }
    }

    /// Strings are written as Go's encoding/json writes them (`GoJSON.string`).
    static func string(_ s: String, into out: inout String, escapeHTML: Bool) {
        out += GoJSON.string(s, escapeHTML: escapeHTML)
    }

    /// Go's JSON float: shortest digits, `%f` style between 1e-6 and 1e21, else `%e` with `e-7` not `e-07`.
    /// NaN and infinities (which Go refuses to encode) print as `null`.
    static func float(_ f: Double) -> String {
        guard f.isFinite else { return "null" }
        if f == 0 { return f.sign == .minus ? "-0" : "0" }
        let (digits, point) = ShortestDigits.decompose(abs(f))
        let sign = f < 0 ? "-" : ""
        let magnitude = abs(f)
        if magnitude < 1e-6 || magnitude >= 1e21 {
            var text = String(digits.prefix(1))
            if digits.count > 1 { text += "." + digits.dropFirst() }
            // Go writes at least two exponent digits, then turns `e-07` into `e-7` (e+ keeps two: `1e+21`).
            let e = point - 1
            text += e < 0 ? "e-\(-e)" : (e < 10 ? "e+0\(e)" : "e+\(e)")
            return sign + text
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        let index = digits.index(digits.startIndex, offsetBy: point)
        return sign + digits[..<index] + "." + digits[index...]
    }

    /// goss.md §6.2: `{"results": […], "summary": {…}}` with every key goss writes.
    public static func report(_ report: GossReport) -> GossValue {
        self.report(report, options: GossFormatOptions())
    }

    static func report(_ report: GossReport, options: GossFormatOptions) -> GossValue {
        let results = GossFormatter.ordered(report.results, sort: options.sort)
        return .map([
            GossEntry("results", .list(results.map { result(for: $0, includeRaw: !options.excludeRaw) })),
            GossEntry("summary", .map([
                GossEntry("failed-count", .int(report.failedCount)),
                GossEntry("skipped-count", .int(report.skippedCount)),
                GossEntry("summary-line", .string(GossFormatter.countLine(report))),
                GossEntry("test-count", .int(report.testCount)),
                GossEntry("total-duration", .int(Int(report.totalDuration))),
            ])),
        ])
    }

    static func matcherResult(_ m: GossMatcherResult) -> GossValue {
        func list(_ l: [GossValue]?) -> GossValue { l.map(GossValue.list) ?? .null }
        return .map([
            GossEntry("actual", m.actual ?? .null),
            GossEntry("expected", m.expected ?? .null),
            GossEntry("extra-elements", list(m.extraElements)),
            GossEntry("found-elements", list(m.foundElements)),
            GossEntry("message", .string(m.message)),
            GossEntry("missing-elements", list(m.missingElements)),
            GossEntry("transform-chain", list(m.transformChain)),
            GossEntry("untransformed-value", m.untransformedValue ?? .null),
        ])
    }

    /// One result object of the json format (the structured format uses the same keys).
    static func result(for r: GossResult, includeRaw: Bool) -> GossValue {
        .map([
            GossEntry("duration", .int(Int(r.duration))),
            GossEntry("end-time", .string(GoTime.rfc3339Nano(r.endTime))),
            GossEntry("err", r.err.map(GossValue.string) ?? .null),
            GossEntry("matcher-result", matcherResult(r.matcherResult)),
            GossEntry("meta", r.meta ?? .null),
            GossEntry("property", .string(r.property)),
            GossEntry("resource-id", .string(r.resourceID)),
            GossEntry("resource-type", .string(r.resourceType)),
            GossEntry("result", .int(r.outcome.rawValue)),
            GossEntry("skipped", .bool(r.skipped)),
            GossEntry("start-time", .string(GoTime.rfc3339Nano(r.startTime))),
            GossEntry("successful", .bool(r.successful)),
            GossEntry("summary-line", .string(r.summaryLine(includeRaw: includeRaw))),
            GossEntry("summary-line-compact", .string(r.printedCompactLine(includeRaw: includeRaw))),
            GossEntry("title", .string(r.title)),
        ])
    }
}

/// Shortest round-trip decimal digits of a positive finite double, and where the point goes.
enum ShortestDigits {
    /// `(digits, point)`: the value is `0.<digits> × 10^point`, digits without leading or trailing zeros.
    static func decompose(_ value: Double) -> (digits: String, point: Int) {
        let text = "\(value)"
        var mantissa = Substring(text)
        var exp10 = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exp10 = Int(text[text.index(after: e)...]) ?? 0
        }
        var intPart = mantissa
        var fracPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            fracPart = mantissa[mantissa.index(after: dot)...]
        }
        var all = String(intPart) + String(fracPart)
        var point = intPart.count + exp10
        while all.hasPrefix("0"), all.count > 1 {
            all.removeFirst()
            point -= 1
        }
        while all.hasSuffix("0"), all.count > 1 { all.removeLast() }
        return (all, point)
    }
}

/// Go's time layouts, in UTC.
enum GoTime {
    /// `2006-01-02T15:04:05.999999999Z07:00`: fraction with trailing zeros trimmed (to microseconds: what a
    /// `Date` holds reliably).
    static func rfc3339Nano(_ date: Date) -> String {
        let (seconds, micros) = split(date)
        var text = civil(seconds)
        if micros > 0 {
            var fraction = String(micros * 1000)
            fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// `2006-01-02T15:04:05Z07:00`.
    static func rfc3339(_ date: Date) -> String {
        civil(Int64((date.timeIntervalSince1970).rounded(.down))) + "Z"
    }

    private static func split(_ date: Date) -> (Int64, Int64) {
        let t = date.timeIntervalSince1970
        guard t.isFinite, abs(t) < 1e15 else { return (0, 0) }
        var seconds = Int64(t.rounded(.down))
        var micros = Int64(((t - Double(seconds)) * 1e6).rounded())
        if micros >= 1_000_000 { seconds += 1; micros -= 1_000_000 }
        return (seconds, micros)
    }

    /// `YYYY-MM-DDTHH:MM:SS` of Unix seconds (proleptic Gregorian, days-from-civil inverse).
    private static func civil(_ unix: Int64) -> String {
        let s = max(-62_135_596_800, min(unix, 253_402_300_799))   // years 1…9999
        var days = s / 86_400
        var rem = s % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        if m <= 2 { y += 1 }
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-" + two(m) + "-" + two(d)
            + "T" + two(rem / 3600) + ":" + two(rem % 3600 / 60) + ":" + two(rem % 60)
    }
}
