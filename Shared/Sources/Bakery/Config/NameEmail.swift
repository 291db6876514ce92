// "Name <email>" people (maintainer, authors), parsed and rendered as the reference does.
import BakeryYAML
import Foundation

/// A person with an email address.
///
///     NameEmail.parse("Posit Docker Team <docker@posit.co>")?.description
///     // "Posit Docker Team <docker@posit.co>"
///     NameEmail.parse("jane@Example.COM")?.description   // "jane <jane@example.com>"
public struct NameEmail: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    public var description: String { "\(name) <\(email)>" }

    /// `Name <email>` or a bare `email`; nil when no valid email is present.
    public static func parse(_ text: String) -> NameEmail? {
        let trimmed = text.trimmingASCIIWhitespace()
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let name = trimmed[..<open].trimmingASCIIWhitespace()
            let rawEmail = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            guard let email = normalizedEmail(rawEmail) else { return nil }
            return NameEmail(name: name.isEmpty ? localPart(email) : unquote(name), email: email)
        }
        guard let email = normalizedEmail(trimmed) else { return nil }
        return NameEmail(name: localPart(email), email: email)
    }

    public static func make(name: String?, email: String) -> NameEmail? {
        guard let normalized = normalizedEmail(email) else { return nil }
        let n = name?.trimmingASCIIWhitespace() ?? ""
        return NameEmail(name: n.isEmpty ? localPart(normalized) : n, email: normalized)
    }

    /// `local@domain.tld` with the domain lower-cased; the local part is kept as written.
    static func normalizedEmail(_ raw: String) -> String? {
        let email = raw.trimmingASCIIWhitespace()
        guard let at = email.lastIndex(of: "@") else { return nil }
        let local = email[..<at]
        let domain = email[email.index(after: at)...].lowercased()
        guard !local.isEmpty, !local.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "@" }) else { return nil }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }) else {
            return nil
        }
        return "\(local)@\(domain)"
    }

    static func localPart(_ email: String) -> String {
        String(email[..<(email.lastIndex(of: "@") ?? email.endIndex)])
    }

    private static func unquote(_ s: String) -> String {
        s.count >= 2 && s.hasPrefix("\"") && s.hasSuffix("\"") ? String(s.dropFirst().dropLast()) : s
    }

    /// Decodes a mapping `{name?, email}` or a string.
    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader, what: String) -> NameEmail? {
        if node.kind == .mapping {
            guard let f = reader.object(node, at: path, keys: ["name", "email"], what: what) else { return nil }
            let name = f.optionalString("name")
            guard let email = f.string("email", required: true, hint: "a \(what) needs an 'email'") else { return nil }
            guard let person = make(name: name, email: email) else {
                reader.error(f["email"], path.key("email"), "'\(email)' is not a valid email address", hint: "write it as name@example.com")
                return nil
            }
            return person
        }
        guard let text = reader.string(node, path) else { return nil }
        guard let person = parse(text) else {
            reader.error(node, path, "'\(text)' is not a valid \(what)",
                         hint: "write 'Full Name <name@example.com>', a bare email, or a mapping with name and email")
            return nil
        }
        return person
    }
}
