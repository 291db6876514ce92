// `bakery render`: render one template file with given values — a debugging aid, and a way to
// diff this engine against Jinja2.
import ArgumentParser
import Bakery
import Foundation
import Jinja

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render one Jinja2 template file to stdout.",
        discussion: """
        The template's own directory is searched first for imports and includes, then bakery's \
        macro library (apt.j2, dnf.j2, python.j2, r.j2, quarto.j2, goss.j2). Undefined variables \
        are errors. Errors go to stderr as TEMPLATE:LINE: message, with exit code 1.

        Values come from --values-file (YAML or JSON; typed: true, 1, 1.5, lists, mappings) and \
        --value KEY=VALUE (text; dotted keys nest: --value Image.Version=2026.03.1). --value wins.
        """)

    @Argument(help: ArgumentHelp("The template file.", valueName: "template"))
    var template: String

    @Option(name: .customLong("values-file"), help: ArgumentHelp("A YAML or JSON mapping of template variables.", valueName: "file"))
    var valuesFiles: [String] = []

    @Option(name: .customLong("value"), help: ArgumentHelp("Set one variable (text).", valueName: "key=value"))
    var values: [String] = []

    @Flag(help: "Write the text as bakery writes rendered files: no trailing blanks on lines, one final newline.")
    var normalize = false

    @Flag(help: "Print the time taken to parse and render, in milliseconds, on stderr.")
    var timing = false

    @Option(help: ArgumentHelp("Parse and render this many times (with --timing: the average).", valueName: "n"))
    var `repeat`: Int = 1

    func validate() throws {
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1.") }
    }

    func run() throws {
        do {
            var context: [String: Value] = [:]
            for file in valuesFiles {
                context.merge(try TemplateValues.load(file: file)) { _, new in new }
            }
            for assignment in values {
                try TemplateValues.assign(assignment, into: &context)
            }
            let source = try readTemplate()
            let directory = (template as NSString).deletingLastPathComponent
            let environment = try TemplateEnvironment.make(templateDirectories: [directory.isEmpty ? "." : directory])
            let clock = ContinuousClock()
            var text = ""
            let elapsed = try clock.measure {
                for _ in 0..<`repeat` {
                    text = try environment.render(source: source, name: template, context: context)
                }
            }
            if timing {
                let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                Console.stderr(String(format: "%.3f", ms / Double(`repeat`)))
            }
            if normalize { text = TemplateValues.normalizeRendered(text) }
            FileHandle.standardOutput.write(Data(text.utf8))
        } catch {
            // A template's own error prints as `NAME:LINE: message`, the form users jump to.
            Console.stderr(BakeryError.from(error).message)
            throw ExitCode(1)
        }
    }

    private func readTemplate() throws(BakeryError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: template, isDirectory: &isDirectory) else {
            throw BakeryError(.invalidArgument, "\(template): no such template file")
        }
        if isDirectory.boolValue {
            throw BakeryError(.invalidArgument, "\(template): is a directory; give a template file")
        }
        let data: Data
        do {
            data = try RegularFile.read(template)
        } catch {
            // A FIFO or device is refused at once instead of blocking the render.
            throw BakeryError(.invalidArgument, "\(template): \(error.code == .unsafePath ? "is not a regular file (a FIFO, socket or device is never read)" : "cannot be read (check its permissions)")")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BakeryError(.invalidArgument, "\(template): is not UTF-8 text")
        }
        return text
    }
}
