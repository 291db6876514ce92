import Foundation
import Jinja
import Testing

@Suite("Jinja2 conformance corpus")
struct ConformanceTests {
    @Test("the corpus is large and every case has an expected result")
    func corpusIsComplete() {
        #expect(Corpus.cases.count >= 150)
        #expect(Set(Corpus.cases.map(\.name)).count == Corpus.cases.count, "case names are unique")
        for c in Corpus.cases {
            #expect(Corpus.expected[c.name] != nil, "no expected result for \(c.name); run Fixtures/generate.py")
        }
        #expect(Corpus.cases.filter { if case .error? = Corpus.expected[$0.name] { return true }; return false }.count >= 40)
    }

    @Test("renders as Jinja2 3.1 does", arguments: Corpus.cases)
    func conformance(_ c: CorpusCase) {
        guard let expected = Corpus.expected[c.name] else {
            Issue.record("missing expected result")
            return
        }
        let result = Corpus.render(c)
        switch (expected, result) {
        case (.output(let want), .success(let got)):
            #expect(got == want)
        case (.output(let want), .failure(let error)):
            Issue.record("expected output \(want.debugDescription), got error \(error)")
        case (.error(let want), .success(let got)):
            Issue.record("expected \(want.kind) error '\(want.message)', got output \(got.debugDescription)")
        case (.error(let want), .failure(let error)):
            #expect(error.kind.rawValue == want.kind, "\(error)")
            #expect(error.line == want.line, "\(error)")
            if let template = want.template {
                #expect(error.template == template, "\(error)")
            }
            // Our message says what Jinja2's says (sometimes with more detail appended).
            #expect(error.message.contains(want.message), "\(error)")
        }
    }
}
