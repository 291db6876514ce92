import Bakery
import BakeryYAML
import Foundation
import TestSupport
import Testing

/// Every mutating command on awkward bakery.yaml files (Tests/Fixtures/yaml-edits/corpus): the exact
/// bytes written, a valid result with the same meaning apart from the edit, and round trips that
/// give the original bytes back. `BAKERY_WRITE_CORPUS=1` writes the expected files instead of
/// comparing (then review every diff by hand: see the corpus README).
@Suite("YAML edit corpus")
struct YAMLEditCorpusTests {
    static let corpus = BakeryBinary.fixtures.appendingPathComponent("yaml-edits/corpus")
    static let writing = ProcessInfo.processInfo.environment["BAKERY_WRITE_CORPUS"] == "1"

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []).filter { !$0.hasSuffix(".md") }.sorted()
    }

    static func input(_ name: String) throws -> Data {
        try Data(contentsOf: corpus.appendingPathComponent("\(name)/input.bakery.yaml"))
    }

    static func commands(_ name: String) throws -> [(label: String, arguments: [String])] {
        try String(contentsOf: corpus.appendingPathComponent("\(name)/commands.txt"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("no-") }.compactMap { line in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].split(separator: " ").map(String.init))
            }
    }

    /// Why a round trip cannot give the original bytes back in this case (an anchor or alias on the edited path), if so.
    static func noRoundTrip(_ name: String, _ kind: String) throws -> String? {
        try String(contentsOf: corpus.appendingPathComponent("\(name)/commands.txt"), encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("no-\(kind)-round-trip:") }.map(String.init)
    }

    /// A project around `bakery`: a template folder for every image and a folder for every version.
    static func project(_ bakery: Data) throws -> URL {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("bakery-corpus-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        try bakery.write(to: dir.appendingPathComponent("bakery.yaml"))
        let config = try ConfigLoader.load(context: dir).config
        for image in config.images {
            let template = dir.appendingPathComponent("\(image.subpath)/template")
            try fm.createDirectory(at: template, withIntermediateDirectories: true)
            try Data("FROM x\n# {{ Image.Name }}\n".utf8).write(to: template.appendingPathComponent("Containerfile.jinja2"))
            for version in image.versions {
                try fm.createDirectory(at: dir.appendingPathComponent("\(image.subpath)/\(version.subpath)"), withIntermediateDirectories: true)
            }
        }
        return dir
    }

    static func run(_ arguments: [String], in dir: URL) throws -> Data {
        let result = try BakeryBinary.run(arguments, in: dir)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try Data(contentsOf: dir.appendingPathComponent("bakery.yaml"))
    }

    // MARK: meaning

    /// The document as a value, keys sorted (a merge written out may change key order, never meaning).
    static func value(_ data: Data) throws -> YAMLOut {
        func sorted(_ v: YAMLOut) -> YAMLOut {
            switch v {
            case .list(let items): return .list(items.map(sorted))
            case .map(let map):
                var out = YAMLOut.Map()
                for key in map.keys.sorted() { out[key] = map[key].map(sorted) }
                return .map(out)
            default: return v
            }
        }
        guard let root = try YAMLParser.parse(bytes: Array(data)) else { return .map([:]) }
        return sorted(YAMLOut(root))
    }

    /// `transform` applied to the list of images.
    static func images(_ v: YAMLOut, _ transform: (inout [YAMLOut]) -> Void) -> YAMLOut {
        guard case .map(var root) = v, case .list(var images)? = root["images"] else { return v }
        transform(&images)
        root["images"] = .list(images)
        return .map(root)
    }

    static func name(_ v: YAMLOut) -> String? {
        if case .map(let m) = v, case .scalar(let n)? = m["name"] { return n }
        return nil
    }

    /// `transform` applied to the mapping of image `image`.
    static func image(_ v: YAMLOut, _ image: String, _ transform: (inout YAMLOut.Map) -> Void) -> YAMLOut {
        images(v) { list in
            for i in list.indices where name(list[i]) == image {
                if case .map(var m) = list[i] { transform(&m); list[i] = .map(m) }
            }
        }
    }

    /// `transform` applied to every version mapping of image `image`.
    static func versions(_ v: YAMLOut, _ image: String, _ transform: (inout [YAMLOut]) -> Void) -> YAMLOut {
        self.image(v, image) { m in
            if case .list(var list)? = m["versions"] { transform(&list); m["versions"] = .list(list) }
        }
    }

    static func withoutLatest(_ v: YAMLOut, _ image: String) -> YAMLOut {
        versions(v, image) { list in
            for i in list.indices { if case .map(var m) = list[i] { m["latest"] = nil; list[i] = .map(m) } }
        }
    }

    /// What the command must have changed, checked as values: each side reduced to what must be equal.
    static func checkMeaning(_ arguments: [String], before: Data, after: Data, latest: String?) throws {
        let old = try value(before), new = try value(after)
        switch (arguments[0], arguments[1]) {
        case ("create", "image"):
            #expect(images(new) { $0.removeAll { name($0) == arguments[2] } } == old)
        case ("remove", "image"):
            #expect(images(old) { $0.removeAll { name($0) == arguments[2] } } == new)
        case ("remove", "version"):
            #expect(versions(old, arguments[2]) { $0.removeAll { name($0) == arguments[3] } } == new)
        case ("create", "version"):
            let reduced = versions(new, arguments[2]) { $0.removeAll { name($0) == arguments[3] } }
            #expect(withoutLatest(reduced, arguments[2]) == withoutLatest(old, arguments[2]))
        case ("create", "matrix"):
            #expect(image(new, arguments[2]) { $0["matrix"] = nil } == image(old, arguments[2]) { $0["matrix"] = nil })
        case ("update", "version"):
            let renamed = versions(old, arguments[2]) { list in
                for i in list.indices where name(list[i]) == latest { if case .map(var m) = list[i] { m["name"] = .scalar(arguments[3]); list[i] = .map(m) } }
            }
            #expect(renamed == new)
        default:
            Issue.record("no meaning check for \(arguments)")
        }
    }

    // MARK: tests

    @Test func theCorpusHasEnoughAwkwardFiles() throws {
        #expect(Self.cases.count >= 12)
        let all = try Self.cases.map { String(decoding: try Self.input($0), as: UTF8.self) }
        #expect(all.contains { $0.contains("\r\n") })
        #expect(all.contains { $0.hasPrefix("\u{FEFF}") })
        #expect(all.contains { !$0.hasSuffix("\n") })
        #expect(all.contains { $0.contains("\n---") || $0.hasPrefix("---") } && all.contains { $0.contains("\n...") })
        #expect(all.contains { $0.contains("<<: *") } && all.contains { $0.contains(": *") })
    }

    @Test(arguments: cases)
    func everyCommandWritesTheExpectedBytes(_ name: String) throws {
        let input = try Self.input(name)
        let before = try Self.project(input)
        defer { try? FileManager.default.removeItem(at: before) }
        #expect(try BakeryBinary.run(["validate"], in: before).status == 0, "\(name): the input must be a valid project")
        let latest = try ConfigLoader.load(context: before).config.image(named: "app")?.versions.first(where: \.latest)?.name
        for (label, arguments) in try Self.commands(name) {
            let dir = try Self.project(input)
            defer { try? FileManager.default.removeItem(at: dir) }
            let output = try Self.run(arguments, in: dir)
            let expectedURL = Self.corpus.appendingPathComponent("\(name)/\(label).expected.yaml")
            if Self.writing {
                try output.write(to: expectedURL)
            } else {
                let expected = try Data(contentsOf: expectedURL)
                #expect(output == expected, "\(name) \(label): got\n\(String(decoding: output, as: UTF8.self))")
            }
            let validated = try BakeryBinary.run(["validate"], in: dir)
            #expect(validated.status == 0, "\(name) \(label): \(validated.stderr)")
            try Self.checkMeaning(arguments, before: input, after: output, latest: latest)
            if arguments.starts(with: ["create", "version"]) {
                let versions = try ConfigLoader.load(context: dir).config.image(named: arguments[2])?.versions ?? []
                #expect(versions.filter(\.latest).map(\.name) == [arguments[3]], "\(name): only the new version is the latest")
            }
        }
    }

    @Test(arguments: cases)
    func createThenRemoveGivesTheOriginalBytes(_ name: String) throws {
        let input = try Self.input(name)
        let dir = try Self.project(input)
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Self.run(["create", "image", "extra", "--display-name", "Extra"], in: dir)
        #expect(try Self.run(["remove", "image", "extra"], in: dir) == input, "\(name): create image → remove image")
        _ = try Self.run(["create", "version", "app", "4.0.0", "--no-mark-latest"], in: dir)
        let removed = try Self.run(["remove", "version", "app", "4.0.0"], in: dir)
        if let reason = try Self.noRoundTrip(name, "create") {
            #expect(try Self.value(removed) == Self.value(input), "\(name): \(reason)")
        } else {
            #expect(removed == input, "\(name): create version → remove version")
        }
    }

    @Test(arguments: cases)
    func renameThenRenameBackGivesTheOriginalBytes(_ name: String) throws {
        let input = try Self.input(name)
        let dir = try Self.project(input)
        defer { try? FileManager.default.removeItem(at: dir) }
        let latest = try #require(try ConfigLoader.load(context: dir).config.image(named: "app")?.versions.first(where: \.latest)?.name)
        _ = try Self.run(["update", "version", "app", "9.9.9"], in: dir)
        let back = try Self.run(["update", "version", "app", latest, "--target-version", "9.9.9"], in: dir)
        if let reason = try Self.noRoundTrip(name, "rename") {
            #expect(try Self.value(back) == Self.value(input), "\(name): \(reason)")
        } else {
            #expect(back == input, "\(name)")
        }
    }

    /// An error about the file points at the file as read (its line and column), and changes nothing.
    @Test func errorsPointAtTheFileAsRead() throws {
        let input = try Self.input("12-comments-everywhere")
        let dir = try Self.project(input)
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = BakeryBinary.snapshot(dir)
        let duplicate = try BakeryBinary.run(["create", "version", "app", "1.0.0"], in: dir)
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("bakery.yaml:25:9: Version '1.0.0' already exists"), "\(duplicate.stderr)")
        // A subpath another version already uses: the validation error is reported at the edit's place in the file as read.
        let clash = try BakeryBinary.run(["create", "version", "app", "3.0.0", "--subpath", "2.0.0"], in: dir)
        #expect(clash.status == 1)
        #expect(clash.stderr.contains("bakery.yaml:") && !clash.stderr.contains("as edited"), "\(clash.stderr)")
        #expect(BakeryBinary.snapshot(dir) == before)
    }
}
