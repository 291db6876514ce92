// A release channel, in precedence order release > preview > daily.
import BakeryYAML

/// A release channel, in precedence order release > preview > daily.
public enum ReleaseChannel: String, Sendable, Hashable, CaseIterable, Comparable {
    case release, preview, daily

    private var rank: Int { self == .release ? 0 : self == .preview ? 1 : 2 }
    public static func < (a: ReleaseChannel, b: ReleaseChannel) -> Bool { a.rank < b.rank }
}
