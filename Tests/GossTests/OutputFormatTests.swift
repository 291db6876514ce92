// The text formats (goss.md §6.3–6.4) as golden strings, and the CI JUnit checked against our schema.
import Foundation
import Testing
@testable import Goss
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small run: a pass and a failure on one file (with title and meta), a skip, a failed port.
private func sampleReport() throws -> GossReport {
    let meta = GossValue.map([GossEntry("owner", str("root")), GossEntry("level", .int(1))])
    return GossReport(results: [
        try checked("File", "/etc/passwd", "exists", expected: .bool(true), actual: .value(.bool(true)),
                    title: "Passwd", meta: meta, startDate: atExact(0), endDate: atExact(1)),
        try checked("File", "/etc/passwd", "mode", expected: str("0644"), actual: .value(str("0600")),
                    title: "Passwd", meta: meta, startDate: atExact(1), endDate: atExact(2)),
        skipped("Process", "rserver", "running"),
        try checked("Port", "tcp:8787", "listening", expected: .bool(true), actual: .value(.bool(false)),
                    startDate: atExact(2), endDate: atExact(4)),
    ].map { r in
        var r = r
        if r.outcome == .skip { r.startTime = atExact(3); r.endTime = atExact(3) }
        return r
    })
}

private let modeFailure = """
    File: /etc/passwd: mode:
    Expected
        "0600"
    to equal
        "0644"
    diff
        --- test
        +++ actual
        @@ -1 +1 @@
        -0644
        +0600
    """

private let portFailure = """
    Port: tcp:8787: listening:
    Expected
        false
    to equal
        true
    """

private let header = """
    Title: Passwd
    Meta:
        level: 1
        owner: root

    """

@Suite struct OutputFormatTests {
    @Test func documentation() throws {
        let (text, code) = GossFormatter.render(try sampleReport(), format: .documentation, options: GossFormatOptions(), color: false, now: atExact(0))
        #expect(code == 1)
        #expect(text == header + """
            File: /etc/passwd: exists: matches expectation: true
            \(modeFailure)
            Process: rserver: running: skipped
            \(portFailure)


            Failures/Skipped:


            """ + header + """
            \(modeFailure)

            \(portFailure)

            Process: rserver: running: skipped

            Total Duration: 0.004s
            Count: 4, Failed: 2, Skipped: 1

            """)
    }

    @Test func documentationInColour() throws {
        let text = GossFormatter.render(try sampleReport(), format: .documentation, options: GossFormatOptions(), color: true, now: atExact(0)).text
        #expect(text.contains("\u{1B}[32mFile: /etc/passwd: exists: matches expectation: true\u{1B}[0m\n"))
        #expect(text.contains("\u{1B}[33mProcess: rserver: running: skipped\u{1B}[0m\n"))
        #expect(text.contains("\u{1B}[31mPort: tcp:8787: listening:\nExpected"))
        #expect(text.hasSuffix("\u{1B}[31mCount: 4, Failed: 2, Skipped: 1\u{1B}[0m\n"))
        let passing = GossReport(results: [try checked("File", "/f", "exists", expected: .bool(true), actual: .value(.bool(true)))])
        let green = GossFormatter.render(passing, format: .documentation, options: GossFormatOptions(), color: true, now: atExact(0)).text
        #expect(green.hasSuffix("\n\n\nTotal Duration: 0.001s\n\u{1B}[32mCount: 1, Failed: 0, Skipped: 0\u{1B}[0m\n"))
        // json and junit never colour.
        #expect(!GossFormatter.render(try sampleReport(), format: .json, options: GossFormatOptions(), color: true, now: atExact(0)).text.contains("\u{1B}"))
        #expect(!GossFormatter.render(try sampleReport(), format: .junit, options: GossFormatOptions(), color: true, now: atExact(0)).text.contains("\u{1B}"))
    }

    @Test func rspecish() throws {
        let (text, code) = GossFormatter.render(try sampleReport(), format: .rspecish, options: GossFormatOptions(), color: false, now: atExact(0))
        #expect(code == 1)
        #expect(text.hasPrefix(".FSF\n\nFailures/Skipped:\n\nTitle: Passwd\n"))
        #expect(text.hasSuffix("Process: rserver: running: skipped\n\nTotal Duration: 0.004s\nCount: 4, Failed: 2, Skipped: 1\n"))
        let colour = GossFormatter.render(try sampleReport(), format: .rspecish, options: GossFormatOptions(), color: true, now: atExact(0)).text
        #expect(colour.hasPrefix("\u{1B}[32m.\u{1B}[0m\u{1B}[31mF\u{1B}[0m\u{1B}[33mS\u{1B}[0m\u{1B}[31mF\u{1B}[0m\n\n"))
        // Nothing failed or skipped: no section.
        let passing = GossReport(results: [try checked("File", "/f", "exists", expected: .bool(true), actual: .value(.bool(true)),
                                                       startDate: atExact(0), endDate: atExact(1))])
        #expect(GossFormatter.render(passing, format: .rspecish, options: GossFormatOptions(), color: false, now: atExact(0))
            == (".\n\nTotal Duration: 0.001s\nCount: 1, Failed: 0, Skipped: 0\n", 0))
    }

    @Test func tap() throws {
        let (text, code) = GossFormatter.render(try sampleReport(), format: .tap, options: GossFormatOptions(), color: true, now: atExact(0))
        #expect(code == 1)
        #expect(text == """
            1..4
            ok 1 - File: /etc/passwd: exists: matches expectation: true
            not ok 2 - File: /etc/passwd: mode: Expected "0600" to equal "0644"
            ok 3 - # SKIP Process: rserver: running: skipped
            not ok 4 - Port: tcp:8787: listening: Expected false to equal true

            """)
    }

    @Test func goJUnit() throws {
        let report = try sampleReport()
        var withQuote = report
        withQuote.results[0].resourceID = "/etc/pa\"ss<wd>"
        let (text, code) = GossFormatter.render(withQuote, format: .junit, options: GossFormatOptions(), color: false, now: atExact(0))
        #expect(code == 1)
        #expect(text == """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuite name="goss" errors="0" tests="4" failures="2" skipped="1" time="0.004" timestamp="2026-05-01T10:20:30Z">
            <testcase name="File /etc/pa&#34;ss&lt;wd&gt; exists" time="0.001">
            <system-out>File: /etc/pa&#34;ss&lt;wd&gt;: exists: matches expectation: true</system-out>
            </testcase>
            <testcase name="File /etc/passwd mode" time="0.001">
            <system-err>File: /etc/passwd: mode: Expected &#34;0600&#34; to equal &#34;0644&#34;</system-err>
            <failure>File: /etc/passwd: mode: Expected &#34;0600&#34; to equal &#34;0644&#34;</failure>
            </testcase>
            <testcase name="Process rserver running" time="0.000">
            <skipped/><system-out>Process: rserver: running: skipped</system-out>
            </testcase>
            <testcase name="Port tcp:8787 listening" time="0.002">
            <system-err>Port: tcp:8787: listening: Expected false to equal true</system-err>
            <failure>Port: tcp:8787: listening: Expected false to equal true</failure>
            </testcase>
            </testsuite>

            """)
    }

    @Test func nagios() throws {
        let report = try sampleReport()
        #expect(GossFormatter.render(report, format: .nagios, options: GossFormatOptions(), color: false, now: atExact(0))
            == ("GOSS CRITICAL - Count: 4, Failed: 2, Skipped: 1, Duration: 0.004s\n", 2))
        #expect(GossFormatter.render(report, format: .nagios, options: GossFormatOptions(perfdata: true, verbose: true), color: false, now: atExact(0))
            == ("""
            GOSS CRITICAL - Count: 4, Failed: 2, Skipped: 1, Duration: 0.004s|total=4 failed=2 skipped=1 duration=0.004s
            Fail 1 - File: /etc/passwd: mode: Expected "0600" to equal "0644"
            Fail 2 - Port: tcp:8787: listening: Expected false to equal true

            """, 2))
        let passing = GossReport(results: [skipped("Process", "rserver", "running")])
        #expect(GossFormatter.render(passing, format: .nagios, options: GossFormatOptions(), color: false, now: atExact(0))
            == ("GOSS OK - Count: 1, Failed: 0, Skipped: 1, Duration: 0.000s\n", 0))
    }

    @Test func silentStructuredAndExitCodes() throws {
        let report = try sampleReport()
        #expect(GossFormatter.render(report, format: .silent, options: GossFormatOptions(), color: false, now: atExact(0)) == ("", 1))
        let (structured, code) = GossFormatter.render(report, format: .structured, options: GossFormatOptions(), color: false, now: atExact(0))
        #expect(code == 0)
        #expect(structured.hasSuffix(#""summary":{"failed-count":2,"test-count":4,"total-duration":3906250},"summary-line":"Count: 4, Failed: 2, Duration: 0.004s"}"# + "\n"))
        #expect(structured.contains(#""summary-line-compact":"Port: tcp:8787: listening: Expected false to equal true""#))
        let empty = GossReport(results: [])
        for format in GossFormat.allCases where format != .nagios {
            #expect(GossFormatter.render(empty, format: format, options: GossFormatOptions(), color: false, now: atExact(0)).exitCode == 0)
        }
    }

    @Test func sortAndExcludeRaw() throws {
        var report = try sampleReport()
        report.results.append(try checked("Command", "c", "exit-status", expected: .int(1), actual: .value(str("0")), startDate: atExact(0), endDate: atExact(0)))
        let sorted = GossFormatter.render(report, format: .tap, options: GossFormatOptions(sort: true), color: false, now: atExact(0)).text
        let ids = sorted.split(separator: "\n").dropFirst().map { line in
            let text = line.split(separator: " - ", maxSplits: 1)[1].replacingOccurrences(of: "# SKIP ", with: "")
            return text.split(separator: " ").prefix(2).joined(separator: " ")
        }
        #expect(ids == ["Command: c:", "File: /etc/passwd:", "File: /etc/passwd:", "Port: tcp:8787:", "Process: rserver:"])
        #expect(sorted.contains("the raw value was \"0\""))
        let noRaw = GossFormatter.render(report, format: .json, options: GossFormatOptions(sort: true, excludeRaw: true), color: false, now: atExact(0)).text
        #expect(!noRaw.contains("the raw value was"))
        #expect(noRaw.contains("the transform chain was"))
        // The json format is sorted too.
        #expect(noRaw.hasPrefix(#"{"results":[{"duration":0,"#))
    }

    @Test func combinedJUnitDocument() throws {
        let now = atExact(0)
        let doc = GossJUnit.document([("connect-2026.03.1-ubuntu-24.04-std", try sampleReport()),
                                      ("weird <&> \u{1}name", GossReport(results: [errored("Command", "x", "exit-status", "boom\u{0}\nnow")]))], now: now)
        #expect(doc.hasPrefix("""
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="goss" tests="5" failures="3" errors="0" skipped="1" time="0.004">
              <testsuite name="connect-2026.03.1-ubuntu-24.04-std" tests="4" failures="2" errors="0" skipped="1" time="0.004" timestamp="2026-05-01T10:20:30Z">
                <testcase classname="connect-2026.03.1-ubuntu-24.04-std" name="File /etc/passwd exists" time="0.001">
                  <system-out>File: /etc/passwd: exists: matches expectation: true</system-out>
                </testcase>
                <testcase classname="connect-2026.03.1-ubuntu-24.04-std" name="File /etc/passwd mode" time="0.001">
                  <failure message="File: /etc/passwd: mode: Expected &#34;0600&#34; to equal &#34;0644&#34;">File: /etc/passwd: mode: Expected &#34;0600&#34; to equal &#34;0644&#34;</failure>
                  <system-out>File: /etc/passwd: mode: Expected &#34;0600&#34; to equal &#34;0644&#34;</system-out>
                </testcase>
                <testcase classname="connect-2026.03.1-ubuntu-24.04-std" name="Process rserver running" time="0.000">
                  <skipped/>
                  <system-out>Process: rserver: running: skipped</system-out>
                </testcase>
            """))
        #expect(doc.contains(#"<testsuite name="weird &lt;&amp;&gt; name" "#))
        #expect(doc.contains("<failure message=\"Command: x: exit-status: Error boom now\">"))
        #expect(doc.hasSuffix("  </testsuite>\n</testsuites>\n"))
        // A read-back result keeps the summary line the real goss printed.
        var recorded = errored("Command", "y", "stdout", "x")
        recorded.recordedSummaryLineCompact = "Command: y: stdout: as goss said"
        #expect(GossJUnit.testsuite(name: "t", report: GossReport(results: [recorded]), now: now).contains("<system-out>Command: y: stdout: as goss said</system-out>"))
    }

    @Test func junitValidatesAgainstTheSchema() throws {
        let now = atExact(0)
        let hostile = GossReport(results: [
            errored("Command", "ä \"q\" 'a' <b> & \u{7}\u{FFFE}", "exit-status", "multi\nline\ttab\r"),
            try checked("File", "/x", "contents", expected: strs("/a]]>b/"), actual: stream("zz\n")),
        ])
        let documents = [
            ("combined", GossJUnit.document([("a", try sampleReport()), ("b <x>", hostile), ("empty", GossReport(results: []))], now: now)),
            ("empty-combined", GossJUnit.document([], now: now)),
            ("goss", GossFormatter.render(try sampleReport(), format: .junit, options: GossFormatOptions(), color: false, now: now).text),
            ("goss-hostile", GossFormatter.render(hostile, format: .junit, options: GossFormatOptions(), color: false, now: now).text),
        ]
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/junit/junit.xsd")
        #expect(FileManager.default.fileExists(atPath: schema.path))
        if let xmllint = Self.executable("xmllint") {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("goss-junit-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            for (name, text) in documents {
                let file = dir.appendingPathComponent("\(name).xml")
                try Data(text.utf8).write(to: file)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: xmllint)
                process.arguments = ["--noout", "--schema", schema.path, file.path]
                let errors = Pipe()
                process.standardError = errors
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "xmllint on \(name): \(message)")
            }
        } else {
            #if canImport(FoundationXML)
            for (name, text) in documents {
                let document = try XMLDocument(data: Data(text.utf8))
                let root = try #require(document.rootElement(), "\(name) has no root")
                #expect(["testsuites", "testsuite"].contains(root.name ?? ""))
            }
            print("junitValidatesAgainstTheSchema: xmllint not on PATH; checked well-formedness with FoundationXML only")
            #else
            print("junitValidatesAgainstTheSchema: skipped, neither xmllint nor FoundationXML is available")
            #endif
        }
    }

    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
