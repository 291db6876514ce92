// One argument or environment value of a child process, and whether messages may show it.

/// An argument or environment value. A secret one (a token, a password) reaches the child
/// unchanged but every command line bakery prints shows it as `***`.
public struct CommandValue: Sendable, Hashable, ExpressibleByStringLiteral {
    public var value: String
    public var isSecret: Bool

    public init(_ value: String, secret: Bool = false) {
        self.value = value
        self.isSecret = secret
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// A value that messages mask.
    public static func secret(_ value: String) -> CommandValue {
        CommandValue(value, secret: true)
    }

    /// The value as a command line shows it: masked when secret, shell-quoted when needed.
    public var displayed: String {
        isSecret ? "***" : Self.quoted(value)
    }

    /// `value` as a POSIX shell word: bare when it only holds safe characters, else single-quoted.
    static func quoted(_ value: String) -> String {
        let safe = value.unicodeScalars.allSatisfy { s in
            switch s {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ":", "=", "@", "%", "+", ",", "^", "~": return true
            default: return false
            }
        }
        if safe && !value.isEmpty { return value }
        return "'" + value.split(separator: "'", omittingEmptySubsequences: false).joined(separator: #"'\''"#) + "'"
    }
}
