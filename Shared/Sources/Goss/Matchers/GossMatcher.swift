// The expected side of a check turned into a matcher (goss.md §4.1, §4.3): built once from the
// decoded gossfile value, then run against what the probe found.

/// A matcher that goss would refuse before running it: `Syntax Error: …` as the result's `err`.
public struct GossMatcherSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One property's matcher.
///
///     let m = try GossMatcher(.list([.string("/usr/bin/openssl")]))
///     m.match(.stream(.commandOutput(Array("/usr/local/bin/openssl\n".utf8))))   // .failure, "to have patterns"
public struct GossMatcher: Sendable {
    /// Deeper nesting than this is refused (goss has no limit; a gossfile never gets near it).
    public static let maximumDepth = 64

    let node: MatcherNode
    let expected: GossValue

    public init(_ expected: GossValue) throws(GossMatcherSyntaxError) {
        self.expected = expected
        self.node = try MatcherNode.build(expected, depth: 0)
    }

    /// How the expected appears in a result that passed (and in the success summary line): the value as written.
    public var expectedJSON: GossValue { expected }

    /// Runs the matcher: goss.md §4.1 step 1 (line streams), then the expected's own matcher.
    public func match(_ actual: GossActual) -> GossMatch {
        let evaluation: Evaluation
        let rawActual: GossValue
        switch actual {
        case .stream(let stream):
            // A line-stream actual serialises as `{}` when the check passes.
            rawActual = .emptyObject
            if case .list(let patterns) = expected {
                evaluation = PatternList.evaluate(patterns: patterns, stream: stream)
            } else {
                evaluation = node.evaluate(.value(.string(String(decoding: stream.bytes, as: UTF8.self))))
            }
        case .value(let value):
            rawActual = value
            evaluation = node.evaluate(actual)
        case .strings(let strings):
            rawActual = .list(strings.map(GossValue.string))
            evaluation = node.evaluate(actual)
        }
        switch evaluation {
        case .matched:
            return .success(GossMatcherResult(actual: rawActual, expected: expected, message: "matches expectation"))
        case .unmatched(let report):
            return .failure(report.result)
        case .error(let message, let report):
            return .error(message, report?.result)
        }
    }
}

/// What a matcher says about one actual: used for the failure report, and by `not` for the negated one.
struct Report: Sendable {
    var actual: GossValue?
    var expected: GossValue?
    /// The failure text (`to equal`), and the one `not` uses when this matched (`not to equal`).
    var message: String
    var negatedMessage: String
    var missing: [GossValue]?
    var found: [GossValue]?
    var extra: [GossValue]?
    var transformChain: [GossValue] = []
    var untransformed: GossValue?

    var result: GossMatcherResult {
        GossMatcherResult(actual: actual, expected: expected, message: message,
                          missingElements: missing, foundElements: found, extraElements: extra,
                          transformChain: transformChain.isEmpty ? nil : transformChain,
                          untransformedValue: transformChain.isEmpty ? nil : untransformed)
    }

    /// The report of `not` wrapped around this one.
    var negated: Report {
        var copy = self
        copy.message = negatedMessage
        copy.negatedMessage = message
        return copy
    }

    /// Records a conversion that changed the value (the first one keeps the raw value).
    mutating func prependTransform(_ step: GossValue, raw: GossValue) {
        transformChain.insert(step, at: 0)
        untransformed = raw
    }
}

enum Evaluation: Sendable {
    case matched(Report)
    case unmatched(Report)
    case error(String, Report?)

    var isMatch: Bool { if case .matched = self { true } else { false } }
}

/// Numeric comparisons (`gt` … and the default `eq` of a number).
enum NumericOperator: String, Sendable {
    case eq, gt, ge, lt, le

    func compare(_ a: Double, _ b: Double) -> Bool {
        switch self {
        case .eq: a == b
        case .gt: a > b
        case .ge: a >= b
        case .lt: a < b
        case .le: a <= b
        }
    }
}

/// The built matcher tree.
indirect enum MatcherNode: Sendable {
    /// Default string: to-string then equality.
    case stringEqual(String)
    /// Default bool: strict equality.
    case boolEqual(Bool)
    /// `equal`: deep equality, no conversion.
    case equal(GossValue)
    /// Default number (`eq`) and `gt` `ge` `lt` `le`: to-numeric then compare.
    case numeric(NumericOperator, GossValue)
    /// Default list (no conversion) and `contain-elements` (to-array first).
    case containElements([MatcherNode], explicit: Bool)
    case consistOf([MatcherNode])
    case containElement(MatcherNode)
    case haveKey(MatcherNode)
    case haveLen(Int)
    case stringTest(StringTest, String)
    case matchRegexp(String)
    case havePatterns([GossValue])
    case not(MatcherNode)
    case and([MatcherNode])
    case or([MatcherNode])
    case semverConstraint(String)
    case gjson([(path: String, matcher: MatcherNode)])

    enum StringTest: String, Sendable {
        case prefix = "have-prefix", suffix = "have-suffix", substring = "contain-substring"

        var message: String {
            switch self {
            case .prefix: "to have prefix"
            case .suffix: "to have suffix"
            case .substring: "to contain substring"
            }
        }

        func test(_ subject: String, _ operand: String) -> Bool {
            switch self {
            case .prefix: subject.utf8.starts(with: operand.utf8)
            case .suffix: subject.utf8.reversed().starts(with: operand.utf8.reversed())
            case .substring: operand.isEmpty || subject.utf8.firstRange(of: operand.utf8) != nil
            }
        }
    }

    static let knownKeys: Set<String> = [
        "equal", "have-prefix", "have-suffix", "contain-substring", "match-regexp", "have-len", "have-patterns",
        "have-key", "contain-element", "contain-elements", "consist-of", "not", "and", "or", "gt", "ge", "lt", "le",
        "semver-constraint", "gjson",
    ]

    // MARK: Building

    static func build(_ value: GossValue, depth: Int) throws(GossMatcherSyntaxError) -> MatcherNode {
        guard depth <= GossMatcher.maximumDepth else {
            throw GossMatcherSyntaxError("Syntax Error: matchers nested deeper than \(GossMatcher.maximumDepth) levels")
        }
        switch value {
        case .null:
            throw GossMatcherSyntaxError("Syntax Error: Missing required attribute")
        case .string(let s): return .stringEqual(s)
        case .bool(let b): return .boolEqual(b)
        case .int, .float: return .numeric(.eq, value)
        case .list(let items):
            var nodes: [MatcherNode] = []
            for item in items { nodes.append(try build(item, depth: depth + 1)) }
            return .containElements(nodes, explicit: false)
        case .map(let entries):
            guard entries.count == 1, let entry = entries.first else {
                if entries.isEmpty {
                    throw GossMatcherSyntaxError("Syntax Error: Invalid matcher configuration. A matcher map needs exactly one key, found none")
                }
                let keys = entries.map(\.key).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                throw GossMatcherSyntaxError(
                    "Syntax Error: Invalid matcher configuration. At a given nesting level, only one matcher is allowed. Found: [\(keys.joined(separator: " "))]")
            }
            return try buildAdvanced(entry.key, entry.value, depth: depth)
        }
    }

    private static func operandError(_ key: String, _ wanted: String, _ value: GossValue) -> GossMatcherSyntaxError {
        GossMatcherSyntaxError("Syntax Error: \(key) expects \(wanted), got \(GoFormat.typeName(value)): \(GoFormat.text(value))")
    }

    private static func buildList(_ key: String, _ value: GossValue, depth: Int) throws(GossMatcherSyntaxError) -> [MatcherNode] {
        guard case .list(let items) = value else { throw operandError(key, "a list of matchers", value) }
        var nodes: [MatcherNode] = []
        for item in items { nodes.append(try build(item, depth: depth + 1)) }
        return nodes
    }

    private static func buildAdvanced(_ key: String, _ value: GossValue, depth: Int) throws(GossMatcherSyntaxError) -> MatcherNode {
        switch key {
        case "equal":
            return .equal(value)
        case "have-prefix", "have-suffix", "contain-substring":
            guard case .string(let s) = value, let test = StringTest(rawValue: key) else { throw operandError(key, "a string", value) }
            return .stringTest(test, s)
        case "match-regexp":
            guard case .string(let s) = value else { throw operandError(key, "a string", value) }
            return .matchRegexp(s)
        case "have-len":
            switch value {
            case .int(let n): return .haveLen(n)
            case .float(let f) where f == f.rounded() && abs(f) < 1e15: return .haveLen(Int(f))
            default: throw operandError(key, "an integer", value)
            }
        case "have-patterns":
            guard case .list(let items) = value else { throw operandError(key, "a list of patterns", value) }
            return .havePatterns(items)
        case "have-key":
            return .haveKey(try build(value, depth: depth + 1))
        case "contain-element":
            switch value {
            case .bool, .list: throw operandError(key, "a matcher, string or number", value)
            default: return .containElement(try build(value, depth: depth + 1))
            }
        case "contain-elements":
            return .containElements(try buildList(key, value, depth: depth), explicit: true)
        case "consist-of":
            return .consistOf(try buildList(key, value, depth: depth))
        case "not":
            return .not(try build(value, depth: depth + 1))
        case "and":
            return .and(try buildList(key, value, depth: depth))
        case "or":
            return .or(try buildList(key, value, depth: depth))
        case "gt", "ge", "lt", "le":
            switch value {
            case .int, .float:
                guard let op = NumericOperator(rawValue: key) else { throw operandError(key, "a number", value) }
                return .numeric(op, value)
            default: throw operandError(key, "a number", value)
            }
        case "semver-constraint":
            guard case .string(let s) = value else { throw operandError(key, "a string", value) }
            return .semverConstraint(s)
        case "gjson":
            guard case .map(let entries) = value else { throw operandError(key, "a map of path to matcher", value) }
            var paths: [(path: String, matcher: MatcherNode)] = []
            for entry in entries.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                paths.append((entry.key, try build(entry.value, depth: depth + 1)))
            }
            return .gjson(paths)
        default:
            throw GossMatcherSyntaxError("Syntax Error: Unknown matcher: \(key)")
        }
    }

    // MARK: Serialisation

    /// The operand as a failure result's `expected` shows it.
    var operand: GossValue {
        switch self {
        case .stringEqual(let s): .string(s)
        case .boolEqual(let b): .bool(b)
        case .equal(let v): v
        case .numeric(_, let n): n
        case .containElements(let nodes, _), .consistOf(let nodes), .and(let nodes), .or(let nodes): .list(nodes.map(\.serialized))
        case .containElement(let node), .haveKey(let node), .not(let node): node.serialized
        case .haveLen(let n): .int(n)
        case .stringTest(_, let s), .matchRegexp(let s), .semverConstraint(let s): .string(s)
        case .havePatterns(let items): .list(items)
        case .gjson(let paths): .map(paths.map { GossEntry($0.path, $0.matcher.serialized) })
        }
    }

    /// The matcher as it appears inside another matcher's `expected`: `{"have-prefix":"x"}`, `{"eq":42}`.
    var serialized: GossValue {
        func wrap(_ key: String, _ value: GossValue) -> GossValue { .map([GossEntry(key, value)]) }
        switch self {
        case .stringEqual, .boolEqual, .equal: return operand
        case .numeric(let op, let n): return wrap(op.rawValue, n)
        case .containElements(_, let explicit): return explicit ? wrap("contain-elements", operand) : operand
        case .consistOf: return wrap("consist-of", operand)
        case .containElement: return wrap("contain-element", operand)
        case .haveKey: return wrap("have-key", operand)
        case .haveLen: return wrap("have-len", operand)
        case .stringTest(let test, _): return wrap(test.rawValue, operand)
        case .matchRegexp: return wrap("match-regexp", operand)
        case .havePatterns: return wrap("have-patterns", operand)
        case .not: return wrap("not", operand)
        case .and: return wrap("and", operand)
        case .or: return wrap("or", operand)
        case .semverConstraint: return wrap("semver-constraint", operand)
        case .gjson: return wrap("gjson", operand)
        }
    }
}
