import BakeryYAML
import Testing

/// YAML 1.2 core schema, as the reference's loader types plain scalars (checked against it as a black box).
@Suite struct ScalarTypingTests {
    static let numbers = ["24.04", "8", "2026.03", "1_000", "0x1F", "0o17", "0b101", "1e3", ".5", "1.", "+1", "-2", "1.0e+3", "12e03", ".inf", "-.Inf", ".nan"]
    static let strings = ["1.0.0", "2026.03.1", "yes", "no", "on", "off", "y", "1:20", "Ubuntu 24.04", "4.5.3", "0x", "1e", "_1", "v1.2", "1.2.3-rc.1"]

    @Test(arguments: numbers)
    func plainNumbersAreNotStrings(_ text: String) {
        let value = YAMLScalarValue.resolve(text, style: .plain, tag: nil)
        switch value {
        case .int, .float: break
        default: Issue.record("\(text) resolved to \(value)")
        }
    }

    @Test(arguments: strings)
    func theseAreStrings(_ text: String) {
        #expect(YAMLScalarValue.resolve(text, style: .plain, tag: nil) == .string(text))
    }

    @Test func booleansAndNullsFollowTheCoreSchema() {
        for t in ["true", "True", "TRUE"] { #expect(YAMLScalarValue.resolve(t, style: .plain, tag: nil) == .bool(true)) }
        for t in ["false", "False", "FALSE"] { #expect(YAMLScalarValue.resolve(t, style: .plain, tag: nil) == .bool(false)) }
        for t in ["", "~", "null", "Null", "NULL"] { #expect(YAMLScalarValue.resolve(t, style: .plain, tag: nil) == .null) }
        #expect(YAMLScalarValue.resolve("tRUE", style: .plain, tag: nil) == .string("tRUE"))
    }

    @Test func quotedScalarsAreAlwaysStrings() {
        #expect(YAMLScalarValue.resolve("24.04", style: .singleQuoted, tag: nil) == .string("24.04"))
        #expect(YAMLScalarValue.resolve("true", style: .doubleQuoted, tag: nil) == .string("true"))
        #expect(YAMLScalarValue.resolve("", style: .doubleQuoted, tag: nil) == .string(""))
    }

    @Test func anExplicitStrTagMakesAString() {
        #expect(YAMLScalarValue.resolve("8", style: .plain, tag: YAMLScalarValue.stringTag) == .string("8"))
    }

    @Test func integersKeepTheirTextAndValue() {
        #expect(YAMLScalarValue.resolve("0x1F", style: .plain, tag: nil) == .int(text: "0x1F", value: 31))
        #expect(YAMLScalarValue.resolve("1_000", style: .plain, tag: nil) == .int(text: "1_000", value: 1000))
        #expect(YAMLScalarValue.resolve("99999999999999999999", style: .plain, tag: nil) == .int(text: "99999999999999999999", value: nil))
    }
}
