// HTTP(S) URLs as the reference normalises them: https:// added when no scheme, host lower-cased,
import Foundation
// a bare host gets a trailing '/'.

/// A validated, normalised http(s) URL.
///
///     HTTPURL.parse("github.com/posit-dev/images-connect")?.text
///     // "https://github.com/posit-dev/images-connect"
///     HTTPURL.parse("docs.example.com")?.text   // "https://docs.example.com/"
public struct HTTPURL: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public let host: String

    public var description: String { text }

    /// Why a spelling is not an http(s) URL; `validate` reports it as a `BakeryError` (`.invalidValue`).
    public enum Problem: Sendable, Equatable {
        case empty, badScheme(String), badHost(String), badPort(String), badCharacter(Character)

        public var message: String {
            switch self {
            case .empty: "the URL is empty"
            case .badScheme(let s): "'\(s)' is not an http or https URL"
            case .badHost(let h): h.isEmpty ? "the URL has no host" : "'\(h)' is not a valid host name"
            case .badPort(let p): "'\(p)' is not a valid port"
            case .badCharacter(let c): "the URL contains '\(c)', which is not allowed in a URL"
            }
        }
    }

    public static func parse(_ raw: String) -> HTTPURL? { try? validate(raw) }

    /// The normalised URL, or a `.invalidValue` error whose message says what is wrong with `raw`.
    public static func validate(_ raw: String) throws(BakeryError) -> HTTPURL {
        func fail(_ problem: Problem) -> BakeryError { BakeryError(.invalidValue, problem.message) }
        let input = raw.trimmingASCIIWhitespace()
        guard !input.isEmpty else { throw fail(.empty) }
        var rest = Substring(input)
        var scheme = "https"
        if let range = input.range(of: "://") {
            scheme = input[..<range.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else { throw fail(.badScheme(input)) }
            rest = input[range.upperBound...]
        } else if input.lowercased().hasPrefix("http:") || input.lowercased().hasPrefix("https:") {
            throw fail(.badScheme(input))
        }
        for ch in rest where ch == " " || ch == "<" || ch == ">" || ch == "\"" || ch == "\\" || ch == "^" || ch == "`" || ch == "{" || ch == "}" || ch == "|" || ch.asciiValue.map({ $0 < 0x20 || $0 == 0x7f }) == true {
            throw fail(.badCharacter(ch))
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let tail = rest[authorityEnd...]
        var userinfo = ""
        if let at = authority.lastIndex(of: "@") {
            userinfo = String(authority[...at])
            authority = authority[authority.index(after: at)...]
        }
        var hostPart = authority
        var port = ""
        if let colon = authority.lastIndex(of: ":"), !authority.hasPrefix("[") || authority[..<colon].hasSuffix("]") {
            hostPart = authority[..<colon]
            port = String(authority[authority.index(after: colon)...])
            guard let p = Int(port), p >= 0, p <= 65535, port.allSatisfy(\.isASCII) else { throw fail(.badPort(port)) }
            if (scheme == "https" && p == 443) || (scheme == "http" && p == 80) { port = "" } else { port = String(p) }
        }
        let host = hostPart.lowercased()
        guard isValidHost(host) else { throw fail(.badHost(String(hostPart))) }
        let path = tail.isEmpty ? "/" : (tail.first == "/" ? String(tail) : "/" + tail)
        let text = "\(scheme)://\(userinfo)\(host)\(port.isEmpty ? "" : ":" + port)\(path)"
        return HTTPURL(text: text, host: host)
    }

    static func isValidHost(_ host: String) -> Bool {
        if host.hasPrefix("[") { return host.hasSuffix("]") && host.count > 2 }
        guard !host.isEmpty, host.count <= 253 else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        for (i, label) in labels.enumerated() {
            if label.isEmpty { return i == labels.count - 1 && i > 0 }  // a trailing dot is allowed
            guard label.count <= 63, label.first != "-", label.last != "-" else { return false }
            guard label.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return false }
        }
        return true
    }

    /// `https://example.invalid/` (a name reserved never to resolve): the URL of a config made without a repository.
    public static let placeholder = HTTPURL(text: "https://example.invalid/", host: "example.invalid")

    private init(text: String, host: String) {
        self.text = text
        self.host = host
    }
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
