import Foundation
import Jinja
import Testing
import TestSupport

@Suite("Engine robustness")
struct RobustnessTests {
    static let fragments: [String] = [
        "{{", "}}", "{%", "%}", "{#", "#}", "{{-", "-}}", "{%-", "-%}", "{% raw %}", "{% endraw %}",
        "if", "elif", "else", "endif", "for", "in", "endfor", "set", "endset", "macro", "endmacro", "call",
        "endcall", "filter", "endfilter", "import", "from", "as", "include", "with", "endwith", "block", "endblock",
        "loop", "loop.index", "caller()", "x", "y", "items", "d", "d.a", "m", "m(", "range(", "namespace(",
        "'s'", "\"t\"", "'", "\"", "\\", "0", "1", "7", "2.5", "-", "+", "*", "/", "//", "%", "**", "~", "(", ")",
        "[", "]", "{", "}", ",", ".", ":", "|", "=", "==", "!=", "<", ">=", "and", "or", "not", "is", "defined",
        "none", "true", "upper", "join", "default(", "indent(", "map(", "select(", "sort", "tojson", "int", "length",
        "batch(", "wordwrap(", "format(", "\"lib.j2\"", "\"self.j2\"", " ", " ", " ", "\n", "text", "é",
    ]

    static let context: [String: Value] = [
        "x": 3, "y": "why", "items": ["a", "b", 3, [1, 2]], "d": ["a": 1, "b": ["c"]],
    ]

    static let files: [String: String] = [
        "lib.j2": "{% macro m(a, b=1) %}{{ a }}{{ b }}{{ caller() if caller is defined }}{% endmacro %}{% set v = 2 %}",
        "self.j2": "{% include 'self.j2' %}",
    ]

    /// Renders `template`; records a failure unless it renders or throws a located `JinjaError`.
    /// Returns the outcome: "ok", or the error kind.
    @discardableResult
    static func check(_ template: String, _ env: Environment, _ failures: inout [String]) -> String {
        do {
            _ = try env.render(source: template, name: "fuzz", context: context)
            return "ok"
        } catch let error as JinjaError {
            if error.line == nil && error.kind != .notFound {
                failures.append("no line for \(error) in \(template.debugDescription)")
            }
            return error.kind.rawValue
        } catch {
            failures.append("non-Jinja error \(error) for \(template.debugDescription)")
            return "other"
        }
    }

    /// A random expression from a small grammar: well-formed, but with arbitrary types and operations.
    static func expression(_ depth: Int, _ rng: inout SeededRandom) -> String {
        let atoms = ["x", "y", "items", "d", "d.a", "d.b", "items[1]", "items[-1]", "nothing", "loop", "1", "0", "-3", "2.5",
                     "'str'", "\"a.b.c\"", "''", "none", "true", "[1, 'a']", "{'k': 2}", "(1, 2)", "range(3)", "v"]
        if depth <= 0 || Int.random(in: 0..<3, using: &rng) == 0 { return atoms.randomElement(using: &rng)! }
        let a = expression(depth - 1, &rng), b = expression(depth - 1, &rng)
        switch Int.random(in: 0..<9, using: &rng) {
        case 0: return "\(a) \(["+", "-", "*", "/", "//", "%", "**", "~"].randomElement(using: &rng)!) \(b)"
        case 1: return "\(a) \(["==", "!=", "<", ">=", "in", "not in", "and", "or"].randomElement(using: &rng)!) \(b)"
        case 2:
            let filters = ["upper", "length", "first", "last", "join(',')", "default('d')", "int", "float", "string", "list",
                           "sort", "unique", "reverse", "tojson", "trim", "indent(2)", "replace('a', 'b')", "map('string')",
                           "select('odd')", "batch(2)", "wordwrap(3)", "center(5)", "round", "abs", "sum", "min", "max",
                           "items", "dictsort", "urlencode", "title", "capitalize", "format(1)", "e", "safe", "slice(2)"]
            return "(\(a)) | \(filters.randomElement(using: &rng)!)"
        case 3: return "\(a) is \(["defined", "none", "string", "number", "sequence", "mapping", "odd", "divisibleby 2", "eq 1", "in [1]"].randomElement(using: &rng)!)"
        case 4: return "\(a) if \(b) else \(expression(depth - 1, &rng))"
        case 5: return "(\(a))[\(b)]"
        case 6: return "(\(a))[\(["1:", ":-1", "::2", "0"].randomElement(using: &rng)!)]"
        case 7: return "(\(a)).\(["split('.')", "strip()", "upper()", "items()", "get('k')", "startswith('a')", "format(1)"].randomElement(using: &rng)!)"
        default: return "not \(a)"
        }
    }

    static func statement(_ rng: inout SeededRandom) -> String {
        let e = expression(3, &rng)
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: return "{{ \(e) }}"
        case 1: return "{% if \(e) %}T{% else %}F{% endif %}"
        case 2: return "{% for v in \(e) %}{{ loop.index }}{{ v }}{% else %}E{% endfor %}"
        case 3: return "{% set v = \(e) %}{{ v }}"
        case 4: return "{% macro mm(a, b=\(e)) %}{{ a }}{{ b }}{% endmacro %}{{ mm(\(expression(2, &rng))) }}"
        case 5: return "{% filter upper %}{{ \(e) }}{% endfilter %}"
        default: return "{% from 'lib.j2' import m %}{{ m(\(e)) }}"
        }
    }

    @Test("10,000 random templates (grammar-built and token soup) render or fail with a located JinjaError, never trap")
    func randomTemplates() {
        var rng = SeededRandom(seed: 0xB4CE_5EED)
        let env = Environment(loader: DictionaryLoader(Self.files))
        var failures: [String] = []
        var outcomes: [String: Int] = [:]
        for i in 0..<10_000 {
            let template: String
            if i % 2 == 0 {
                template = (0..<Int.random(in: 1...4, using: &rng)).map { _ in Self.statement(&rng) }.joined(separator: "\n")
            } else {
                let count = Int.random(in: 1...24, using: &rng)
                template = (0..<count).map { _ in Self.fragments.randomElement(using: &rng)! }.joined()
            }
            outcomes[Self.check(template, env, &failures), default: 0] += 1
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        // The soup must reach past the lexer and parser often enough to exercise the evaluator.
        #expect(outcomes["ok", default: 0] >= 500, "\(outcomes)")
        #expect(outcomes.filter { $0.key != "syntax" && $0.key != "ok" }.values.reduce(0, +) >= 1_000, "\(outcomes)")
        print("random templates: \(outcomes.sorted { $0.key < $1.key })")
    }

    @Test("5,000 truncations and splices of the corpus templates never trap")
    func mutatedCorpus() {
        var rng = SeededRandom(seed: 42)
        let templates = Corpus.cases.map(\.template) + Array(Self.files.values)
        let env = Environment(loader: DictionaryLoader(Self.files))
        var failures: [String] = []
        var outcomes: [String: Int] = [:]
        for _ in 0..<5_000 {
            var chars = Array(templates.randomElement(using: &rng)!)
            guard !chars.isEmpty else { continue }
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                chars = Array(chars.prefix(Int.random(in: 0..<chars.count, using: &rng)))
            case 1:
                let a = Int.random(in: 0..<chars.count, using: &rng)
                let b = Int.random(in: a..<chars.count, using: &rng)
                chars.removeSubrange(a...b)
            case 2:
                let a = Int.random(in: 0..<chars.count, using: &rng)
                let b = Int.random(in: a..<chars.count, using: &rng)
                chars.insert(contentsOf: chars[a...b], at: Int.random(in: 0...chars.count, using: &rng))
            default:
                chars.insert(contentsOf: Self.fragments.randomElement(using: &rng)!, at: Int.random(in: 0...chars.count, using: &rng))
            }
            outcomes[Self.check(String(chars), env, &failures), default: 0] += 1
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        #expect(outcomes["ok", default: 0] >= 500, "\(outcomes)")
    }

    @Test("deep nesting and runaway recursion stop with a limit error")
    func limits() throws {
        let env = Environment(loader: DictionaryLoader(Self.files))
        let cases = [
            String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000),
            "{{ " + String(repeating: "-", count: 5_000) + "1 }}",
            "{{ " + String(repeating: "not ", count: 5_000) + "1 }}",
            String(repeating: "{% if true %}", count: 3_000) + String(repeating: "{% endif %}", count: 3_000),
            "{{ " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + " }}",
            "{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}",
            "{% include 'self.j2' %}",
            "{{ 'x' * 100000000 }}",
            "{% for i in range(100000000) %}{% endfor %}",
            "{{ 2 ** 100 }}",
            "{{ 9223372036854775807 + 1 }}",
        ]
        for source in cases {
            let template = source.hasPrefix("(") ? "{{ \(source) }}" : source
            #expect(throws: JinjaError.self) { try env.render(source: template, name: "deep", context: [:]) }
        }
        do {
            _ = try env.render(source: "{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}\n{{ r(0) }}", name: "deep")
        } catch let e as JinjaError {
            #expect(e.kind == .limit)
            #expect(e.message.contains("recursion"))
        }
    }

    /// Sizes and work that used to abort the process or run for minutes: each is a located limit
    /// error now, quickly and in bounded memory.
    @Test(arguments: [
        "{{ 'a'|center(10**12) }}", "{{ 'a'|indent(2**63-1) }}", "{{ 'abc'|truncate(2**63-1) }}", "{{ 'x'|wordwrap(2**63-1) }}",
        "{{ [1,2,3]|slice(2**62)|list }}", "{{ [1,2,3]|batch(2**62)|list }}", "{{ 'a'.center(10**12) }}", "{{ 'a'.zfill(10**12) }}",
        "{{ 'a'.ljust(2**63-1) }}", "{{ range(-9223372036854775807-1, 9223372036854775807)|length }}", "{{ range(0, 2**62, 1)|list }}",
        "{{ 12345|round(0 - 2**62) }}",
        "{% set ns = namespace(s='a') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "{% set ns = namespace(l=[1]) %}{% for i in range(100) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
        "{% macro f(n) %}{% if n > 0 %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(40) }}",
        "{% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}{% endfor %}",
        "{% for i in range(1000000) %}{{ 'x' * 100 }}{% endfor %}",
        // The third review: join copying everything first, quadratic copies, shared structures printed.
        "{% set s = 'a' * 10000000 %}{{ ([s] * 1000) | join | length }}",
        "{% set ns = namespace(a=[]) %}{% for i in range(100000) %}{% set ns.a = ns.a + [i] %}{% endfor %}",
        "{% set ns = namespace(s='') %}{% for i in range(400000) %}{% set ns.s = ns.s ~ 'abcdefghijklmnopqrstuvwxyz' * 5 %}{% endfor %}",
        "{% set ns = namespace(l=[1]) %}{% for i in range(30) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l }}",
    ])
    func hugeSizesAndRunawayWorkStopWithALocatedLimit(_ source: String) throws {
        let env = Environment(loader: DictionaryLoader(Self.files))
        let started = Date()
        do {
            let out = try env.render(source: "\n" + source, name: "budget.j2")
            // Only round() may legitimately succeed: every integer rounds to 0 at that precision.
            #expect(source.contains("round") && out == "\n0", "rendered \(out.count) bytes")
        } catch let e as JinjaError {
            #expect(e.template == "budget.j2" && e.line == 2, "\(e)")
            #expect([.limit, .value].contains(e.kind), "\(e)")
        }
        // A hang guard, not a speed test: the step limit ends the work; 120 s leaves room for a loaded CI machine.
        #expect(Date().timeIntervalSince(started) < 120)
    }

    /// Substring search is linear: a needle that almost matches everywhere costs no more than a scan.
    @Test func substringSearchIsLinear() throws {
        let env = Environment(loader: DictionaryLoader(Self.files))
        let started = Date()
        let out = try env.render(source: "{% set h = 'a' * 200000 %}{% set n = 'a' * 100000 ~ 'b' %}{{ n in h }} {{ h.find(n) }} {{ h.count('aa') }} {{ h.rfind('aa') }} {{ h.replace(n, 'x')|length }} {{ h.split(n)|length }}", name: "search.j2")
        #expect(out == "False -1 100000 199998 200000 1")
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
