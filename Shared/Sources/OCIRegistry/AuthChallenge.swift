// `WWW-Authenticate` challenges (RFC 9110 §11.6.1, formerly RFC 7235 §4.1): the registry's answer to an
// unauthenticated request says which scheme to use and, for Bearer, where to get a token (the distribution
// token-auth spec: realm, service, scope).
import Foundation

/// One challenge of a `WWW-Authenticate` header.
///
///     let challenges = AuthChallenge.parse(#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/i:pull""#)
///     challenges[0].scheme          // "Bearer"
///     challenges[0]["realm"]        // "https://ghcr.io/token"
public struct AuthChallenge: Sendable, Equatable {
    /// The auth scheme; `Basic` and `Bearer` are spelled so whatever case the server used, others as sent.
    public let scheme: String
    /// Auth parameters with lowercased names (`realm`, `service`, `scope`, `error`, …) and unquoted values.
    /// A token68 form (`Negotiate abc==`) is kept under the key `token68`.
    public let parameters: [String: String]

    public init(scheme: String, parameters: [String: String]) {
        switch scheme.lowercased() {
        case "basic": self.scheme = "Basic"
        case "bearer": self.scheme = "Bearer"
        default: self.scheme = scheme
        }
        self.parameters = parameters
    }

    /// The parameter `name`, compared case-insensitively.
    public subscript(_ name: String) -> String? { parameters[name.lowercased()] }

    /// Whether this challenge uses `scheme` (case-insensitive).
    public func hasScheme(_ scheme: String) -> Bool { self.scheme.lowercased() == scheme.lowercased() }

    /// Every challenge in a header value, in order. Several challenges may share a header, separated by commas, and
    /// quoted values may contain commas, `=` and `\"` escapes. Junk yields what could be read before it (possibly
    /// nothing), never an error: the caller then falls back to anonymous access and reports the 401.
    public static func parse(_ header: String) -> [AuthChallenge] {
        var scanner = ChallengeScanner(Array(header.utf8))
        var challenges: [AuthChallenge] = []
        while true {
            scanner.skip { $0 == UInt8(ascii: ",") || ChallengeScanner.isWhitespace($0) }
            guard let scheme = scanner.token(), !scheme.isEmpty else { break }
            var parameters: [String: String] = [:]
            scanner.skipWhitespace()
            if scanner.position < scanner.bytes.count, scanner.bytes[scanner.position] == UInt8(ascii: "=") { break }   // `name=` where a scheme belongs: junk
            // token68: a token followed by optional '=' padding and then the end or a comma.
            let mark = scanner.position
            if let token68 = scanner.token68(), scanner.atEndOfItem() {
                parameters["token68"] = token68
            } else {
                scanner.position = mark
                parameterLoop: while true {
                    scanner.skipWhitespace()
                    let start = scanner.position
                    guard let name = scanner.token(), !name.isEmpty else { break }
                    scanner.skipWhitespace()
                    guard scanner.consume(UInt8(ascii: "=")) else {
                        scanner.position = start    // a bare token: the next challenge's scheme
                        break parameterLoop
                    }
                    scanner.skipWhitespace()
                    guard let value = scanner.quotedString() ?? scanner.token() else {
                        scanner.position = scanner.bytes.count   // junk: stop reading
                        break parameterLoop
                    }
                    parameters[name.lowercased()] = value
                    scanner.skipWhitespace()
                    if scanner.consume(UInt8(ascii: ",")) { continue }
                    if scanner.position < scanner.bytes.count { scanner.position = scanner.bytes.count }
                    break
                }
            }
            challenges.append(AuthChallenge(scheme: scheme, parameters: parameters))
        }
        return challenges
    }
}

/// A byte cursor over a header value with RFC 9110's token and quoted-string rules.
private struct ChallengeScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// RFC 9110 tchar.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        if (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }

    mutating func skip(while predicate: (UInt8) -> Bool) {
        while position < bytes.count, predicate(bytes[position]) { position += 1 }
    }

    mutating func skipWhitespace() { skip(while: Self.isWhitespace) }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func token() -> String? {
        let start = position
        skip(while: Self.isTokenByte)
        return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    /// RFC 9110 token68: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
    mutating func token68() -> String? {
        let start = position
        skip { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || "-._~+/".utf8.contains(byte)
        }
        guard position > start else { return nil }
        skip { $0 == UInt8(ascii: "=") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// After optional whitespace: the end of the header or a comma (not consumed).
    mutating func atEndOfItem() -> Bool {
        skipWhitespace()
        return position == bytes.count || bytes[position] == UInt8(ascii: ",")
    }

    /// A quoted-string with `\` escapes, unquoted; nil (position unchanged) when not at a quote or unterminated.
    mutating func quotedString() -> String? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        var index = position + 1
        var value: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return String(decoding: value, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                value.append(bytes[index + 1])
                index += 2
                continue
            }
            value.append(byte)
            index += 1
        }
        return nil
    }
}
