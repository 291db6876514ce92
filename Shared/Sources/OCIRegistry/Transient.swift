// Which registry failures are worth a retry, and how long to wait: reference-behavior §15.5.
import Foundation

/// The retry policy shared by every registry operation.
///
///     TransientFailure.isTransient(status: 503, message: "")                        // true
///     TransientFailure.isTransient(status: 401, message: "unauthorized")            // false
///     TransientFailure.backoff(attempt: 3)                                          // .seconds(8)
public enum TransientFailure {
    /// §15.5: attempts per operation before the failure is reported.
    public static let attempts = 5
    /// §15.5: the first wait, doubled on each further attempt, and its cap.
    public static let initialBackoff: Duration = .seconds(2)
    public static let maximumBackoff: Duration = .seconds(32)
    /// §15.5 reads at most the first 50 lines of a failure's text.
    static let linesRead = 50

    /// §15.5's phrases, matched case-insensitively anywhere in the text. `not found`, `manifest unknown`,
    /// `blob unknown` and `name unknown` are there because a just-pushed digest may not be visible yet
    /// (eventual consistency); `digest mismatch` because a tag may still point at its previous manifest.
    static let phrases = ["not found", "manifest unknown", "blob unknown", "name unknown", "digest mismatch", "429",
                          "too many requests", "temporarily unavailable", "timeout", "timed out", "i/o timeout",
                          "connection reset", "connection refused"]

    /// Whether a failure should be retried: an HTTP status of 5xx, 429, 408 or 404 (§15.5's `not found`), or a
    /// message (first 50 lines) containing one of §15.5's phrases, a three-digit 5xx code, or the word `eof`.
    /// Everything else (401, 403, 400, `denied`, `unauthorized`, malformed documents) fails fast.
    public static func isTransient(status: Int?, message: String) -> Bool {
        if let status, (500...599).contains(status) || status == 429 || status == 408 || status == 404 { return true }
        let text = message.split(separator: "\n", maxSplits: linesRead, omittingEmptySubsequences: false)
            .prefix(linesRead).joined(separator: "\n").lowercased()
        if phrases.contains(where: text.contains) { return true }
        return containsWord(text) { $0.count == 3 && $0.first == "5" && $0.allSatisfy(\.isASCIIDigit) }
            || containsWord(text) { $0 == "eof" }
    }

    /// The wait before retry number `attempt` (1 = after the first failure): 2 s × 2^(attempt−1), at most 32 s.
    public static func backoff(attempt: Int) -> Duration {
        let doublings = min(max(attempt, 1) - 1, 5)
        return min(initialBackoff * (1 << doublings), maximumBackoff)
    }

    /// Whether `text` has a word (a maximal run of letters, digits and `_`) satisfying `predicate`.
    private static func containsWord(_ text: String, where predicate: (Substring) -> Bool) -> Bool {
        text.split { !($0.isLetter || $0.isNumber || $0 == "_") }.contains(where: predicate)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
