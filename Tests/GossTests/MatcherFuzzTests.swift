// Seeded random inputs: the translator, the matchers, gjson and semver never trap.
import Testing
@testable import Goss

private struct LCG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    mutating func text(_ alphabet: [String], _ maxLength: Int) -> String {
        (0..<Int(next() % UInt64(maxLength + 1))).map { _ in pick(alphabet) }.joined()
    }
}

@Suite struct MatcherFuzzTests {
    @Test func regexTranslatorNeverTraps() {
        var rng = LCG(state: 14)
        let alphabet = ["a", "b", "\\", "(", ")", "[", "]", "{", "}", "*", "+", "?", "|", "^", "$", ".", "-", ":", "P", "<", ">",
                        "d", "s", "w", "1", "0", "7", ",", "=", "!", "&", "Q", "E", "x", "p", "é", " "]
        var compiled = 0
        for _ in 0..<5000 {
            let pattern = rng.text(alphabet, 14)
            if case .success(let regex) = RE2.compile(pattern) {
                compiled += 1
                _ = regex.search("ab(1)é {x} a-b", budget: .milliseconds(50))
            }
        }
        #expect(compiled > 100)
    }

    @Test func matchersNeverTrap() {
        var rng = LCG(state: 2026)
        let keys = ["equal", "have-prefix", "contain-element", "contain-elements", "consist-of", "not", "and", "or", "gt", "le",
                    "have-len", "have-key", "match-regexp", "have-patterns", "semver-constraint", "gjson", "bogus"]
        func value(_ depth: Int) -> GossValue {
            switch rng.next() % (depth > 3 ? 5 : 8) {
            case 0: return .null
            case 1: return .bool(rng.next() % 2 == 0)
            case 2: return .int(Int(rng.next() % 7) - 3)
            case 3: return .float(Double(rng.next() % 100) / 7)
            case 4: return .string(rng.text(["a", "1", ".", "/", "!", "\n", "{", "\"", ":", "x"], 6))
            case 5: return .list((0..<Int(rng.next() % 4)).map { _ in value(depth + 1) })
            case 6: return .map([GossEntry(rng.pick(keys), value(depth + 1))])
            default: return .map((0..<Int(rng.next() % 3)).map { _ in GossEntry(rng.text(["a", "b", ".", "#"], 3), value(depth + 1)) })
            }
        }
        var built = 0
        for _ in 0..<4000 {
            guard let m = try? GossMatcher(value(0)) else { continue }
            built += 1
            let actuals: [GossActual] = [.value(value(0)), .strings(["a", "1.2.3", "{\"a\":1}"]),
                                         .stream(.commandOutput(Array("1.0.0\n{\"a\":[1]}\nx\r\n".utf8)))]
            for actual in actuals {
                let r = m.match(actual)
                if case .failure(let detail) = r {
                    _ = GossResult(resourceType: "T", resourceID: "i", property: "p", outcome: .fail, matcherResult: detail,
                                   startTime: at(0), endTime: at(1)).summaryLine
                }
            }
        }
        #expect(built > 500)
    }

    @Test func gjsonAndSemverNeverTrap() {
        var rng = LCG(state: 7)
        for _ in 0..<5000 {
            let doc = rng.text(["{", "}", "[", "]", "\"a\"", ":", ",", "1", "-", "e", ".", "true", "null", " ", "\\u00e9", "\\"], 12)
            if let parsed = GJSON.parse(doc) {
                _ = GJSON.get(parsed, path: rng.text(["a", ".", "#", "0", "\\", "*", "?", "@this"], 5))
            }
            let version = rng.text(["1", "0", ".", "-", "+", "a", "x", "X", " ", "|", ">", "=", "<", "!"], 12)
            _ = Semver.parse(version)
            _ = SemverRange.parse(version)
        }
    }
}
