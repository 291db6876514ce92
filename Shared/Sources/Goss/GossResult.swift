// One checked property: the unit goss counts, prints and writes to JSON.
import Foundation

/// What a matcher reports (`matcher-result` in goss's JSON). A skip or a probe error leaves it zeroed.
public struct GossMatcherResult: Sendable, Hashable {
    public var actual: GossValue?
    public var expected: GossValue?
    public var message: String
    public var missingElements: [GossValue]?
    public var foundElements: [GossValue]?
    public var extraElements: [GossValue]?
    /// `{"to-numeric":{}}`, `{"to-string":{}}`, `{"to-array":{}}`, `{"gjson":{"Path":"…"}}` when a conversion changed the value.
    public var transformChain: [GossValue]?
    public var untransformedValue: GossValue?

    public init(actual: GossValue? = nil, expected: GossValue? = nil, message: String = "",
                missingElements: [GossValue]? = nil, foundElements: [GossValue]? = nil, extraElements: [GossValue]? = nil,
                transformChain: [GossValue]? = nil, untransformedValue: GossValue? = nil) {
        self.actual = actual
        self.expected = expected
        self.message = message
        self.missingElements = missingElements
        self.foundElements = foundElements
        self.extraElements = extraElements
        self.transformChain = transformChain
        self.untransformedValue = untransformedValue
    }

    public static let zero = GossMatcherResult()
}

/// The verdict of one matcher on one actual value.
public enum GossMatch: Sendable, Hashable {
    case success(GossMatcherResult)
    case failure(GossMatcherResult)
    /// The matcher could not decide (bad regex, type mismatch, syntax error). `result` is filled when the matcher got far enough.
    case error(String, GossMatcherResult?)
}

/// goss's result codes.
public enum GossOutcome: Int, Sendable, Hashable {
    case success = 0
    case fail = 1
    case skip = 2
}

/// One test result: a resource's property, checked (or skipped).
public struct GossResult: Sendable, Hashable {
    /// goss's Go type name: `File`, `Package`, `Command`, …
    public var resourceType: String
    public var resourceID: String
    /// The reported property name (`exists`, `linkedto`, `version`, `Headers`, …).
    public var property: String
    public var title: String
    public var meta: GossValue?
    public var outcome: GossOutcome
    public var err: String?
    public var matcherResult: GossMatcherResult
    public var startTime: Date
    public var endTime: Date
    /// The compact summary line another goss printed (results read back from JSON); nil for our own results.
    public var recordedSummaryLineCompact: String?

    public init(resourceType: String, resourceID: String, property: String, title: String = "", meta: GossValue? = nil,
                outcome: GossOutcome, err: String? = nil, matcherResult: GossMatcherResult = .zero,
                startTime: Date, endTime: Date) {
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.property = property
        self.title = title
        self.meta = meta
        self.outcome = outcome
        self.err = err
        self.matcherResult = matcherResult
        self.startTime = startTime
        self.endTime = endTime
    }

    /// Nanoseconds, as goss's `duration`.
    public var duration: Int64 { Int64((endTime.timeIntervalSince(startTime) * 1e9).rounded()) }
    /// goss's JSON `successful`: true for skips too.
    public var successful: Bool { outcome != .fail }
    public var skipped: Bool { outcome == .skip }
    /// Where `-o sort` puts it: by `"<type>:<id>"`.
    public var sortKey: String { "\(resourceType):\(resourceID)" }
}

/// A whole run's results with goss's counts.
public struct GossReport: Sendable, Hashable {
    public var results: [GossResult]

    public init(results: [GossResult]) { self.results = results }

    public var testCount: Int { results.count }
    public var failedCount: Int { results.count { $0.outcome == .fail } }
    public var skippedCount: Int { results.count { $0.outcome == .skip } }
    /// Latest end minus earliest start, in nanoseconds (0 with no results).
    public var totalDuration: Int64 {
        guard let start = results.map(\.startTime).min(), let end = results.map(\.endTime).max() else { return 0 }
        return Int64((end.timeIntervalSince(start) * 1e9).rounded())
    }
    /// goss's exit code for the text, json, junit and tap formats.
    public var exitCode: Int32 { failedCount > 0 ? 1 : 0 }
}
