// The pattern-list matcher on line streams (goss.md §4.2): a YAML list of substrings and /regexes/,
// each line tested on its raw bytes.

enum PatternList {
    /// bufio.Scanner's buffer as goss sizes it: a line must fit in 1 MiB with its newline.
    static let maximumLine = 1 << 20

    struct Pattern {
        enum Test {
            case plain([UInt8])
            case regex(RE2Regex)
        }
        var original: GossValue
        var inverse: Bool
        var test: Test
        var isEmptyPlain: Bool

        /// nil when a regex search was abandoned (see `RE2Regex.budget`).
        func matches(_ line: ArraySlice<UInt8>) -> Bool? {
            switch test {
            case .plain(let needle):
                return needle.isEmpty || line.firstRange(of: needle) != nil
            case .regex(let regex):
                return regex.search(String(decoding: line, as: UTF8.self))
            }
        }
    }

    /// Classifies one written pattern: regex when it starts with `/` or `!/` and ends with `/`; otherwise a
    /// substring with every leading `\`, `/` and `!` trimmed.
    static func classify(_ text: String) -> Result<Pattern, MatchFailure> {
        var inverse = false
        if (text.hasPrefix("/") || text.hasPrefix("!/")) && text.hasSuffix("/") {
            var body = Substring(text)
            if body.hasPrefix("!") { inverse = true; body = body.dropFirst() }
            body = body.dropFirst()                        // the opening '/'
            if body.hasSuffix("/") { body = body.dropLast() }
            switch RE2.compile(String(body)) {
            case .failure(let error): return .failure(MatchFailure(error.message))
            case .success(let regex):
                return .success(Pattern(original: .string(text), inverse: inverse, test: .regex(regex), isEmptyPlain: false))
            }
        }
        if text.hasPrefix("!") { inverse = true }
        let trimmed = text.drop { $0 == "\\" || $0 == "/" || $0 == "!" }
        return .success(Pattern(original: .string(text), inverse: inverse, test: .plain(Array(trimmed.utf8)), isEmptyPlain: trimmed.isEmpty && !inverse))
    }

    /// The matcher on a stream: `actual` is `object: <Go type>` in a failure report.
    static func evaluate(patterns: [GossValue], stream: GossStream) -> Evaluation {
        evaluate(patterns: patterns, bytes: stream.bytes, shownActual: .string("object: \(stream.goType)"))
    }

    static func evaluate(patterns: [GossValue], bytes: [UInt8], shownActual: GossValue) -> Evaluation {
        var report = Report(actual: shownActual, expected: .list(patterns), message: "to have patterns", negatedMessage: "not to have patterns")
        var compiled: [Pattern] = []
        for value in patterns {
            guard case .string(let text) = value else {
                return .error("HavePatterns matcher expects patterns to be a string", report)
            }
            switch classify(text) {
            case .failure(let failure): return .error(failure.message, report)
            case .success(let pattern): compiled.append(pattern)
            }
        }
        // nil: undecided; true: found; false: an inverse pattern matched a line.
        var decided = [Bool?](repeating: nil, count: compiled.count)
        var undecided = compiled.count
        var start = 0
        let count = bytes.count
        while undecided > 0, start < count {
            var end = start
            while end < count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            // The line and its newline must fit the buffer; a last line without one fills it at 1 MiB too.
            if end - start >= maximumLine {
                return .error("bufio.Scanner: token too long", report)
            }
            var lineEnd = end
            if lineEnd > start, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let line = bytes[start..<lineEnd]
            for index in compiled.indices where decided[index] == nil {
                guard let hit = compiled[index].matches(line) else { return .error(RE2Regex.tooSlow, report) }
                if hit {
                    decided[index] = !compiled[index].inverse
                    undecided -= 1
                }
            }
            start = end + 1
        }
        var found: [GossValue] = []
        var missing: [GossValue] = []
        for (index, pattern) in compiled.enumerated() {
            let ok = decided[index] ?? (pattern.inverse || pattern.isEmptyPlain)
            if ok { found.append(pattern.original) } else { missing.append(pattern.original) }
        }
        report.found = found.isEmpty ? nil : found
        report.missing = missing.isEmpty ? nil : missing
        return missing.isEmpty ? .matched(report) : .unmatched(report)
    }
}
