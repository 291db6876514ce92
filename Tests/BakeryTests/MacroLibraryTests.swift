import Bakery
import Foundation
import Jinja
import Testing

/// The macro library against the reference: Appendix A's renderings exactly, and every call of
/// Tests/Fixtures/macros/calls.txt against what posit-bakery 0.8.0 renders (expected.json).
@Suite("Macro library")
struct MacroLibraryTests {
    static let directory = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/macros")
    static let header = MacroLibrary.names.map { "{%- import \"\($0)\" as \($0.replacingOccurrences(of: ".j2", with: "")) -%}" }.joined()

    /// Calls where we deliberately differ from the reference: it renders a broken shell command
    /// (a dangling `\`, an empty package list, `uv python install` with no version); we raise.
    static let raisesInsteadOfBrokenOutput: Set<String> = [
        #"python.install_packages("3.12.1")"#,
        #"dnf.install_packages_from_list([])"#,
        #"python.build_stage([])"#,
    ]
    /// Calls the reference rejects with a Python error that we accept: a locale without a codeset
    /// in `locale_env`, and `extra_packages` given as a comma-separated string like every other list.
    static let acceptedWhereReferenceFails: Set<String> = [
        #"apt.locale_env("en_US")"#,
        #"python.install_jupyterlab_workbench("3.12.1", extra_packages="a,b")"#,
    ]

    struct Reference: Sendable {
        var outputs: [String: String]
        var errors: [String: String]
    }

    static let reference: Reference = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("expected.json")),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return Reference(outputs: [:], errors: [:]) }
        return Reference(outputs: root["outputs"] as? [String: String] ?? [:], errors: root["errors"] as? [String: String] ?? [:])
    }()

    static let calls: [String] = ((try? String(contentsOf: directory.appendingPathComponent("calls.txt"), encoding: .utf8)) ?? "")
        .components(separatedBy: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }

    static func render(_ call: String) throws -> String {
        let environment = try TemplateEnvironment.make()
        return try environment.render(source: header + "{{ " + call + " }}", name: "call.j2")
    }

    /// What bakery does to rendered files: trailing spaces and tabs removed from every line.
    static func stripTrailingBlanks(_ s: String) -> String {
        s.components(separatedBy: "\n").map { line in
            var l = Substring(line)
            while let last = l.last, last == " " || last == "\t" { l = l.dropLast() }
            return String(l)
        }.joined(separator: "\n")
    }

    @Test("the library ships all six files as resources")
    func libraryFiles() throws {
        let directory = try MacroLibrary.directory()
        for name in MacroLibrary.names {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), "\(name)")
        }
    }

    static let appendixCases: [(call: String, expected: String)] = {
        let text = (try? String(contentsOf: directory.appendingPathComponent("appendix-a.txt"), encoding: .utf8)) ?? ""
        var cases: [(String, String)] = []
        var call: String? = nil
        var lines: [String] = []
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("=== ") {
                if let call { cases.append((call, lines.joined(separator: "\n"))) }
                call = String(line.dropFirst(4))
                lines = []
            } else if call != nil {
                lines.append(line)
            }
        }
        if let call {
            if lines.last == "" { lines.removeLast() }
            cases.append((call, lines.joined(separator: "\n")))
        }
        return cases
    }()

    @Test("Appendix A renderings, exactly", arguments: appendixCases.map(\.call))
    func appendixA(_ call: String) throws {
        let expected = Self.appendixCases.first { $0.call == call }!.expected
        #expect(try Self.render(call) == expected)
    }

    @Test("every recorded call renders what posit-bakery 0.8.0 renders", arguments: calls)
    func parityWithReference(_ call: String) throws {
        if let expected = Self.reference.outputs[call] {
            if Self.raisesInsteadOfBrokenOutput.contains(call) {
                #expect(throws: JinjaError.self) { try Self.render(call) }
            } else {
                #expect(Self.stripTrailingBlanks(try Self.render(call)) == expected)
            }
        } else if Self.reference.errors[call] != nil {
            if Self.acceptedWhereReferenceFails.contains(call) {
                _ = try Self.render(call)
            } else {
                #expect(throws: JinjaError.self) { try Self.render(call) }
            }
        } else {
            Issue.record("no reference result for \(call); run Tests/Fixtures/macros/generate.py")
        }
    }

    @Test("argument validation raises with a message naming the macro")
    func raisesName() {
        for (call, fragment) in [
            (#"apt.setup_posit_repo("bad")"#, "apt.setup_posit_repo"),
            (#"apt.install()"#, "apt.install"),
            (#"r.install("4.4.3", "sles")"#, "r.install"),
            (#"quarto.run_install(["1.8.26", "1.7.0"])"#, "exactly one Quarto version"),
        ] {
            do {
                _ = try Self.render(call)
                Issue.record("\(call) rendered")
            } catch let error as JinjaError {
                #expect(error.kind == .raised)
                #expect(error.message.contains(fragment), "\(error)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}
