// A result's summary line as every goss format prints it (goss.md §6.1).

extension GossResult {
    /// The multi-line form (`summary-line` in JSON; documentation and rspecish print it).
    ///
    ///     Port: tcp:8787: listening:
    ///     Expected
    ///         false
    ///     to equal
    ///         true
    public var summaryLine: String { summaryLine(includeRaw: true) }

    /// The one-line form: `Port: tcp:8787: listening: Expected false to equal true`.
    public var summaryLineCompact: String { summaryLineCompact(includeRaw: true) }

    /// `includeRaw: false` is `-o exclude_raw`: no "the raw value was" block.
    public func summaryLine(includeRaw: Bool) -> String { render(compact: false, includeRaw: includeRaw) }

    public func summaryLineCompact(includeRaw: Bool) -> String { render(compact: true, includeRaw: includeRaw) }

    private func render(compact: Bool, includeRaw: Bool) -> String {
        let head = "\(resourceType): \(resourceID): \(property):"
        switch outcome {
        case .skip:
            return head + " skipped"
        case .success:
            return head + " matches expectation: " + GossJSON.encodeRaw(matcherResult.expected ?? .null)
        case .fail:
            break
        }
        let m = matcherResult
        var blocks: [(label: String, body: String)] = []
        if let err {
            blocks.append(("Error", compact ? err.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ") : err))
        } else {
            blocks.append(("Expected", GossJSON.encodeRaw(m.actual ?? .null)))
            blocks.append((m.message, GossJSON.encodeRaw(m.expected ?? .null)))
            if !compact, case .string(let expected)? = m.expected, case .string(let actual)? = m.actual,
               !expected.utf8.elementsEqual(actual.utf8) {
                blocks.append(("diff", UnifiedDiff.diff(expected, actual, fromFile: "test", toFile: "actual", context: 1)))
            }
        }
        if let missing = m.missingElements, !missing.isEmpty {
            blocks.append(("the missing elements were", GossJSON.encodeRaw(.list(missing))))
        }
        if let extra = m.extraElements, !extra.isEmpty {
            blocks.append(("the extra elements were", GossJSON.encodeRaw(.list(extra))))
        }
        if let chain = m.transformChain, !chain.isEmpty {
            blocks.append(("the transform chain was", GossJSON.encodeRaw(.list(chain))))
            if includeRaw {
                blocks.append(("the raw value was", GossJSON.encodeRaw(m.untransformedValue ?? .null)))
            }
        }
        if compact {
            return ([head] + blocks.map { $0.label + " " + $0.body }).joined(separator: " ")
        }
        return head + "\n" + blocks.map { $0.label + "\n" + Self.indent($0.body) }.joined(separator: "\n")
    }

    /// The compact line to print: the one a real goss recorded (results read back from its JSON), else ours.
    func printedCompactLine(includeRaw: Bool) -> String {
        recordedSummaryLineCompact ?? summaryLineCompact(includeRaw: includeRaw)
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }
}

/// go-difflib's unified diff (a port of Python's difflib): `--- test`, `+++ actual`, hunks with context.
enum UnifiedDiff {
    /// The diff text without its final newline.
    static func diff(_ a: String, _ b: String, fromFile: String, toFile: String, context: Int) -> String {
        let aLines = splitLines(a), bLines = splitLines(b)
        var out = ""
        var started = false
        for group in groupedOpcodes(aLines, bLines, context: context) {
            if !started {
                started = true
                out += "--- \(fromFile)\n+++ \(toFile)\n"
            }
            guard let first = group.first, let last = group.last else { continue }
            out += "@@ -\(range(first.i1, last.i2)) +\(range(first.j1, last.j2)) @@\n"
            for op in group {
                if op.tag == .equal {
                    for line in aLines[op.i1..<op.i2] { out += " " + line }
                    continue
                }
                if op.tag == .replace || op.tag == .delete { for line in aLines[op.i1..<op.i2] { out += "-" + line } }
                if op.tag == .replace || op.tag == .insert { for line in bLines[op.j1..<op.j2] { out += "+" + line } }
            }
        }
        while out.hasSuffix("\n") { out.removeLast() }
        return out
    }

    /// Lines with their "\n"; the last one gets one too (go-difflib's `SplitLines`).
    static func splitLines(_ s: String) -> [String] {
        // A final empty piece after a trailing newline stays: "a\n" → ["a\n", "\n"], as SplitAfter + "\n".
        s.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
    }

    private static func range(_ start: Int, _ stop: Int) -> String {
        var beginning = start + 1
        let length = stop - start
        if length == 1 { return "\(beginning)" }
        if length == 0 { beginning -= 1 }
        return "\(beginning),\(length)"
    }

    enum Tag { case equal, replace, delete, insert }
    struct Opcode {
        var tag: Tag
        var i1: Int, i2: Int, j1: Int, j2: Int
    }

    static func groupedOpcodes(_ a: [String], _ b: [String], context n: Int) -> [[Opcode]] {
        var codes = opcodes(a, b)
        if codes.isEmpty { codes = [Opcode(tag: .equal, i1: 0, i2: 1, j1: 0, j2: 1)] }
        if codes[0].tag == .equal {
            let c = codes[0]
            codes[0] = Opcode(tag: .equal, i1: max(c.i1, c.i2 - n), i2: c.i2, j1: max(c.j1, c.j2 - n), j2: c.j2)
        }
        if let c = codes.last, c.tag == .equal {
            codes[codes.count - 1] = Opcode(tag: .equal, i1: c.i1, i2: min(c.i2, c.i1 + n), j1: c.j1, j2: min(c.j2, c.j1 + n))
        }
        let nn = n + n
        var groups: [[Opcode]] = []
        var group: [Opcode] = []
        for var c in codes {
            if c.tag == .equal, c.i2 - c.i1 > nn {
                group.append(Opcode(tag: .equal, i1: c.i1, i2: min(c.i2, c.i1 + n), j1: c.j1, j2: min(c.j2, c.j1 + n)))
                groups.append(group)
                group = []
                c.i1 = max(c.i1, c.i2 - n)
                c.j1 = max(c.j1, c.j2 - n)
            }
            group.append(c)
        }
        if !group.isEmpty, !(group.count == 1 && group[0].tag == .equal) { groups.append(group) }
        return groups
    }

    static func opcodes(_ a: [String], _ b: [String]) -> [Opcode] {
        var i = 0, j = 0
        var result: [Opcode] = []
        for block in matchingBlocks(a, b) {
            let tag: Tag? = i < block.a && j < block.b ? .replace : (i < block.a ? .delete : (j < block.b ? .insert : nil))
            if let tag { result.append(Opcode(tag: tag, i1: i, i2: block.a, j1: j, j2: block.b)) }
            i = block.a + block.size
            j = block.b + block.size
            if block.size > 0 { result.append(Opcode(tag: .equal, i1: block.a, i2: i, j1: block.b, j2: j)) }
        }
        return result
    }

    struct Block { var a: Int, b: Int, size: Int }

    static func matchingBlocks(_ a: [String], _ b: [String]) -> [Block] {
        // b2j without the popular elements (autojunk for 200+ lines), as difflib.
        var b2j: [String: [Int]] = [:]
        for (index, line) in b.enumerated() { b2j[line, default: []].append(index) }
        if b.count >= 200 {
            let limit = b.count / 100 + 1
            for (line, indices) in b2j where indices.count > limit { b2j[line] = nil }
        }
        func longest(_ alo: Int, _ ahi: Int, _ blo: Int, _ bhi: Int) -> Block {
            var besti = alo, bestj = blo, bestsize = 0
            var j2len: [Int: Int] = [:]
            for i in alo..<ahi {
                var newj2len: [Int: Int] = [:]
                for j in b2j[a[i]] ?? [] {
                    if j < blo { continue }
                    if j >= bhi { break }
                    let k = (j2len[j - 1] ?? 0) + 1
                    newj2len[j] = k
                    if k > bestsize { besti = i - k + 1; bestj = j - k + 1; bestsize = k }
                }
                j2len = newj2len
            }
            while besti > alo, bestj > blo, a[besti - 1] == b[bestj - 1] {
                besti -= 1; bestj -= 1; bestsize += 1
            }
            while besti + bestsize < ahi, bestj + bestsize < bhi, a[besti + bestsize] == b[bestj + bestsize] {
                bestsize += 1
            }
            return Block(a: besti, b: bestj, size: bestsize)
        }
        var queue = [(0, a.count, 0, b.count)]
        var blocks: [Block] = []
        while let (alo, ahi, blo, bhi) = queue.popLast() {
            let m = longest(alo, ahi, blo, bhi)
            if m.size > 0 {
                blocks.append(m)
                if alo < m.a && blo < m.b { queue.append((alo, m.a, blo, m.b)) }
                if m.a + m.size < ahi && m.b + m.size < bhi { queue.append((m.a + m.size, ahi, m.b + m.size, bhi)) }
            }
        }
        blocks.sort { ($0.a, $0.b) < ($1.a, $1.b) }
        // Collapse adjacent blocks.
        var collapsed: [Block] = []
        for block in blocks {
            if var last = collapsed.last, last.a + last.size == block.a, last.b + last.size == block.b {
                last.size += block.size
                collapsed[collapsed.count - 1] = last
            } else {
                collapsed.append(block)
            }
        }
        collapsed.append(Block(a: a.count, b: b.count, size: 0))
        return collapsed
    }
}
