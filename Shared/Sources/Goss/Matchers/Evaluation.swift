// Running a matcher tree on one actual value (goss.md §4.1–4.4).

extension MatcherNode {
    func evaluate(_ actual: GossActual) -> Evaluation {
        switch self {
        case .stringEqual(let expected):
            return transforming(actual, Self.stringConversion(actual), step: "to-string") { converted in
                let text = Convert.toString(converted).text
                let report = Report(actual: .string(text), expected: .string(expected), message: "to equal", negatedMessage: "not to equal")
                return text.utf8.elementsEqual(expected.utf8) ? .matched(report) : .unmatched(report)
            }

        case .boolEqual(let expected):
            let report = Report(actual: Convert.json(actual), expected: .bool(expected), message: "to equal", negatedMessage: "not to equal")
            if case .value(.bool(let b)) = actual, b == expected { return .matched(report) }
            return .unmatched(report)

        case .equal(let expected):
            let report = Report(actual: Convert.json(actual), expected: expected, message: "to equal", negatedMessage: "not to equal")
            if expected.isNull, case .value(.null) = actual {
                return .error("Refusing to compare <nil> to <nil>.\nBe explicit and use BeNil() instead.  This is to avoid mistakes where both sides of an assertion are erroneously uninitialized.", report)
            }
            guard case .value(let value) = actual else { return .unmatched(report) }
            return Self.deepEqual(value, expected, depth: 0) ? .matched(report) : .unmatched(report)

        case .numeric(let op, let expected):
            let message = "to be numerically \(op.rawValue)"
            switch Convert.toNumeric(actual) {
            case .failure(let error):
                return .error(error.message, Report(actual: Convert.json(actual), expected: expected, message: message, negatedMessage: "not " + message))
            case .success(let converted):
                let target: Double = switch expected {
                case .int(let i): Double(i)
                case .float(let f): f
                default: .nan
                }
                var report = Report(actual: converted.value, expected: expected, message: message, negatedMessage: "not " + message)
                if converted.changed { report.prependTransform(Self.step("to-numeric"), raw: Convert.json(actual)) }
                return op.compare(converted.number, target) ? .matched(report) : .unmatched(report)
            }

        case .stringTest(let test, let operand):
            return transforming(actual, Self.stringConversion(actual), step: "to-string") { converted in
                let text = Convert.toString(converted).text
                let report = Report(actual: .string(text), expected: .string(operand), message: test.message, negatedMessage: "not " + test.message)
                return test.test(text, operand) ? .matched(report) : .unmatched(report)
            }

        case .matchRegexp(let pattern):
            return transforming(actual, Self.stringConversion(actual), step: "to-string") { converted in
                let text = Convert.toString(converted).text
                let message = "to match regular expression"
                let report = Report(actual: .string(text), expected: .string(pattern), message: message, negatedMessage: "not " + message)
                switch RE2.compile(pattern) {
                case .failure(let error): return .error(error.message, report)
                case .success(let regex):
                    guard let hit = regex.search(text) else { return .error(RE2Regex.tooSlow, report) }
                    return hit ? .matched(report) : .unmatched(report)
                }
            }

        case .haveLen(let length):
            let report = Report(actual: Convert.json(actual), expected: .int(length), message: "to have length", negatedMessage: "not to have length")
            let count: Int
            switch actual {
            case .value(.string(let s)): count = s.utf8.count
            case .value(.list(let items)): count = items.count
            case .value(.map(let entries)): count = entries.count
            case .strings(let s): count = s.count
            default:
                return .error("HaveLen matcher expects a string/array/map/channel/slice.  Got:\n\(GoFormat.object(actual))", report)
            }
            return count == length ? .matched(report) : .unmatched(report)

        case .havePatterns(let patterns):
            return transforming(actual, Self.stringConversion(actual), step: "to-string") { converted in
                let text = Convert.toString(converted).text
                return PatternList.evaluate(patterns: patterns, bytes: Array(text.utf8), shownActual: .string(text))
            }

        case .haveKey(let node):
            let message = "to have key matching"
            let report = Report(actual: Convert.json(actual), expected: node.serialized, message: message, negatedMessage: "not " + message)
            guard case .value(.map(let entries)) = actual else {
                return .error("HaveKey matcher expects a map.  Got:\n\(GoFormat.object(actual))", report)
            }
            return Self.any(entries.map { GossActual.value(.string($0.key)) }, node, report)

        case .containElement(let node):
            return transforming(actual, Convert.toArray(actual), step: "to-array") { converted in
                let message = "to contain element matching"
                let report = Report(actual: Convert.json(converted), expected: node.serialized, message: message, negatedMessage: "not " + message)
                guard let elements = Convert.elements(converted) else {
                    return .error("ContainElement matcher expects an array/slice/map.  Got:\n\(GoFormat.object(converted))", report)
                }
                return Self.any(elements, node, report)
            }

        case .containElements(let nodes, let explicit):
            if explicit {
                return transforming(actual, Convert.toArray(actual), step: "to-array") { Self.containElements(nodes, $0, operand: self.operand) }
            }
            return Self.containElements(nodes, actual, operand: operand)

        case .consistOf(let nodes):
            let message = "to consist of"
            var report = Report(actual: Convert.json(actual), expected: operand, message: message, negatedMessage: "not " + message)
            guard let elements = Convert.elements(actual) else {
                return .error("ConsistOf matcher expects an array/slice/map.  Got:\n\(GoFormat.object(actual))", report)
            }
            let pairing = Self.pairing(nodes, elements)
            let matchedRight = Set(pairing.compactMap { $0 })
            let found = nodes.indices.filter { pairing[$0] != nil }.map { nodes[$0].serialized }
            let missing = nodes.indices.filter { pairing[$0] == nil }.map { nodes[$0].serialized }
            let extra = elements.indices.filter { !matchedRight.contains($0) }.map { Convert.json(elements[$0]) }
            report.found = found.isEmpty ? nil : found
            report.missing = missing.isEmpty ? nil : missing
            report.extra = extra.isEmpty ? nil : extra
            return missing.isEmpty && extra.isEmpty ? .matched(report) : .unmatched(report)

        case .not(let node):
            switch node.evaluate(actual) {
            case .matched(let report): return .unmatched(report.negated)
            case .unmatched(let report): return .matched(report.negated)
            case .error(let message, let report): return .error(message, report)
            }

        case .and(let nodes):
            for node in nodes {
                let evaluation = node.evaluate(actual)
                if !evaluation.isMatch { return evaluation }
            }
            return .matched(Report(actual: Convert.json(actual), expected: operand, message: "to satisfy all of these matchers",
                                   negatedMessage: "not to satisfy all of these matchers"))

        case .or(let nodes):
            for node in nodes {
                switch node.evaluate(actual) {
                case .matched:
                    return .matched(Report(actual: Convert.json(actual), expected: operand, message: "to satisfy at least one of these matchers",
                                           negatedMessage: "not to satisfy at least one of these matchers"))
                case .error(let message, let report): return .error(message, report)
                case .unmatched: continue
                }
            }
            return .unmatched(Report(actual: Convert.json(actual), expected: operand, message: "to satisfy at least one of these matchers",
                                     negatedMessage: "not to satisfy at least one of these matchers"))

        case .semverConstraint(let constraint):
            let message = "to satisfy semver constraint"
            let report = Report(actual: Convert.json(actual), expected: .string(constraint), message: message, negatedMessage: "not " + message)
            let versions: [String]
            switch actual {
            case .value(.string(let s)): versions = [s]
            case .strings(let s): versions = s
            case .value(.list(let items)):
                var strings: [String] = []
                for item in items {
                    guard case .string(let s) = item else {
                        return .error("BeSemverConstraint matcher expects a version string or a list of them.  Got:\n\(GoFormat.object(actual))", report)
                    }
                    strings.append(s)
                }
                versions = strings
            default:
                return .error("BeSemverConstraint matcher expects a version string or a list of them.  Got:\n\(GoFormat.object(actual))", report)
            }
            let range: SemverRange
            switch SemverRange.parse(constraint) {
            case .failure(let error): return .error(error.message, report)
            case .success(let r): range = r
            }
            for text in versions {
                switch Semver.parse(text) {
                case .failure(let error): return .error(error.message, report)
                case .success(let version):
                    if !range.contains(version) { return .unmatched(report) }
                }
            }
            return .matched(report)

        case .gjson(let paths):
            let raw = Convert.json(actual)
            let andReport = Report(actual: raw, expected: operand, message: "to satisfy all of these matchers",
                                   negatedMessage: "not to satisfy all of these matchers")
            guard case .value(.string(let text)) = actual, let document = GJSON.parse(text) else {
                return .error("Invalid json", andReport)
            }
            for (path, node) in paths {
                guard let extracted = GJSON.get(document, path: path) else {
                    return .error("Path not found: \(path)", andReport)
                }
                var evaluation = node.evaluate(.value(extracted))
                let step = GossValue.map([GossEntry("gjson", .map([GossEntry("Path", .string(path))]))])
                evaluation = Self.prepend(step, raw: raw, to: evaluation)
                if !evaluation.isMatch { return evaluation }
            }
            return .matched(andReport)
        }
    }

    // MARK: Helpers

    static func step(_ name: String) -> GossValue { .map([GossEntry(name, .emptyObject)]) }

    static func stringConversion(_ actual: GossActual) -> (value: GossActual, changed: Bool) {
        let (text, changed) = Convert.toString(actual)
        return (.value(.string(text)), changed)
    }

    /// Runs `body` on the converted actual; when the conversion changed it, the reports carry the transform.
    private func transforming(_ actual: GossActual, _ conversion: (value: GossActual, changed: Bool), step name: String,
                              _ body: (GossActual) -> Evaluation) -> Evaluation {
        let evaluation = body(conversion.value)
        guard conversion.changed else { return evaluation }
        return Self.prepend(Self.step(name), raw: Convert.json(actual), to: evaluation)
    }

    static func prepend(_ step: GossValue, raw: GossValue, to evaluation: Evaluation) -> Evaluation {
        switch evaluation {
        case .matched(var r): r.prependTransform(step, raw: raw); return .matched(r)
        case .unmatched(var r): r.prependTransform(step, raw: raw); return .unmatched(r)
        case .error(let m, var r): r?.prependTransform(step, raw: raw); return .error(m, r)
        }
    }

    /// Some element matches `node`; element errors count only when nothing matches (the last one is reported).
    private static func any(_ elements: [GossActual], _ node: MatcherNode, _ report: Report) -> Evaluation {
        var lastError: String?
        for element in elements {
            switch node.evaluate(element) {
            case .matched: return .matched(report)
            case .error(let message, _): lastError = message
            case .unmatched: continue
            }
        }
        if let lastError { return .error(lastError, report) }
        return .unmatched(report)
    }

    /// Every matcher pairs with a distinct element (maximum bipartite matching; extra elements allowed).
    private static func containElements(_ nodes: [MatcherNode], _ actual: GossActual, operand: GossValue) -> Evaluation {
        let message = "to contain elements matching"
        var report = Report(actual: Convert.json(actual), expected: operand, message: message, negatedMessage: "not " + message)
        guard let elements = Convert.elements(actual) else {
            return .error("ContainElements matcher expects an array/slice/map.  Got:\n\(GoFormat.object(actual))", report)
        }
        let pairing = pairing(nodes, elements)
        let found = nodes.indices.filter { pairing[$0] != nil }.map { nodes[$0].serialized }
        let missing = nodes.indices.filter { pairing[$0] == nil }.map { nodes[$0].serialized }
        report.found = found.isEmpty ? nil : found
        report.missing = missing.isEmpty ? nil : missing
        return missing.isEmpty ? .matched(report) : .unmatched(report)
    }

    /// The element each matcher pairs with in a maximum matching. Plain string expectations (the usual
    /// `groups: [a, b]`) pair by text without trying every combination.
    static func pairing(_ nodes: [MatcherNode], _ elements: [GossActual]) -> [Int?] {
        var texts: [[UInt8]] = []
        for node in nodes {
            guard case .stringEqual(let s) = node else {
                return Bipartite.maximumMatching(left: nodes.count, right: elements.count) { nodes[$0].evaluate(elements[$1]).isMatch }
            }
            texts.append(Array(s.utf8))
        }
        // Each expected text's candidates are exactly the elements with that text: the classes are disjoint,
        // so taking them in order is a maximum matching.
        var available: [[UInt8]: [Int]] = [:]
        for (index, element) in elements.enumerated() {
            available[Array(Convert.toString(element).text.utf8), default: []].append(index)
        }
        var next: [[UInt8]: Int] = [:]
        return texts.map { text in
            let position = next[text, default: 0]
            guard let candidates = available[text], position < candidates.count else { return nil }
            next[text] = position + 1
            return candidates[position]
        }
    }

    /// Go's `reflect.DeepEqual` on decoded values: types must match exactly; maps ignore key order.
    static func deepEqual(_ a: GossValue, _ b: GossValue, depth: Int) -> Bool {
        guard depth < 256 else { return false }
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { deepEqual($0, $1, depth: depth + 1) }
        case (.map(let x), .map(let y)):
            guard x.count == y.count else { return false }
            for entry in x {
                guard let other = y.first(where: { $0.key.utf8.elementsEqual(entry.key.utf8) }),
                      deepEqual(entry.value, other.value, depth: depth + 1) else { return false }
            }
            return true
        default: return false
        }
    }
}

/// Maximum bipartite matching (augmenting paths, iterative): which right node each left node got.
enum Bipartite {
    static func maximumMatching(left: Int, right: Int, edge: (Int, Int) -> Bool) -> [Int?] {
        var adjacency: [[Int]] = Array(repeating: [], count: left)
        for l in 0..<left {
            for r in 0..<right where edge(l, r) { adjacency[l].append(r) }
        }
        var matchOfLeft = [Int?](repeating: nil, count: left)
        var matchOfRight = [Int?](repeating: nil, count: right)
        for root in 0..<left where !adjacency[root].isEmpty {
            var visited = [Bool](repeating: false, count: right)
            var stack: [(node: Int, next: Int)] = [(root, 0)]
            var chosen: [Int] = []
            while let top = stack.last {
                if top.next >= adjacency[top.node].count {
                    stack.removeLast()
                    if !chosen.isEmpty { chosen.removeLast() }
                    continue
                }
                stack[stack.count - 1].next += 1
                let r = adjacency[top.node][top.next]
                if visited[r] { continue }
                visited[r] = true
                chosen.append(r)
                if let owner = matchOfRight[r] {
                    stack.append((owner, 0))
                } else {
                    for (level, frame) in stack.enumerated() {
                        matchOfLeft[frame.node] = chosen[level]
                        matchOfRight[chosen[level]] = frame.node
                    }
                    break
                }
            }
        }
        return matchOfLeft
    }
}
