// Summary lines and output formats against goss.md §6 and the worked examples of §13.
import Foundation
import Testing
@testable import Goss

/// 2026-05-01T10:20:30Z plus `micros` microseconds.
func at(_ micros: Int64) -> Date {
    Date(timeIntervalSince1970: 1_777_630_830 + Double(micros) / 1e6)
}

/// 2026-05-01T10:20:30Z plus `k`/1024 s: instants a `Date` holds exactly (durations come out exact).
func atExact(_ k: Int) -> Date {
    Date(timeIntervalSince1970: 1_777_630_830 + Double(k) / 1024)
}

/// A result from running a real matcher (so the fields are what the matcher produces).
func checked(_ type: String, _ id: String, _ property: String, expected: GossValue, actual: GossActual,
             start: Int64 = 0, end: Int64 = 1000, title: String = "", meta: GossValue? = nil,
             startDate: Date? = nil, endDate: Date? = nil) throws -> GossResult {
    let (s, e) = (startDate ?? at(start), endDate ?? at(end))
    switch try GossMatcher(expected).match(actual) {
    case .success(let r):
        return GossResult(resourceType: type, resourceID: id, property: property, title: title, meta: meta, outcome: .success,
                          matcherResult: r, startTime: s, endTime: e)
    case .failure(let r):
        return GossResult(resourceType: type, resourceID: id, property: property, title: title, meta: meta, outcome: .fail,
                          matcherResult: r, startTime: s, endTime: e)
    case .error(let message, let r):
        return GossResult(resourceType: type, resourceID: id, property: property, title: title, meta: meta, outcome: .fail,
                          err: message, matcherResult: r ?? .zero, startTime: s, endTime: e)
    }
}

func skipped(_ type: String, _ id: String, _ property: String, start: Int64 = 0, end: Int64 = 0, title: String = "") -> GossResult {
    GossResult(resourceType: type, resourceID: id, property: property, title: title, outcome: .skip, startTime: at(start), endTime: at(end))
}

func errored(_ type: String, _ id: String, _ property: String, _ err: String, start: Int64 = 0, end: Int64 = 0) -> GossResult {
    GossResult(resourceType: type, resourceID: id, property: property, outcome: .fail, err: err, startTime: at(start), endTime: at(end))
}

@Suite struct OutputSummaryLineTests {
    @Test func workedExample2SkippedProcess() {
        let r = skipped("Process", "rserver", "running")
        #expect(r.summaryLine == "Process: rserver: running: skipped")
        #expect(r.summaryLineCompact == "Process: rserver: running: skipped")
        #expect(r.successful && r.skipped && r.outcome.rawValue == 2)
    }

    @Test func workedExample3ListeningFails() throws {
        let r = try checked("Port", "tcp:8787", "listening", expected: .bool(true), actual: .value(.bool(false)))
        #expect(r.summaryLineCompact == "Port: tcp:8787: listening: Expected false to equal true")
        #expect(r.summaryLine == "Port: tcp:8787: listening:\nExpected\n    false\nto equal\n    true")
    }

    @Test func workedExample4OpenSSLStdout() throws {
        let r = try checked("Command", "Verify system OpenSSL", "stdout", expected: strs("/usr/bin/openssl"),
                            actual: stream("/usr/local/bin/openssl\n"))
        #expect(r.summaryLineCompact
            == #"Command: Verify system OpenSSL: stdout: Expected "object: *bytes.Reader" to have patterns ["/usr/bin/openssl"] the missing elements were ["/usr/bin/openssl"]"#)
        #expect(r.summaryLine == """
            Command: Verify system OpenSSL: stdout:
            Expected
                "object: *bytes.Reader"
            to have patterns
                ["/usr/bin/openssl"]
            the missing elements were
                ["/usr/bin/openssl"]
            """)
        let passed = try checked("Command", "Verify system OpenSSL", "stdout", expected: strs("/usr/bin/openssl"),
                                 actual: stream("/usr/bin/openssl\n"))
        #expect(passed.summaryLine == #"Command: Verify system OpenSSL: stdout: matches expectation: ["/usr/bin/openssl"]"#)
    }

    @Test func workedExample5Timeout() {
        let r = errored("Command", "quarto check", "exit-status", "Command execution timed out (1m0s)")
        #expect(r.summaryLineCompact == "Command: quarto check: exit-status: Error Command execution timed out (1m0s)")
        #expect(r.summaryLine == "Command: quarto check: exit-status:\nError\n    Command execution timed out (1m0s)")
        // Whitespace runs collapse in the compact form only.
        let multi = errored("File", "/x", "contents", "read /x:\n    is a  directory")
        #expect(multi.summaryLineCompact == "File: /x: contents: Error read /x: is a directory")
        #expect(multi.summaryLine == "File: /x: contents:\nError\n    read /x:\n        is a  directory")
    }

    @Test func successLines() throws {
        #expect(try checked("File", "/etc/passwd", "exists", expected: .bool(true), actual: .value(.bool(true))).summaryLine
            == "File: /etc/passwd: exists: matches expectation: true")
        #expect(try checked("User", "rstudio-connect", "uid", expected: .int(999), actual: .value(.int(999))).summaryLineCompact
            == "User: rstudio-connect: uid: matches expectation: 999")
        // No HTML escaping inside summary lines.
        #expect(try checked("Command", "c", "stdout", expected: strs("a<b>&c"), actual: stream("a<b>&c\n")).summaryLine
            == #"Command: c: stdout: matches expectation: ["a<b>&c"]"#)
        #expect(try checked("File", "/f", "mode", expected: one("have-prefix", str("07")), actual: .value(str("0755"))).summaryLine
            == #"File: /f: mode: matches expectation: {"have-prefix":"07"}"#)
    }

    @Test func stringMismatchHasAUnifiedDiff() throws {
        let r = try checked("File", "/f", "owner", expected: str("root"), actual: .value(str("rstudio")))
        #expect(r.summaryLine == """
            File: /f: owner:
            Expected
                "rstudio"
            to equal
                "root"
            diff
                --- test
                +++ actual
                @@ -1 +1 @@
                -root
                +rstudio
            """)
        #expect(r.summaryLineCompact == #"File: /f: owner: Expected "rstudio" to equal "root""#)
    }

    @Test func transformBlocks() throws {
        let r = try checked("File", "/f", "mode", expected: .int(644), actual: .value(str("0755")))
        #expect(r.summaryLineCompact
            == #"File: /f: mode: Expected 755 to be numerically eq 644 the transform chain was [{"to-numeric":{}}] the raw value was "0755""#)
        #expect(r.summaryLineCompact(includeRaw: false)
            == #"File: /f: mode: Expected 755 to be numerically eq 644 the transform chain was [{"to-numeric":{}}]"#)
        #expect(r.summaryLine == """
            File: /f: mode:
            Expected
                755
            to be numerically eq
                644
            the transform chain was
                [{"to-numeric":{}}]
            the raw value was
                "0755"
            """)
    }
}

@Suite struct OutputJSONTests {
    @Test func goStyleEncoding() {
        #expect(GossJSON.encode(.map([GossEntry("b", .int(1)), GossEntry("a", .null)]), pretty: false, indent: 4) == #"{"a":null,"b":1}"#)
        #expect(GossJSON.encode(.string("<a href=\"x\">&</a>"), pretty: false, indent: 4) == #""\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e""#)
        #expect(GossJSON.encode(.string("\u{2028}\u{1}\t\n\u{8}\u{C}é"), pretty: false, indent: 4) == #""\u2028\u0001\t\n\b\féé""#.replacingOccurrences(of: "éé", with: "é"))
        #expect(GossJSON.encode(.float(1), pretty: false, indent: 4) == "1")
        #expect(GossJSON.encode(.float(1e21), pretty: false, indent: 4) == "1e+21")
        #expect(GossJSON.encode(.float(1e20), pretty: false, indent: 4) == "100000000000000000000")
        #expect(GossJSON.encode(.float(1.5), pretty: false, indent: 4) == "1.5")
        #expect(GossJSON.encode(.float(0.000001), pretty: false, indent: 4) == "0.000001")
        #expect(GossJSON.encode(.float(1e-7), pretty: false, indent: 4) == "1e-7")
        #expect(GossJSON.encode(.float(-2.5e-10), pretty: false, indent: 4) == "-2.5e-10")
        #expect(GossJSON.encode(.float(123456789.125), pretty: false, indent: 4) == "123456789.125")
        #expect(GossJSON.encode(.float(.nan), pretty: false, indent: 4) == "null")
        #expect(GossJSON.encode(.list([]), pretty: true, indent: 4) == "[]")
        #expect(GossJSON.encode(.map([GossEntry("a", .list([.int(1), .emptyObject]))]), pretty: true, indent: 4)
            == "{\n    \"a\": [\n        1,\n        {}\n    ]\n}")
        #expect(GossJSON.encode(.map([GossEntry("a", .list([.int(1)]))]), pretty: true, indent: 2) == "{\n  \"a\": [\n    1\n  ]\n}")
    }

    @Test func times() {
        #expect(GoTime.rfc3339Nano(at(123_456)) == "2026-05-01T10:20:30.123456Z")
        #expect(GoTime.rfc3339Nano(at(100_000)) == "2026-05-01T10:20:30.1Z")
        #expect(GoTime.rfc3339Nano(at(0)) == "2026-05-01T10:20:30Z")
        #expect(GoTime.rfc3339(at(999_999)) == "2026-05-01T10:20:30Z")
        #expect(GoTime.rfc3339Nano(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(GoTime.rfc3339Nano(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }

    @Test func theSpecExampleDocument() throws {
        // 1/1024 s = 976562.5 ns; from 126/1024 to 128/1024: 1953125 ns.
        let r = try checked("User", "rstudio-connect", "uid", expected: .int(999), actual: .value(.int(999)),
                            startDate: atExact(126), endDate: atExact(128))
        let report = GossReport(results: [r])
        let (text, code) = GossFormatter.render(report, format: .json, options: GossFormatOptions(pretty: true), color: false, now: at(0))
        #expect(code == 0)
        #expect(text == """
            {
                "results": [
                    {
                        "duration": 1953125,
                        "end-time": "2026-05-01T10:20:30.125Z",
                        "err": null,
                        "matcher-result": {
                            "actual": 999,
                            "expected": 999,
                            "extra-elements": null,
                            "found-elements": null,
                            "message": "matches expectation",
                            "missing-elements": null,
                            "transform-chain": null,
                            "untransformed-value": null
                        },
                        "meta": null,
                        "property": "uid",
                        "resource-id": "rstudio-connect",
                        "resource-type": "User",
                        "result": 0,
                        "skipped": false,
                        "start-time": "2026-05-01T10:20:30.123047Z",
                        "successful": true,
                        "summary-line": "User: rstudio-connect: uid: matches expectation: 999",
                        "summary-line-compact": "User: rstudio-connect: uid: matches expectation: 999",
                        "title": ""
                    }
                ],
                "summary": {
                    "failed-count": 0,
                    "skipped-count": 0,
                    "summary-line": "Count: 1, Failed: 0, Skipped: 0, Duration: 0.002s",
                    "test-count": 1,
                    "total-duration": 1953125
                }
            }

            """)
        let compact = GossFormatter.render(report, format: .json, options: GossFormatOptions(), color: true, now: at(0)).text
        #expect(compact.hasPrefix(#"{"results":[{"duration":1953125,"end-time":"2026-05-01T10:20:30.125Z","err":null,"matcher-result":{"actual":999,"#))
        #expect(compact.hasSuffix(#""summary":{"failed-count":0,"skipped-count":0,"summary-line":"Count: 1, Failed: 0, Skipped: 0, Duration: 0.002s","test-count":1,"total-duration":1953125}}"# + "\n"))
        #expect(!compact.dropLast().contains("\n"))
    }

    @Test func failuresSkipsAndErrorsInJSON() throws {
        let fail = try checked("Command", "Verify system OpenSSL", "stdout", expected: strs("/usr/bin/openssl"), actual: stream("/usr/local/bin/openssl\n"))
        let skip = skipped("Process", "rserver", "running")
        let err = errored("Command", "x<y", "exit-status", "Command execution timed out (1m0s)")
        let report = GossReport(results: [fail, skip, err])
        let (text, code) = GossFormatter.render(report, format: .json, options: GossFormatOptions(), color: false, now: at(0))
        #expect(code == 1)
        let failJSON = GossJSON.encode(GossJSON.result(for: fail, includeRaw: true), pretty: false, indent: 4)
        #expect(failJSON.contains(#""matcher-result":{"actual":"object: *bytes.Reader","expected":["/usr/bin/openssl"],"extra-elements":null,"found-elements":null,"message":"to have patterns","missing-elements":["/usr/bin/openssl"],"transform-chain":null,"untransformed-value":null}"#))
        #expect(failJSON.contains(#""result":1,"skipped":false"#))
        #expect(failJSON.contains(#""successful":false"#))
        let skipJSON = GossJSON.encode(GossJSON.result(for: skip, includeRaw: true), pretty: false, indent: 4)
        #expect(skipJSON.contains(#""matcher-result":{"actual":null,"expected":null,"extra-elements":null,"found-elements":null,"message":"","missing-elements":null,"transform-chain":null,"untransformed-value":null}"#))
        #expect(skipJSON.contains(#""result":2,"skipped":true"#))
        #expect(skipJSON.contains(#""successful":true"#))
        // HTML escaping in the document, not in the summary line text itself.
        #expect(text.contains(#""resource-id":"x\u003cy""#))
        #expect(text.contains(#""err":"Command execution timed out (1m0s)""#))
        #expect(text.contains(#""summary-line":"Count: 3, Failed: 2, Skipped: 1, Duration: 0.001s""#))
    }
}
