// Build secrets passed to BuildKit from environment variables.
import BakeryYAML

/// A secret `id` whose value comes from environment variable `envVar` at build time.
///
///     BuildSecret(id: "github_token", envVar: "GITHUB_TOKEN").cliForm   // "id=github_token,env=GITHUB_TOKEN"
public struct BuildSecret: Sendable, Hashable {
    public var id: String
    public var envVar: String

    public init(id: String, envVar: String) {
        self.id = id
        self.envVar = envVar
    }

    public var cliForm: String { "id=\(id),env=\(envVar)" }

    /// `^[A-Za-z0-9_][A-Za-z0-9_.-]*$`
    static func isValidID(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first) || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)) }
    }

    /// `^[A-Za-z_][A-Za-z0-9_]*$`
    static func isValidEnvVar(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> BuildSecret? {
        guard let f = reader.object(node, at: path, keys: ["id", "envVar"], what: "build secret") else { return nil }
        let id = f.string("id", required: true, hint: "add 'id: my_secret'")
        let env = f.string("envVar", required: true, hint: "add 'envVar: MY_SECRET'")
        if let id, !isValidID(id) {
            reader.error(f["id"], path.key("id"), "'\(id)' is not a valid secret id", hint: "use letters, digits, '_', '.', '-', not starting with '.' or '-'")
            return nil
        }
        if let env, !isValidEnvVar(env) {
            reader.error(f["envVar"], path.key("envVar"), "'\(env)' is not a valid environment variable name", hint: "use letters, digits and '_', not starting with a digit")
            return nil
        }
        guard let id, let env else { return nil }
        return BuildSecret(id: id, envVar: env)
    }
}
