// The Connect folder is sound: its config, rendered files, Containerfiles, scripts, goss files and plan.
import Bakery
import BakeryYAML
import ConnectImages
import Foundation
import GoTemplate
import Goss
import Testing
import TestSupport

/// One rendered folder (a version or the matrix) and the targets built from it.
struct RenderedFolder: CustomStringConvertible {
    var image: Image
    var relativePath: String          // e.g. "connect/2026.03" or "connect-content/matrix"
    var version: ImageVersion?        // nil for the matrix
    var versionName: String? { version?.name }
    var os: [ImageVersionOS]
    var description: String { relativePath }

    /// The Containerfile of each (OS, variant) target.
    var containerfiles: [(file: String, os: ImageVersionOS, variant: ImageVariant?)] {
        os.flatMap { os in
            image.variants.isEmpty
                ? [("Containerfile.\(os.extension)", os, nil)]
                : image.variants.map { ("Containerfile.\(os.extension).\($0.extension)", os, $0) }
        }
    }
}

@Suite("Connect image project", .serialized)
struct ConnectImageProjectTests {
    static let root = BakeryBinary.repositoryRoot
    static let project = root.appendingPathComponent("Connect")

    static func load() throws -> LoadedConfig { try ConfigLoader.load(context: project) }

    /// `bakery build --plan --context Connect`, run once for the tests that read the plan.
    static let plan = Result { try BakeryBinary.run(["build", "--plan", "--context", project.path], in: root) }

    static func folders() throws -> [RenderedFolder] {
        try load().config.images.flatMap { image -> [RenderedFolder] in
            var folders = image.versions.map {
                RenderedFolder(image: image, relativePath: "\(image.name)/\($0.subpath)", version: $0, os: $0.os)
            }
            if let matrix = image.matrix {
                folders.append(RenderedFolder(image: image, relativePath: "\(image.name)/\(matrix.subpath)", version: nil, os: matrix.os))
            }
            return folders
        }
    }

    /// Every file below `directory`, relative, with contents and permission bits.
    static func files(below directory: URL, skipping skip: (String) -> Bool = { _ in false }) -> [String: (Data, Int)] {
        ImageProjectChecks.files(below: directory, skipping: skip)
    }

    // MARK: config and plan

    @Test func theConfigValidatesWithoutWarnings() throws {
        let problems = try ImageProjectChecks.strictValidationProblems(project: Self.project)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(try Self.load().config.images.map(\.name) == ConnectProduct().imageNames)
    }

    @Test func thePlanEqualsThePublishedOne() throws {
        let golden = BakeryBinary.fixtures.appendingPathComponent("reference/connect/build-plan.json")
        let problems = try ImageProjectChecks.planProblems(try Self.plan.get(), project: Self.project, golden: golden)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    // MARK: rendered files

    @Test func everyTargetHasItsContainerfile() throws {
        let folders = try Self.folders()
        var expected: Set<String> = []
        for folder in folders {
            for (file, _, _) in folder.containerfiles {
                let relative = "\(folder.relativePath)/\(file)"
                expected.insert(relative)
                #expect(FileManager.default.fileExists(atPath: Self.project.appendingPathComponent(relative).path), "missing \(relative)")
            }
        }
        // The plan's targets (versions; the matrix needs online resolution) point at those files.
        let result = try Self.plan.get()
        guard case .object(let plan)? = JSONValue.parse(result.stdout),
              case .object(let targets)? = plan.first(where: { $0.0 == "target" })?.1 else {
            Issue.record("no plan: \(result.stderr)")
            return
        }
        let versionTargets = folders.filter { $0.versionName != nil }.reduce(0) { $0 + $1.containerfiles.count }
        #expect(targets.count == versionTargets)
        for (name, target) in targets {
            guard case .object(let fields) = target, case .string(let dockerfile)? = fields.first(where: { $0.0 == "dockerfile" })?.1 else {
                Issue.record("\(name) has no dockerfile")
                continue
            }
            #expect(expected.contains(dockerfile), "\(name): \(dockerfile)")
        }
    }

    /// Rendered folders are outputs: deleting them and running `bakery update files --all` must give the
    /// committed tree back byte for byte (so nobody edits a rendered file by hand, and no file is stale).
    @Test func renderedFilesEqualAFreshRender() throws {
        let problems = try ImageProjectChecks.freshRenderProblems(project: Self.project, folders: try Self.folders().map(\.relativePath),
                                                                  productFolder: "Connect", skipping: { $0.hasPrefix("Sources/") })
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func renderedFilesFollowTheProductRules() throws {
        for folder in try Self.folders() {
            guard let name = folder.versionName, let version = ConnectVersion(name) else {
                #expect(folder.versionName == nil, "\(folder): '\(folder.versionName ?? "")' is not a Connect version")
                continue
            }
            let directory = Self.project.appendingPathComponent(folder.relativePath)
            switch folder.image.name {
            case "connect":
                let script = try String(contentsOf: directory.appendingPathComponent("scripts/install_connect.sh"), encoding: .utf8)
                #expect(script.contains("rstudio-connect=\(version.aptPackageVersion)\n"), "\(folder): apt pin")
                #expect(!script.contains("TensorFlow"), "\(folder): TensorFlow serving needs a binary the image does not have")
            case "connect-content-init":
                for file in ["Containerfile.ubuntu2204", "Containerfile.ubuntu2404"] {
                    let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                    #expect(text.contains("\"\(version.runtimeURL(architecture: "${TARGETARCH}"))\""), "\(folder)/\(file): runtime URL")
                }
            default:
                Issue.record("\(folder): unexpected versioned image")
            }
        }
    }

    // MARK: linters

    static func rendered(_ suffix: String) throws -> [URL] {
        ImageProjectChecks.rendered(suffix, in: Self.project, folders: try folders().map(\.relativePath))
    }

    /// `bakery hadolint run` on a copy of the project (so no results/ folder appears in the repository),
    /// at failure threshold style: every Containerfile, the matrix's included, passes with nothing
    /// found beyond each image's documented ignore list in bakery.yaml, which bakery passes to hadolint.
    @Test(.enabled(if: ExternalTool.shouldRun("hadolint", override: "HADOLINT_PATH")))
    func hadolintFindsNothingBeyondTheDocumentedIgnores() throws {
        let hadolint = try #require(ExternalTool.locate("hadolint", override: "HADOLINT_PATH"),
                                    "hadolint is required (BAKERY_REQUIRE_TOOLS=1): \(ExternalTool.installHint("hadolint"))")
        let folders = try Self.folders()
        let ignores = ImageProjectChecks.hadolintIgnoreProblems(try Self.load().config, productFolder: "Connect")
        #expect(ignores.isEmpty, "\(ignores.joined(separator: "\n"))")
        let scratch = try BakeryBinary.temporaryCopy(of: Self.project)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // The matrix's versions come from dependencyConstraints, which this bakery resolves online only; its one
        // Containerfile serves every row (the versions are build args), so any pinned row lints it.
        let config = scratch.appendingPathComponent("bakery.yaml")
        let text = try String(contentsOf: config, encoding: .utf8)
        let constraints = try #require(text.range(of: #"      dependencyConstraints:\n(        .*\n|          .*\n)+"#, options: .regularExpression),
                                       "connect-content's matrix has no dependencyConstraints block to pin")
        let pinned = """
                  dependencies:
                    - dependency: R
                      versions: ["4.5.2"]
                    - dependency: python
                      versions: ["3.14.3"]
                    - dependency: quarto
                      versions: ["1.8.27"]

            """
        try Data(text.replacingCharacters(in: constraints, with: pinned).utf8).write(to: config)

        // One results file per distinct Containerfile, each hadolint's empty list.
        let problems = try ImageProjectChecks.hadolintProblems(context: scratch, arguments: ["--matrix-versions", "include"], hadolint: hadolint,
                                                               containerfiles: folders.reduce(0) { $0 + Set($1.containerfiles.map(\.file)).count })
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test(.enabled(if: ExternalTool.shouldRun("shellcheck")))
    func shellcheckPassesOnEveryScript() throws {
        let shellcheck = try #require(ExternalTool.locate("shellcheck"),
                                      "shellcheck is required (BAKERY_REQUIRE_TOOLS=1): \(ExternalTool.installHint("shellcheck"))")
        let scripts = try Self.rendered(".sh")
        // install_connect.sh and startup.sh per connect version, entrypoint.sh per init version.
        let versions = try Self.load().config.images.map { ($0.name, $0.versions.count) }
        #expect(scripts.count == versions.reduce(0) { $0 + $1.1 * ($1.0 == "connect" ? 2 : $1.0 == "connect-content-init" ? 1 : 0) })
        let result = try BakeryBinary.execute(shellcheck, ["--severity=style", "--shell=bash"] + scripts.map(\.path), in: Self.root)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    // MARK: goss

    /// The environment `bakery dgoss run` gives the container (image, version, variant, OS and platform variables), for one target.
    static func gossEnvironment(folder: RenderedFolder, os: ImageVersionOS, variant: ImageVariant?, platform: String) -> [String: String] {
        var env = ImageProjectChecks.gossEnvironment(version: folder.versionName ?? "matrix", os: os, variant: variant, platform: platform)
        if folder.versionName == nil {
            env["BUILD_ARG_R_VERSION"] = "4.5.2"
            env["BUILD_ARG_PYTHON_VERSION"] = "3.14.3"
            env["BUILD_ARG_QUARTO_VERSION"] = "1.8.27"
        }
        return env
    }

    /// Renders a folder's goss.yaml as goss would inside the container (readFile of /tmp/version reads the folder).
    static func renderGoss(_ folder: RenderedFolder, env: [String: String]) throws -> YAMLNode {
        let directory = Self.project.appendingPathComponent(folder.relativePath)
        let text = try String(contentsOf: directory.appendingPathComponent("test/goss.yaml"), encoding: .utf8)
        let name = "\(folder.relativePath)/test/goss.yaml"
        return try #require(try ImageProjectChecks.renderGoss(text, name: name, directory: directory, env: env), "\(name) renders to an empty document")
    }

    static func packages(in folder: RenderedFolder, os: ImageVersionOS) throws -> [String] {
        let file = Self.project.appendingPathComponent("\(folder.relativePath)/deps/\(os.buildOS.name)-\(os.buildOS.version)_packages.txt")
        return try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    @Test func everyGossFileIsValidYAMLForEveryTargetAndNamesTheRequiredChecks() throws {
        var rendered = 0
        let folders = try Self.folders()
        for folder in folders {
            for (_, os, variant) in folder.containerfiles {
                for platform in os.platforms.map(\.rawValue) {
                    let env = Self.gossEnvironment(folder: folder, os: os, variant: variant, platform: platform)
                    let goss = try Self.renderGoss(folder, env: env)
                    let target = "\(folder) \(os.name) \(variant?.name ?? "") \(platform)"
                    rendered += 1
                    #expect(goss.kind == YAMLNode.Kind.mapping, "\(target)")
                    try checkRequired(goss, folder: folder, os: os, variant: variant, platform: platform, target: target)
                }
            }
        }
        #expect(rendered >= folders.reduce(0) { $0 + $1.containerfiles.count })
    }

    /// The runner `bakery dgoss run` uses accepts every goss file for every target: it renders, has no duplicate key
    /// or unknown attribute, and gives each resource kind the Connect suites rely on.
    @Test func everyGossFileLoadsInTheBuiltInRunner() async throws {
        var loaded = 0
        for folder in try Self.folders() {
            let directory = Self.project.appendingPathComponent(folder.relativePath)
            for (_, os, variant) in folder.containerfiles {
                let env = Self.gossEnvironment(folder: folder, os: os, variant: variant, platform: "linux/amd64")
                let loader = GossLoader(environment: env, readFile: { path in
                    guard path.hasPrefix("/tmp/version/") else { throw GossReadFailure(message: "open \(path): outside the mounted version folder") }
                    return try String(contentsOf: directory.appendingPathComponent(String(path.dropFirst("/tmp/version/".count))), encoding: .utf8)
                })
                let target = "\(folder) \(os.name) \(variant?.name ?? "")"
                do {
                    let gossfile = try await loader.load(path: directory.appendingPathComponent("test/goss.yaml").path)
                    loaded += 1
                    #expect(gossfile.warnings.isEmpty, "\(target): \(gossfile.warnings)")
                    if folder.image.name == "connect" {
                        let kinds = Set(gossfile.resources.map(\.kind))
                        #expect(kinds.isSuperset(of: [.user, .group, .package, .file, .command, .process, .port]), "\(target): \(kinds)")
                        #expect(gossfile.resources.count >= 25, "\(target): \(gossfile.resources.count) resources")
                    }
                } catch {
                    Issue.record("\(target): \(error)")
                }
            }
        }
        #expect(loaded >= (try Self.folders()).reduce(0) { $0 + $1.containerfiles.count })
    }

    func checkRequired(_ goss: YAMLNode, folder: RenderedFolder, os: ImageVersionOS, variant: ImageVariant?, platform: String, target: String) throws {
        func scalar(_ path: String...) -> String? {
            var node: YAMLNode? = goss
            for key in path { node = node?[key] }
            return node?.scalar
        }
        switch folder.image.name {
        case "connect":
            let standard = variant?.name == "Standard"
            #expect(scalar("user", "rstudio-connect", "uid") == "999", "\(target)")
            #expect(scalar("group", "rstudio-connect", "gid") == "999", "\(target)")
            #expect(scalar("package", "rstudio-connect", "installed") == "true", "\(target)")
            for package in try Self.packages(in: folder, os: os) {
                #expect(scalar("package", package, "installed") == "true", "\(target): package \(package)")
            }
            #expect(scalar("port", "tcp6:3939", "listening") == "true", "\(target)")
            #expect(scalar("port", "tcp6:3939", "skip") == (standard ? "false" : "true"), "\(target): port 3939 is checked for Standard only")
            #expect(scalar("process", "connect", "skip") == (standard ? "false" : "true"), "\(target)")
            #expect(scalar("file", "/opt/rstudio-connect/bin/connect", "exists") == "true", "\(target)")
            #expect(scalar("file", "/usr/local/bin/startup.sh", "mode") == "0755", "\(target)")
            #expect(scalar("file", "/etc/rstudio-connect/license.lic", "exists") == "false", "\(target)")
            let version = try #require(folder.version)
            for dependency in version.dependencies {
                let paths: [String] = switch dependency.dependency {
                case .R: dependency.versions.map { "/opt/R/\($0)/bin/R" }
                case .python: dependency.versions.map { "/opt/python/\($0)/bin/python" }
                case .quarto: dependency.versions.map { "/opt/quarto/\($0)/bin/quarto" } + ["/usr/local/bin/quarto"]
                case .positron: []
                }
                for path in paths {
                    #expect(scalar("file", path, "exists") == (standard ? "true" : "false"), "\(target): \(path) is in Standard images only")
                }
            }
            #expect(scalar("command", "tinytex is installed", "skip") == (standard ? "false" : "true"), "\(target)")
            let stdout = goss["command"]?["connect --version"]?["stdout"]?.items.compactMap(\.scalar)
            #expect(stdout == [folder.versionName ?? ""], "\(target)")
        case "connect-content":
            let drivers = variant?.name == "pro" && platform == "linux/amd64"
            #expect(scalar("package", "rstudio-drivers", "installed") == (drivers ? "true" : "false"), "\(target)")
            for package in try Self.packages(in: folder, os: os) {
                #expect(scalar("package", package, "installed") == "true", "\(target): package \(package)")
            }
            #expect(scalar("file", "R", "path") == "/opt/R/4.5.2", "\(target)")
            #expect(scalar("file", "python", "path") == "/opt/python/3.14.3", "\(target)")
            #expect(scalar("file", "quarto", "path") == "/opt/quarto/1.8.27", "\(target)")
            #expect(scalar("command", "R library(odbc)", "skip") == (drivers ? "false" : "true"), "\(target)")
            #expect(goss["command"]?["R --version"]?["stdout"]?.items.first?.scalar == "R version 4.5.2", "\(target)")
        case "connect-content-init":
            #expect(scalar("package", "curl", "installed") == "true", "\(target)")
            #expect(scalar("file", "/opt/rstudio-connect-runtime/", "mode") == "0755", "\(target)")
            #expect(scalar("file", "/usr/local/bin/entrypoint.sh", "mode") == "0755", "\(target)")
        default:
            Issue.record("\(target): no goss expectations for image \(folder.image.name)")
        }
    }

    @Test func aGossFileWithoutItsDependencyListFailsWithTheMissingPath() throws {
        let folder = try #require(try Self.folders().first { $0.image.name == "connect" })
        var env = Self.gossEnvironment(folder: folder, os: folder.os[0], variant: folder.image.variants.first, platform: "linux/amd64")
        env["IMAGE_OS_VERSION"] = "99.04"
        do {
            _ = try Self.renderGoss(folder, env: env)
            Issue.record("rendering should fail: there is no ubuntu-99.04 package list")
        } catch let error as GoTemplateError {
            #expect(error.message.contains("open /tmp/version/deps/ubuntu-99.04_packages.txt"), "\(error)")
        }
    }
}
