// Reading gossfiles: yaml.v3's scalar typing, the attribute whitelist, located errors, includes and rendering.
import Foundation
import Testing
@testable import Goss

@Suite struct GossfileTests {
    static func parse(_ text: String, file: String = "goss.yaml") throws -> [GossResource] {
        try GossfileParser.parse(text, format: .yaml, file: file).resources
    }

    static func error(_ text: String) -> GossError? {
        do { _ = try GossfileParser.parse(text, format: .yaml, file: "goss.yaml"); return nil } catch { return error }
    }

    @Test func scalarsAreTypedAsYamlV3Does() {
        let cases: [(String, GossValue)] = [
            ("0755", .int(493)), ("755", .int(755)), ("0x1F", .int(31)), ("1_000", .int(1000)), ("0o17", .int(15)), ("-12", .int(-12)),
            ("1.10", .float(1.1)), (".5", .float(0.5)), ("1e3", .float(1000)), ("true", .bool(true)), ("FALSE", .bool(false)),
            ("yes", .string("yes")), ("off", .string("off")), ("~", .null), ("", .null), ("Null", .null), ("1.0.0", .string("1.0.0")),
            ("0755x", .string("0755x")), ("09", .float(9)), ("1e", .string("1e")),
        ]
        for (text, expected) in cases {
            #expect(GossDecoding.scalar(text, style: .plain, tag: nil) == expected, "\(text)")
        }
        #expect(GossDecoding.scalar("0755", style: .doubleQuoted, tag: nil) == .string("0755"))
        #expect(GossDecoding.scalar("true", style: .singleQuoted, tag: nil) == .string("true"))
    }

    @Test func resourcesKeepKeysAliasesAndExpectations() throws {
        let resources = try Self.parse("""
        file:
          /opt/rstudio-connect/:
            exists: true
            mode: "0755"
          python-3.14.3:
            path: /opt/python/3.14.3
            exists: true
            title: Python
            meta: {owner: team}
        command:
          connect --version:
            exec: /opt/connect --version
            exit-status: 0
            timeout: 60000
        unknown-section:
          x: {exists: true}
        """)
        #expect(resources.count == 3)
        let dir = try #require(resources.first { $0.key == "/opt/rstudio-connect/" })
        #expect(dir.id == "/opt/rstudio-connect/" && dir.expectations["mode"] == .string("0755"))
        let python = try #require(resources.first { $0.key == "python-3.14.3" })
        #expect(python.id == "python-3.14.3: /opt/python/3.14.3" && python.target == "/opt/python/3.14.3")
        #expect(python.title == "Python" && python.meta == .map([GossEntry("owner", .string("team"))]))
        let command = try #require(resources.first { $0.kind == .command })
        #expect(command.id == "connect --version" && command.target == "/opt/connect --version")
        #expect(command.milliseconds("timeout", default: 10_000) == 60_000)
    }

    @Test func duplicateKeysAreErrorsWithBothLines() throws {
        let error = try #require(Self.error("package:\n  curl:\n    installed: true\n  curl:\n    installed: true\n"))
        #expect(error.message.contains("mapping key \"curl\" already defined at line 2"))
        #expect(error.line == 4)
    }

    @Test func unknownAttributesAndNullResourcesAreRejected() throws {
        let unknown = try #require(Self.error("file:\n  /etc/passwd:\n    exists: true\n    colour: red\n"))
        #expect(unknown.message == "invalid Attribute for File:/etc/passwd: colour")
        #expect(unknown.line == 4 && unknown.hint?.contains("exists") == true)
        let null = try #require(Self.error("process:\n  connect:\n"))
        #expect(null.message == "Could not parse resource Process:connect")
        #expect(null.line == 2)
    }

    @Test func skipTakesYamlBoolsOnly() throws {
        let resources = try Self.parse("process:\n  a: {running: true, skip: yes}\n  b: {running: true, skip: Off}\n")
        #expect(resources.first { $0.key == "a" }?.skip == true)
        #expect(resources.first { $0.key == "b" }?.skip == false)
        #expect(Self.error("process:\n  a: {running: true, skip: maybe}\n")?.line == 2)
    }

    @Test func stringNumbersAreDeprecatedButConverted() throws {
        let parsed = try GossfileParser.parse("user:\n  u:\n    exists: true\n    uid: \"999\"\n", format: .yaml, file: "g.yaml")
        #expect(parsed.resources.first?.expectations["uid"] == .float(999))
        #expect(parsed.warnings == ["DEPRECATION WARNING: user.uid should be an integer not a string"])
        #expect(Self.error("user:\n  u:\n    exists: true\n    uid: abc\n")?.line == 4)
    }

    @Test func requestHeadersNeedTheSeparator() {
        #expect(Self.error("http:\n  http://x/:\n    status: 200\n    request-headers: [\"NoSeparator\"]\n")?.message.contains("\": \"") == true)
    }

    @Test func jsonGossfilesHaveFloatNumbers() throws {
        let parsed = try GossfileParser.parse(#"{"user": {"u": {"exists": true, "uid": 999}}}"#, format: .json, file: "g.json")
        #expect(parsed.resources.first?.expectations["uid"] == .float(999))
        #expect(parsed.resources.first?.expectations["exists"] == .bool(true))
    }

    @Test func goDurationsAsGoPrintsThem() {
        #expect(GoDuration.milliseconds(10_000) == "10s")
        #expect(GoDuration.milliseconds(60_000) == "1m0s")
        #expect(GoDuration.milliseconds(120_000) == "2m0s")
        #expect(GoDuration.milliseconds(1500) == "1.5s")
        #expect(GoDuration.milliseconds(500) == "500ms")
        #expect(GoDuration.milliseconds(3_723_000) == "1h2m3s")
    }

    @Test func floatsPrintAsGo() {
        #expect(GoFloat.format(1.1) == "1.1")
        #expect(GoFloat.format(1_000_000) == "1e+06")
        #expect(GoFloat.format(123456) == "123456")
        #expect(GoFloat.format(0.0001) == "0.0001")
        #expect(GoFloat.format(0.00001) == "1e-05")
        #expect(GoFloat.format(-2.5) == "-2.5")
        #expect(GoFloat.format(1e21) == "1e+21")
        #expect(GoFloat.format(1_234_567) == "1.234567e+06")
    }
}

@Suite struct GossLoaderTests {
    static func folder(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("goss-loader-\(UUID().uuidString)")
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test func rendersWithEnvAndReadsFilesFromTheSystemUnderTest() async throws {
        let dir = try Self.folder(["goss.yaml": """
        package:
        {{- range $pkg := readFile (printf "/tmp/version/deps/%s_packages.txt" .Env.IMAGE_OS_NAME) | splitList "\\n" }}
          {{ $pkg }}:
            installed: true
        {{- end }}
        process:
          connect:
            running: true
            skip: {{ if eq .Env.IMAGE_VARIANT "Minimal" }}true{{ else }}false{{ end }}
        """])
        defer { try? FileManager.default.removeItem(at: dir) }
        let probe = FakeProbe()
        probe.readable["/tmp/version/deps/ubuntu_packages.txt"] = "curl\njq\n\n"
        let loader = GossLoader(environment: ["IMAGE_OS_NAME": "ubuntu", "IMAGE_VARIANT": "Minimal"], readFile: { try await probe.readFile($0) })
        let gossfile = try await loader.load(path: dir.appendingPathComponent("goss.yaml").path)
        #expect(Set(gossfile.resources.filter { $0.kind == .package }.map(\.key)) == ["curl", "jq"])
        #expect(gossfile.resources.first { $0.kind == .process }?.skip == true)
    }

    @Test func aMissingEnvKeyIsALocatedRenderError() async throws {
        let dir = try Self.folder(["goss.yaml": "file:\n  /x:\n    exists: {{ .Env.NOPE }}\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let loader = GossLoader(environment: [:], readFile: { _ in "" })
        do {
            _ = try await loader.load(path: dir.appendingPathComponent("goss.yaml").path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("map has no entry for key \"NOPE\""))
            #expect(error.line == 3)
            #expect(error.hint != nil)
        }
    }

    @Test func readFileFailuresEndTheRender() async throws {
        let dir = try Self.folder(["goss.yaml": "{{ $x := readFile \"/nope\" }}file:\n  /x: {exists: true}\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let probe = FakeProbe()
        let loader = GossLoader(environment: [:], readFile: { try await probe.readFile($0) })
        do {
            _ = try await loader.load(path: dir.appendingPathComponent("goss.yaml").path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("open /nope: no such file or directory"))
        }
    }

    @Test func includesMergeInSortedOrderAndLaterOnesWin() async throws {
        let dir = try Self.folder([
            "goss.yaml": "gossfile:\n  b.yaml: {}\n  a.yaml: {}\n  skipped.yaml: {skip: true}\nfile:\n  /etc/passwd: {exists: true}\n",
            "a.yaml": "file:\n  /etc/passwd: {exists: false}\n  /etc/a: {exists: true}\n",
            "b.yaml": "file:\n  /etc/passwd: {exists: true, mode: \"0644\"}\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let loader = GossLoader(environment: [:], readFile: { _ in "" })
        let gossfile = try await loader.load(path: dir.appendingPathComponent("goss.yaml").path)
        #expect(gossfile.resources.count == 2)
        #expect(gossfile.resources.first { $0.key == "/etc/passwd" }?.expectations["mode"] == .string("0644"))
        #expect(gossfile.warnings.count == 2)
    }

    @Test func includeProblemsAreErrors() async throws {
        let dir = try Self.folder(["goss.yaml": "gossfile:\n  missing.yaml: {}\n", "loop.yaml": "gossfile:\n  loop.yaml: {}\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let loader = GossLoader(environment: [:], readFile: { _ in "" })
        await #expect(throws: GossError.self) { try await loader.load(path: dir.appendingPathComponent("goss.yaml").path) }
        do {
            _ = try await loader.load(path: dir.appendingPathComponent("loop.yaml").path)
            Issue.record("expected the depth limit")
        } catch {
            #expect(error.message.hasPrefix("max depth of 50 reached"))
        }
    }

    @Test func nothingToTestIsAnError() async throws {
        let dir = try Self.folder(["goss.yaml": "files:\n  /x: {exists: true}\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let loader = GossLoader(environment: [:], readFile: { _ in "" })
        do {
            _ = try await loader.load(path: dir.appendingPathComponent("goss.yaml").path)
            Issue.record("expected found 0 tests")
        } catch {
            #expect(error.message.hasPrefix("found 0 tests, source: "))
        }
    }
}

@Suite struct GossLoaderFileKindTests {
    @Test func aFolderOrFIFOIsNamedForWhatItIs() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("goss-kind-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("inc.yaml"), withIntermediateDirectories: true)
        #expect(mkfifo(dir.appendingPathComponent("fifo.yaml").path, 0o600) == 0)
        try "gossfile:\n  inc.yaml: {}\n".write(to: dir.appendingPathComponent("goss.yaml"), atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: dir) }
        let loader = GossLoader(environment: [:], readFile: { _ in "" })
        do {
            _ = try await loader.load(path: dir.appendingPathComponent("goss.yaml").path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasSuffix("inc.yaml: is a directory"))
        }
        do {
            _ = try await loader.load(path: dir.appendingPathComponent("fifo.yaml").path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasSuffix("fifo.yaml: is not a regular file"))
        }
    }
}
