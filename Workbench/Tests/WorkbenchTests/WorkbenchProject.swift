// The Workbench folder as the suites see it: its config, its rendered folders (versions and matrices) and the
// Containerfile of each target, and goss files rendered as `bakery dgoss run` would render them in a container.
import Bakery
import BakeryYAML
import Foundation
import Goss
import Testing
import TestSupport

/// One rendered folder (a version or a matrix) of a Workbench image and the targets built from it.
struct WorkbenchFolder: CustomStringConvertible {
    var image: Image
    /// e.g. "workbench/2026.04" or "workbench-session/matrix".
    var relativePath: String
    /// nil for a matrix folder.
    var version: ImageVersion?
    var os: [ImageVersionOS]
    var description: String { relativePath }
    var isMatrix: Bool { version == nil }

    /// The Containerfile of each (OS, variant) target; images without variants have `Containerfile.<os>`.
    var containerfiles: [(file: String, os: ImageVersionOS, variant: ImageVariant?)] {
        os.flatMap { os in
            image.variants.isEmpty
                ? [("Containerfile.\(os.extension)", os, nil)]
                : image.variants.map { ("Containerfile.\(os.extension).\($0.extension)", os, $0) }
        }
    }

    var directory: URL { WorkbenchProject.root.appendingPathComponent(relativePath) }

    func text(_ file: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
    }
}

/// Paths, config and helpers shared by the Workbench suites.
enum WorkbenchProject {
    static let repository = BakeryBinary.repositoryRoot
    /// The Workbench image project (holding bakery.yaml).
    static let root = repository.appendingPathComponent("Workbench")
    /// posit-bakery's recorded outputs on the published config, and on the same config with explicit matrix rows.
    static let reference = BakeryBinary.fixtures.appendingPathComponent("reference/workbench")
    static let explicitReference = BakeryBinary.fixtures.appendingPathComponent("reference/derived-workbench-matrix-explicit")

    /// The ports the facts give: Workbench's web server and its launcher (both EXPOSEd), the session's.
    static let serverPort = 8787
    static let launcherPort = 5559
    static let sessionPort = 8788

    /// One matrix row, as the matrix tests build it: the versions every matrix build arg gets.
    /// (The matrices resolve their rows online; these are rows of the explicit reference config.)
    static let matrixRow: [String: String] = [
        "R_VERSION": "4.5.3", "PYTHON_VERSION": "3.14.4", "QUARTO_VERSION": "1.9.36", "POSITRON_VERSION": "2026.04.0-123",
    ]

    static func load() throws -> LoadedConfig { try ConfigLoader.load(context: root) }

    static func image(_ name: String) throws -> Image {
        try #require(try load().config.images.first { $0.name == name }, "Workbench/bakery.yaml has no image \(name)")
    }

    /// Every rendered folder: each version's, then the matrix's, image by image in file order.
    static func folders(image name: String? = nil) throws -> [WorkbenchFolder] {
        try load().config.images.filter { name == nil || $0.name == name }.flatMap { image -> [WorkbenchFolder] in
            var folders = image.versions.map {
                WorkbenchFolder(image: image, relativePath: "\(image.name)/\($0.subpath)", version: $0, os: $0.os)
            }
            if let matrix = image.matrix {
                folders.append(WorkbenchFolder(image: image, relativePath: "\(image.name)/\(matrix.subpath)", version: nil, os: matrix.os))
            }
            return folders
        }
    }

    /// The environment `bakery dgoss run` gives a target's container; matrix targets also get one
    /// `BUILD_ARG_<NAME>` per build arg (the versions of `matrixRow`).
    static func gossEnvironment(folder: WorkbenchFolder, os: ImageVersionOS, variant: ImageVariant?, platform: String) -> [String: String] {
        var env = ImageProjectChecks.gossEnvironment(version: folder.version?.name ?? "matrix", os: os, variant: variant, platform: platform)
        if folder.isMatrix {
            let names = folder.image.name == "workbench-positron-init" ? ["POSITRON_VERSION"] : ["R_VERSION", "PYTHON_VERSION", "QUARTO_VERSION"]
            for name in names { env["BUILD_ARG_\(name)"] = matrixRow[name] }
        }
        return env
    }

    /// `readFile` inside the test container: /tmp/version/… is the rendered folder (the mount `dgoss run` makes).
    static func versionMount(_ directory: URL) -> @Sendable (String) throws -> String { ImageProjectChecks.versionMount(directory) }

    /// Renders goss text as goss would inside the container, and parses the YAML.
    static func renderGoss(_ text: String, name: String, directory: URL, env: [String: String]) throws -> YAMLNode {
        try #require(try ImageProjectChecks.renderGoss(text, name: name, directory: directory, env: env), "\(name) renders to an empty document")
    }

    /// A folder's `test/goss.yaml`, rendered for one target.
    static func renderGoss(_ folder: WorkbenchFolder, env: [String: String]) throws -> YAMLNode {
        try renderGoss(try folder.text("test/goss.yaml"), name: "\(folder.relativePath)/test/goss.yaml", directory: folder.directory, env: env)
    }

    /// The lines of a rendered package list (`deps/<file>`), blank lines left out.
    static func lines(_ folder: WorkbenchFolder, _ file: String) throws -> [String] {
        try folder.text(file).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }
}

extension YAMLNode {
    /// The scalar at a key path (`node.scalar(at: "user", "rstudio-server", "uid")`), nil when any key is missing.
    func scalar(at path: String...) -> String? {
        var node: YAMLNode? = self
        for key in path { node = node?[key] }
        return node?.scalar
    }

    /// The scalars of the sequence at a key path, nil when any key is missing or the node is not a sequence.
    func list(at path: String...) -> [String]? {
        var node: YAMLNode? = self
        for key in path { node = node?[key] }
        return node?.items.compactMap(\.scalar)
    }
}

/// A Containerfile read as its stages and instructions (continuation lines joined, comment lines between
/// instructions dropped), enough to say which stage holds what without matching text across stage boundaries.
/// Shared by the Workbench suites.
struct Containerfile {
    struct Instruction: CustomStringConvertible {
        var keyword: String
        /// The text after the keyword as written, continuation lines kept (`\` and newline): what a shell gets.
        var shellText: String
        /// The text after the keyword with each continuation's `\` dropped and every line trimmed, lines joined by
        /// newlines: what the checks compare.
        var arguments: String
        var description: String { "\(keyword) \(arguments)" }

        init(keyword: String, shellText: String) {
            self.keyword = keyword
            self.shellText = shellText
            arguments = shellText.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return trimmed.hasSuffix("\\") ? String(trimmed.dropLast()).trimmingCharacters(in: .whitespaces) : trimmed
            }.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    struct Stage {
        /// The stage's FROM instruction.
        var from: Instruction
        var base: String
        var name: String?
        var instructions: [Instruction] = []

        /// The shell text of every `keyword` instruction.
        func all(_ keyword: String) -> [String] { instructions.filter { $0.keyword == keyword }.map(\.shellText) }
        func first(_ keyword: String) -> String? { all(keyword).first }
        /// RUN commands as the shell gets them (flags such as `--mount=…` stay in front).
        var runs: [String] { all("RUN") }
        /// ARG names in order (repeats kept, so a duplicate shows).
        var argumentNames: [String] { all("ARG").map { String($0.prefix { $0 != "=" }) } }
        /// ARG name → default (nil when declared without one).
        var arguments: [String: String?] {
            Dictionary(all("ARG").map { argument -> (String, String?) in
                let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : nil)
            }, uniquingKeysWith: { first, _ in first })
        }
    }

    var stages: [Stage] = []

    /// Every instruction in file order, each stage's FROM included.
    var instructions: [Instruction] { stages.flatMap { [$0.from] + $0.instructions } }

    func all(_ keyword: String) -> [String] { stages.flatMap { $0.all(keyword) } }

    init(parsing text: String, name: String) throws {
        var pending: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if pending == nil, trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let joined = pending.map { $0 + "\n" + line } ?? line
            if trimmed.hasSuffix("\\") { pending = joined; continue }
            pending = nil
            let body = joined.trimmingCharacters(in: .whitespaces)
            let word = String(body.prefix { !$0.isWhitespace })
            let instruction = Instruction(keyword: word.uppercased(), shellText: String(body.dropFirst(word.count)).trimmingCharacters(in: .whitespaces))
            if instruction.keyword == "FROM" {
                let words = instruction.arguments.split(separator: " ").map(String.init)
                stages.append(Stage(from: instruction, base: words[0], name: words.count == 3 && words[1].uppercased() == "AS" ? words[2] : nil))
            } else if stages.isEmpty {
                throw ContainerfileProblem(description: "\(name): \(instruction.keyword) before the first FROM")
            } else {
                stages[stages.count - 1].instructions.append(instruction)
            }
        }
        if pending != nil { throw ContainerfileProblem(description: "\(name): the last instruction ends with a line continuation") }
        if stages.isEmpty { throw ContainerfileProblem(description: "\(name): no FROM") }
    }
}

struct ContainerfileProblem: Error, CustomStringConvertible {
    var description: String
}
