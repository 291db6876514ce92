// bakery-fuzz: a seeded, in-process fuzzer over the parts that read hostile input — the YAML reader,
// the bakery.yaml span editor (BakeryYAML's YAMLEditor, driven through Bakery's ConfigEditor), the
// config model and the Jinja engine. Every input derives from (seed, iteration), so a crash
// reproduces with `bakery-fuzz --seed S --from N --executions 1`.
// A trap ends the process (non-zero exit) after the last progress line named the iteration range.
//
//   swift build -c release --product bakery-fuzz
//   .build/release/bakery-fuzz --executions 1000000 --seconds 600
import Bakery
import BakeryYAML
import Foundation
import Jinja

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

var seed: UInt64 = 20261129
var executions = 1_000_000
var seconds = 600.0
var from = 0
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    guard let value = arguments.first else { break }
    arguments.removeFirst()
    switch flag {
    case "--seed": seed = UInt64(value) ?? seed
    case "--executions": executions = Int(value) ?? executions
    case "--seconds": seconds = Double(value) ?? seconds
    case "--from": from = Int(value) ?? from
    default: FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8)); exit(2)
    }
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
// The example configs: the tutorials in Examples/ and the product configs in Tests/Fixtures/examples.
let exampleFolders = [root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples"), root.appendingPathComponent("examples")]
let configs: [String] = exampleFolders.flatMap { folder in
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted().compactMap {
        try? String(contentsOf: folder.appendingPathComponent("\($0)/bakery.yaml"), encoding: .utf8)
    }
}
let jinjaCases = (try? String(contentsOf: root.deletingLastPathComponent().appendingPathComponent("JinjaTests/Fixtures/cases.txt"), encoding: .utf8)) ?? ""
var templates: [String] = jinjaCases.components(separatedBy: "\n=== ").map { block in
    block.components(separatedBy: "\n--- ").first.map { $0.split(separator: "\n", maxSplits: 1).dropFirst().joined() } ?? ""
}.filter { !$0.isEmpty }
if let walker = FileManager.default.enumerator(atPath: root.appendingPathComponent("templates").path) {
    while let p = walker.nextObject() as? String {
        guard p.hasSuffix(".jinja2") else { continue }
        if let t = try? String(contentsOf: root.appendingPathComponent("templates/\(p)"), encoding: .utf8) { templates.append(t) }
    }
}
guard configs.count >= 12, !templates.isEmpty else {
    FileHandle.standardError.write(Data("bakery-fuzz: expected the 12 example configs and the template corpus, found \(configs.count) configs and \(templates.count) templates\n".utf8))
    exit(1)
}

let yamlTokens = [":", "- ", "[", "]", "{", "}", "\"", "'", "&a ", "*a", "<<: ", "!!str ", "~", "\n", "\r", "\r\n", "\u{85}", "\u{2028}", "  ", "\t",
                  "24.04", "true", "null", "é", "\u{0}", "#", "|", ">", "---", "...", "? ", "name: ", "subpath: ", "versions: ", "os: ",
                  "latest: true", "matrix: ", "subpath: ../", "subpath: .", "name: ..", "\u{FEFF}", "e\u{301}"]
let jinjaTokens = ["{{", "}}", "{%", "%}", "{#", "#}", "|", "(", ")", "[", "]", ",", ".", "~", "*", "**", "//", "%", "-", "+", " if ", " else ",
                   " for x in ", "range(", "namespace(", "loop.", "999999999999", "-9223372036854775808", "|center(", "|indent(", "|truncate(",
                   "|batch(", "|slice(", "|join", "|format(", "|round(", "'", "\"", "\\", "\n", "{% macro m(a) %}", "{% endmacro %}", "m(",
                   "{% set ", "{% endfor %}", "{% endif %}", "{% include 'x' %}", "{% import 'apt.j2' as apt %}", "apt.", "|regexReplace("]

func mutate(_ text: String, _ tokens: [String], _ rng: inout SplitMix) -> [UInt8] {
    var bytes = Array(text.utf8)
    for _ in 0..<Int.random(in: 1...5, using: &rng) {
        let at = Int.random(in: 0...bytes.count, using: &rng)
        switch Int.random(in: 0..<5, using: &rng) {
        case 0, 1: bytes.insert(contentsOf: Array(tokens.randomElement(using: &rng)!.utf8), at: at)
        case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...30, using: &rng)))
        case 3: if at < bytes.count { bytes[at] = UInt8.random(in: 0...255, using: &rng) }
        default:
            let from = Int.random(in: 0...bytes.count, using: &rng)
            let chunk = Array(bytes[min(from, bytes.count)..<min(bytes.count, from + Int.random(in: 1...60, using: &rng))])
            bytes.insert(contentsOf: chunk, at: at)
        }
    }
    return bytes
}

var environment = (try? TemplateEnvironment.make()) ?? Environment()
environment.maxSteps = 200_000
environment.maxBytes = 1 << 20
environment.maxItems = 50_000
let context: [String: Value] = ["Image": .dict({ var d = Dict(); d[string: "Name"] = "connect"; d[string: "Version"] = "2026.03.1"; return d }()),
                                "name": "connect", "items": .list([1, 2, 3].map { .int($0) })]
let newEntry = YAMLOut.map(["name": .scalar("9.9.9"), "latest": .bool(true), "values": .map(["k": .scalar("a\rb\u{85}c'\"\\")])])

var counts = [String: Int]()
let started = Date()
var i = from
let end = from + executions
while i < end {
    var rng = SplitMix(state: seed &+ UInt64(i) &* 0x2545_F491_4F6C_DD1D)
    switch i % 4 {
    case 0:
        // The YAML reader on mutated configs.
        _ = try? YAMLParser.parse(bytes: mutate(configs.randomElement(using: &rng)!, yamlTokens, &rng))
        counts["yaml", default: 0] += 1
    case 1:
        // The config model: load, and every error located.
        let bytes = mutate(configs.randomElement(using: &rng)!, yamlTokens, &rng)
        do {
            _ = try ConfigLoader.load(bytes: bytes, displayPath: "bakery.yaml", context: URL(fileURLWithPath: "/fuzz"), file: URL(fileURLWithPath: "/fuzz/bakery.yaml"))
        } catch {
            if error.errors.contains(where: { $0.location == nil }) { print("unlocated error at iteration \(i)"); exit(1) }
        }
        counts["config", default: 0] += 1
    case 2:
        // The span editor on mutated (but parseable) configs: add, replace and remove entries.
        let text = String(decoding: mutate(configs.randomElement(using: &rng)!, yamlTokens, &rng), as: UTF8.self)
        if let root = try? YAMLParser.parse(text), let images = root["images"]?.items, let image = images.randomElement(using: &rng),
           let name = image["name"]?.scalar {
            var editor = ConfigEditor(text: text)
            let versions = image["versions"]?.items.compactMap { $0["name"]?.scalar } ?? []
            switch Int.random(in: 0..<9, using: &rng) {
            case 0: try? editor.addVersion(name, newEntry, name: "9.9.9")
            case 1: if let v = versions.randomElement(using: &rng) { try? editor.replaceVersion(name, v, with: newEntry) }
            case 2: if let v = versions.randomElement(using: &rng) { try? editor.removeVersion(name, v) }
            case 3: try? editor.removeImage(name)
            case 4: if let v = versions.randomElement(using: &rng) { try? editor.renameVersion(name, v, to: "9.9.9") }
            case 5: if let v = versions.randomElement(using: &rng) { try? editor.setValues(name, v, [("k", "a: b"), ("flavor", "x")]) }
            case 6: try? editor.setMatrix(name, .map(["values": .map(["flavor": .scalar("a")])]))
            case 7: try? editor.appendImage(.map(["name": .scalar("fuzz"), "displayName": .scalar("Fuzz")]))
            default: try? editor.clearLatest(name, except: nil)
            }
            // Whatever the edit did, its text is read again: it must never trap the reader.
            _ = try? YAMLParser.parse(editor.text)
        }
        counts["editor", default: 0] += 1
    default:
        // The Jinja engine on mutated templates, with the render budget.
        let source = String(decoding: mutate(templates.randomElement(using: &rng)!, jinjaTokens, &rng), as: UTF8.self)
        _ = try? environment.render(source: source, name: "fuzz.j2", context: context)
        counts["jinja", default: 0] += 1
    }
    i += 1
    if (i - from) % 100_000 == 0 {
        FileHandle.standardOutput.write(Data("bakery-fuzz: \(i - from) executions (through iteration \(i - 1)), \(Int(Date().timeIntervalSince(started))) s, no crash\n".utf8))
    }
    if Date().timeIntervalSince(started) > seconds { break }
}
let done = i - from
print("bakery-fuzz: \(done) executions in \(String(format: "%.0f", Date().timeIntervalSince(started))) s (seed \(seed)): "
      + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "; 0 crashes")
exit(done >= executions ? 0 : 3)
