// The Package Manager folder is sound: its config, plan and recorded outputs, rendered files, Containerfiles,
// scripts, goss files, and the download URLs the install script names.
import Bakery
import BakeryYAML
import Foundation
import GoTemplate
import Goss
import PackageManagerImages
import Testing
import TestSupport

/// One rendered version folder and the targets built from it.
struct PackageManagerFolder: CustomStringConvertible {
    var image: Image
    var version: ImageVersion
    var relativePath: String { "\(image.name)/\(version.subpath)" }   // e.g. "package-manager/2025.12"
    var description: String { relativePath }

    /// The Containerfile of each (OS, variant) target.
    var containerfiles: [(file: String, os: ImageVersionOS, variant: ImageVariant)] {
        version.os.flatMap { os in image.variants.map { ("Containerfile.\(os.extension).\($0.extension)", os, $0) } }
    }
}

@Suite("Package Manager image project", .serialized)
struct PackageManagerImageProjectTests {
    static let root = BakeryBinary.repositoryRoot
    static let project = root.appendingPathComponent("PackageManager")
    static let reference = BakeryBinary.fixtures.appendingPathComponent("reference/package-manager")
    /// Package Manager's own port (its default `[HTTP] Listen`); the image does not change it.
    static let port = 4242

    static func load() throws -> LoadedConfig { try ConfigLoader.load(context: project) }

    /// `bakery build --plan --context PackageManager`, run once for the tests that read the plan.
    static let plan = Result { try BakeryBinary.run(["build", "--plan", "--context", project.path], in: root) }

    static func folders() throws -> [PackageManagerFolder] {
        try load().config.images.flatMap { image in image.versions.map { PackageManagerFolder(image: image, version: $0) } }
    }

    static func text(_ folder: PackageManagerFolder, _ file: String) throws -> String {
        try String(contentsOf: project.appendingPathComponent("\(folder.relativePath)/\(file)"), encoding: .utf8)
    }

    static func files(below directory: URL, skipping skip: (String) -> Bool = { _ in false }) -> [String: (Data, Int)] {
        ImageProjectChecks.files(below: directory, skipping: skip)
    }

    // MARK: config, plan and the other recorded outputs

    @Test func theConfigValidatesWithoutWarnings() throws {
        let problems = try ImageProjectChecks.strictValidationProblems(project: Self.project)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(try Self.load().config.images.map(\.name) == PackageManagerProduct().imageNames)
    }

    @Test func thePlanEqualsThePublishedOne() throws {
        let problems = try ImageProjectChecks.planProblems(try Self.plan.get(), project: Self.project, golden: Self.reference.appendingPathComponent("build-plan.json"))
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// posit-bakery's recorded `build --plan`, `get tags`, `get version` and `ci matrix` runs on the published
    /// config (`cases.tsv`), replayed on this folder: same stdout and exit code. Left out: `ci readme` (not
    /// ours to cover) and `--base-ref` runs (they diff the reference repository's own history).
    @Test func theRecordedCommandOutputsMatchOnThisFolder() throws {
        // The reference's inputs/ hold the --changed-files-from lists (paths relative to the project).
        let runs = ReferenceReplay.cases(in: Self.reference) { ReferenceReplay.covered($0) && !$0.contains("--base-ref") }
        for run in runs {
            let arguments = ReferenceReplay.arguments(run.argv, context: Self.project.path).map {
                $0.hasPrefix("inputs/") ? Self.reference.appendingPathComponent($0).path : $0
            }
            let cwd = run.slug.contains("context-flag") ? URL(fileURLWithPath: "/") : Self.project
            let result = try BakeryBinary.run(arguments, in: cwd, prefix: ReferenceReplay.prefix(for: run, inputs: Self.reference))
            let problems = ReferenceReplay.problems(result, for: run, golden: Self.reference, context: Self.project.path)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
        #expect(runs.count >= 60)
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
        let result = try Self.plan.get()
        guard case .object(let plan)? = JSONValue.parse(result.stdout),
              case .object(let targets)? = plan.first(where: { $0.0 == "target" })?.1 else {
            Issue.record("no plan: \(result.stderr)")
            return
        }
        #expect(targets.count == expected.count)
        for (name, target) in targets {
            guard case .object(let fields) = target, case .string(let dockerfile)? = fields.first(where: { $0.0 == "dockerfile" })?.1 else {
                Issue.record("\(name) has no dockerfile")
                continue
            }
            #expect(expected.contains(dockerfile), "\(name): \(dockerfile)")
        }
    }

    /// Rendered folders are outputs: deleting them and running `bakery update files --all` must give the
    /// committed tree back byte for byte and mode for mode (nobody edits a rendered file by hand; none is stale).
    @Test func renderedFilesEqualAFreshRender() throws {
        let problems = try ImageProjectChecks.freshRenderProblems(project: Self.project, folders: try Self.folders().map(\.relativePath),
                                                                  productFolder: "PackageManager")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// The install script names the `rstudio-pm` package that `PackageManagerImages` gives for the version, on
    /// both architectures: the URL is the module's `$TARGETARCH` template, and with TARGETARCH set to amd64 or
    /// arm64 it is exactly the module's URL for that architecture. The installed version is checked against
    /// the same name.
    @Test func theInstallScriptDownloadsThePackageTheModuleNames() throws {
        for folder in try Self.folders() {
            let version = try #require(PackageManagerVersion(folder.version.name), "\(folder): '\(folder.version.name)' is not a Package Manager version")
            #expect(version.isRelease, "\(folder)")
            #expect(folder.version.subpath == version.stream, "\(folder): the folder of \(version) is \(version.stream)")
            let script = try Self.text(folder, "scripts/install_package_manager.sh")
            let urls = script.split(separator: "\n").filter { $0.hasPrefix("download_url=") }
                .map { String($0.dropFirst("download_url=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            #expect(urls.count == 1, "\(folder): \(urls)")
            #expect(script.contains("if [ \"$installed\" != \"\(version)\" ]; then"), "\(folder): the installed version is not checked")
            for os in folder.version.os {
                let template = try version.downloadURLTemplate(os: os.buildOS)
                #expect(urls.first == template, "\(folder) \(os.name)")
                for architecture in PackageManagerVersion.architectures {
                    let url = urls.first?.replacingOccurrences(of: "$TARGETARCH", with: architecture)
                    #expect(url == (try version.downloadURL(os: os.buildOS, architecture: architecture)), "\(folder) \(os.name) \(architecture)")
                }
            }
        }
    }

    /// What every Containerfile must say, from the product facts: the Ubuntu base, TARGETARCH, R and Python in
    /// Standard only (with the versions of bakery.yaml), the install script, rstudio-pm as a number, the
    /// health check on Package Manager's port, the startup script as CMD, and no EXPOSE or VOLUME.
    @Test func everyContainerfileFollowsTheProductFacts() throws {
        for folder in try Self.folders() {
            let r = folder.version.dependencies.first { $0.dependency == .R }?.versions ?? []
            let python = folder.version.dependencies.first { $0.dependency == .python }?.versions ?? []
            #expect(r.count == 1 && python.count == 1, "\(folder): one R and one Python")
            for (file, os, variant) in folder.containerfiles {
                let text = try Self.text(folder, file)
                let target = "\(folder)/\(file)"
                let standard = variant.name == "Standard"
                let base = "docker.io/library/ubuntu:\(os.buildOS.version)"
                #expect(("\n" + text).contains("\nFROM \(base)\nLABEL org.opencontainers.image.base.name=\"\(base)\"\n"), "\(target)")
                #expect(text.contains("\nARG TARGETARCH="), "\(target)")
                #expect(text.contains("SHELL [\"/bin/bash\", \"-euo\", \"pipefail\", \"-c\"]"), "\(target)")
                #expect(text.contains("COPY \(folder.relativePath)/deps/ubuntu-\(os.buildOS.version)_packages.txt "), "\(target)")
                #expect(text.contains("AS python-builder") == standard, "\(target): the Python stage is Standard's")
                #expect(text.contains("r-\(r.first ?? "")") == standard, "\(target): R is Standard's")
                #expect(text.contains("R_VERSION=\"\(r.first ?? "")\" PYTHON_VERSION=\"\(python.first ?? "")\" /tmp/install_package_manager.sh") == standard,
                        "\(target): the install step records Standard's R and Python")
                #expect(!text.contains("DOWNLOAD_URL"), "\(target): releases install the versioned package")
                #expect(text.contains("\nUSER 999:999\n"), "\(target)")
                let ports = text.matches(of: /localhost:(\d+)\/__ping__/).map { Int($0.output.1) }
                #expect(ports == [Self.port], "\(target): the HEALTHCHECK pings \(ports), Package Manager listens on \(Self.port)")
                #expect(text.hasSuffix("CMD [\"/usr/local/bin/startup.sh\"]\n"), "\(target)")
                #expect(!text.contains("\nEXPOSE ") && !text.contains("\nVOLUME "), "\(target): the published image declares neither")
            }
        }
    }

    // MARK: linters

    static func rendered(_ suffix: String) throws -> [URL] {
        ImageProjectChecks.rendered(suffix, in: Self.project, folders: try folders().map(\.relativePath))
    }

    /// `bakery hadolint run` on a copy of the project (so no results/ folder appears in the repository), at
    /// failure threshold style: every Containerfile passes with nothing found beyond the ignore list documented
    /// in bakery.yaml, which bakery passes to hadolint.
    @Test(.enabled(if: ExternalTool.shouldRun("hadolint", override: "HADOLINT_PATH")))
    func hadolintFindsNothingBeyondTheDocumentedIgnores() throws {
        let hadolint = try #require(ExternalTool.locate("hadolint", override: "HADOLINT_PATH"),
                                    "hadolint is required (BAKERY_REQUIRE_TOOLS=1): \(ExternalTool.installHint("hadolint"))")
        let ignores = ImageProjectChecks.hadolintIgnoreProblems(try Self.load().config, productFolder: "PackageManager")
        #expect(ignores.isEmpty, "\(ignores.joined(separator: "\n"))")
        let scratch = try BakeryBinary.temporaryCopy(of: Self.project)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let problems = try ImageProjectChecks.hadolintProblems(context: scratch, hadolint: hadolint,
                                                               containerfiles: try Self.folders().reduce(0) { $0 + $1.containerfiles.count })
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test(.enabled(if: ExternalTool.shouldRun("shellcheck")))
    func shellcheckPassesOnEveryScript() throws {
        let shellcheck = try #require(ExternalTool.locate("shellcheck"),
                                      "shellcheck is required (BAKERY_REQUIRE_TOOLS=1): \(ExternalTool.installHint("shellcheck"))")
        let scripts = try Self.rendered(".sh")
        // install_package_manager.sh and startup.sh per version.
        #expect(scripts.count == 2 * (try Self.folders()).count)
        let result = try BakeryBinary.execute(shellcheck, ["--severity=style", "--shell=bash"] + scripts.map(\.path), in: Self.root)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    // MARK: goss

    /// The environment `bakery dgoss run` gives the container, for one target.
    static func gossEnvironment(folder: PackageManagerFolder, os: ImageVersionOS, variant: ImageVariant, platform: String) -> [String: String] {
        ImageProjectChecks.gossEnvironment(version: folder.version.name, os: os, variant: variant, platform: platform)
    }

    /// Reads /tmp/version/… from the folder, as the mount in the test container would.
    static func versionMount(_ directory: URL) -> @Sendable (String) throws -> String { ImageProjectChecks.versionMount(directory) }

    /// Renders a goss.yaml as goss would inside the container.
    static func renderGoss(_ text: String, name: String, directory: URL, env: [String: String]) throws -> YAMLNode {
        try #require(try ImageProjectChecks.renderGoss(text, name: name, directory: directory, env: env), "\(name) renders to an empty document")
    }

    static func renderGoss(_ folder: PackageManagerFolder, env: [String: String]) throws -> YAMLNode {
        try renderGoss(try text(folder, "test/goss.yaml"), name: "\(folder.relativePath)/test/goss.yaml",
                       directory: project.appendingPathComponent(folder.relativePath), env: env)
    }

    static func packages(in folder: PackageManagerFolder, os: ImageVersionOS) throws -> [String] {
        try text(folder, "deps/\(os.buildOS.name)-\(os.buildOS.version)_packages.txt").split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    @Test func everyGossFileIsValidYAMLForEveryTargetAndNamesTheRequiredChecks() throws {
        var rendered = 0
        let folders = try Self.folders()
        for folder in folders {
            for (_, os, variant) in folder.containerfiles {
                for platform in os.platforms.map(\.rawValue) {
                    let goss = try Self.renderGoss(folder, env: Self.gossEnvironment(folder: folder, os: os, variant: variant, platform: platform))
                    rendered += 1
                    let target = "\(folder) \(os.name) \(variant.name) \(platform)"
                    #expect(goss.kind == YAMLNode.Kind.mapping, "\(target)")
                    try checkRequired(goss, folder: folder, os: os, variant: variant, target: target)
                }
            }
        }
        // Every target, and arm64 where bakery.yaml lists it (2025.12 on Ubuntu 24.04).
        #expect(rendered == folders.reduce(0) { total, folder in
            total + folder.version.os.reduce(0) { $0 + $1.platforms.count * folder.image.variants.count }
        })
        #expect(rendered > folders.reduce(0) { $0 + $1.containerfiles.count }, "no target is multi-platform")
    }

    func checkRequired(_ goss: YAMLNode, folder: PackageManagerFolder, os: ImageVersionOS, variant: ImageVariant, target: String) throws {
        func scalar(_ path: String...) -> String? {
            var node: YAMLNode? = goss
            for key in path { node = node?[key] }
            return node?.scalar
        }
        func list(_ path: String...) -> [String]? {
            var node: YAMLNode? = goss
            for key in path { node = node?[key] }
            return node?.items.compactMap(\.scalar)
        }
        let standard = variant.name == "Standard"
        let skip = standard ? "false" : "true"
        #expect(scalar("user", "rstudio-pm", "uid") == "999", "\(target)")
        #expect(scalar("user", "rstudio-pm", "gid") == "999", "\(target)")
        #expect(scalar("group", "rstudio-pm", "gid") == "999", "\(target)")
        #expect(scalar("package", "rstudio-pm", "installed") == "true", "\(target)")
        for package in try Self.packages(in: folder, os: os) {
            #expect(scalar("package", package, "installed") == "true", "\(target): package \(package)")
        }
        // The server runs (and is checked) in Standard images only; Minimal ones are tested at rest.
        #expect(scalar("port", "tcp6:\(Self.port)", "listening") == "true", "\(target): port \(Self.port)")
        #expect(scalar("port", "tcp6:\(Self.port)", "skip") == skip, "\(target): port \(Self.port) is checked for Standard only")
        #expect(goss["port"]?.pairs.count == 1, "\(target): one port")
        #expect(scalar("http", "http://localhost:\(Self.port)/__ping__", "status") == "200", "\(target)")
        #expect(scalar("http", "http://localhost:\(Self.port)/__ping__", "skip") == skip, "\(target)")
        #expect(scalar("process", "rstudio-pm", "running") == "true", "\(target)")
        #expect(scalar("process", "rstudio-pm", "skip") == skip, "\(target)")
        #expect(scalar("file", "/etc/rstudio-pm/license.lic", "exists") == "false", "\(target)")
        for path in ["/opt/rstudio-pm/bin/rstudio-pm", "/opt/rstudio-pm/bin/rspm", "/usr/local/bin/rspm", "/etc/rstudio-pm/rstudio-pm.gcfg"] {
            #expect(scalar("file", path, "exists") == "true", "\(target): \(path)")
        }
        #expect(scalar("file", "/usr/local/bin/startup.sh", "mode") == "0775", "\(target)")
        #expect(scalar("file", "/usr/local/bin/startup.sh", "owner") == "rstudio-pm", "\(target)")
        #expect(scalar("file", "/var/log/rstudio/rstudio-pm/rstudio-pm.log", "skip") == skip, "\(target)")
        var settings: [String] = []
        for dependency in folder.version.dependencies {
            for version in dependency.versions {
                let path: String
                switch dependency.dependency {
                case .R:
                    path = "/opt/R/\(version)/bin/R"
                    settings.append("RVersion = /opt/R/\(version)")
                    #expect(scalar("command", "R \(version) --version", "skip") == skip, "\(target)")
                case .python:
                    path = "/opt/python/\(version)/bin/python"
                    settings.append("PythonVersion = /opt/python/\(version)/bin/python")
                    #expect(scalar("command", "python \(version) --version", "skip") == skip, "\(target)")
                default:
                    Issue.record("\(target): Package Manager images carry R and Python only, not \(dependency.dependency)")
                    continue
                }
                #expect(scalar("file", path, "exists") == (standard ? "true" : "false"), "\(target): \(path) is in Standard images only")
            }
        }
        settings.append("AllowUnsandboxedGitBuilds = true")
        #expect(list("file", "/etc/rstudio-pm/rstudio-pm.gcfg", "contents") == (standard ? settings : nil), "\(target): the configuration's R and Python")
        #expect(list("command", "rstudio-pm --version", "stdout") == [String(folder.version.name.prefix { $0 != "-" })], "\(target)")
        #expect(scalar("file", "/usr/local/bin/uv") == nil, "\(target): uv is for development builds")
    }

    /// The runner `bakery dgoss run` uses accepts every goss file for every target: it renders, has no duplicate
    /// key or unknown attribute, and gives each resource kind the suite relies on.
    @Test func everyGossFileLoadsInTheBuiltInRunner() async throws {
        var loaded = 0
        let folders = try Self.folders()
        for folder in folders {
            let directory = Self.project.appendingPathComponent(folder.relativePath)
            for (_, os, variant) in folder.containerfiles {
                let env = Self.gossEnvironment(folder: folder, os: os, variant: variant, platform: "linux/amd64")
                let mount = Self.versionMount(directory)
                let loader = GossLoader(environment: env, readFile: { path in
                    do { return try mount(path) } catch { throw GossReadFailure(message: "\(error)") }
                })
                let target = "\(folder) \(os.name) \(variant.name)"
                do {
                    let gossfile = try await loader.load(path: directory.appendingPathComponent("test/goss.yaml").path)
                    loaded += 1
                    #expect(gossfile.warnings.isEmpty, "\(target): \(gossfile.warnings)")
                    let kinds = Set(gossfile.resources.map(\.kind))
                    #expect(kinds.isSuperset(of: [.user, .group, .package, .file, .command, .process, .port, .http]), "\(target): \(kinds)")
                    #expect(gossfile.resources.count >= 25, "\(target): \(gossfile.resources.count) resources")
                } catch {
                    Issue.record("\(target): \(error)")
                }
            }
        }
        #expect(loaded == folders.reduce(0) { $0 + $1.containerfiles.count })
    }

    @Test func aGossFileWithoutItsDependencyListFailsWithTheMissingPath() throws {
        let folder = try #require(try Self.folders().first)
        var env = Self.gossEnvironment(folder: folder, os: folder.version.os[0], variant: folder.image.variants[0], platform: "linux/amd64")
        env["IMAGE_OS_VERSION"] = "99.04"
        do {
            _ = try Self.renderGoss(folder, env: env)
            Issue.record("rendering should fail: there is no ubuntu-99.04 package list")
        } catch let error as GoTemplateError {
            #expect(error.message.contains("open /tmp/version/deps/ubuntu-99.04_packages.txt"), "\(error)")
        }
    }

    // MARK: development builds

    /// Development builds (preview and daily channels, resolved online) are rendered at build time, so no
    /// folder of theirs is committed: render the templates as bakery would for one, with the `$TARGETARCH`
    /// download URL `PackageManagerImages` gives, and check the URL reaches the install script untouched, the
    /// script installs it instead of a release package, and Standard gets uv (checked by goss).
    @Test(arguments: ["Standard", "Minimal"])
    func aDevelopmentBuildInstallsTheChannelPackage(variant: String) throws {
        let version = try #require(PackageManagerVersion("2026.01.0-dev+12-gabc1234"))
        let os = BuildOS.identify("Ubuntu 24.04")
        let url = try version.downloadURLTemplate(os: os)
        #expect(url.contains("%2B12"), "\(url)")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pm-dev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let values = scratch.appendingPathComponent("values.json")
        let json: JSONValue = .object([
            ("Image", .object([
                ("Name", .string("package-manager")), ("DisplayName", .string("Posit Package Manager")),
                ("Version", .string(version.description)), ("IsDevelopmentVersion", .bool(true)), ("Variant", .string(variant)),
                ("OS", .object([("Name", .string(os.name)), ("Family", .string(os.family.rawValue)),
                                ("Version", .string(os.version)), ("Codename", .string(os.codename ?? ""))])),
                ("DownloadURL", .string(url)),
            ])),
            ("Path", .object([("Base", .string(".")), ("Image", .string("package-manager")), ("Version", .string("package-manager/dev"))])),
            ("Dependencies", .object([("R", .array([.string("4.5.2")])), ("python", .array([.string("3.14.2")]))])),
        ])
        try Data(json.text(JSONValue.Style(indent: 2, asciiOnly: false)).utf8).write(to: values)
        func render(_ template: String) throws -> String {
            let path = Self.project.appendingPathComponent("package-manager/template/\(template)").path
            let result = try BakeryBinary.run(["render", path, "--values-file", values.path, "--normalize"], in: Self.root)
            #expect(result.status == 0, "\(template): \(result.stderr)")
            return result.stdout
        }
        let standard = variant == "Standard"
        let containerfile = try render("Containerfile.ubuntu2404.jinja2")
        #expect(containerfile.contains(" DOWNLOAD_URL=\"\(url)\" /tmp/install_package_manager.sh"), "\(containerfile)")
        #expect(containerfile.contains("COPY --from=ghcr.io/astral-sh/uv:0.12.3 /uv /uvx /usr/local/bin/") == standard)
        #expect(containerfile.contains("ENV PATH=\"/opt/python/3.14.2/bin:${PATH}\"") == standard)

        let script = try render("scripts/install_package_manager.sh.jinja2")
        #expect(script.contains("download_url=\"${DOWNLOAD_URL:?a development build needs DOWNLOAD_URL}\"\n"), "\(script)")
        #expect(!script.contains("cdn.posit.co") && !script.contains("$installed"), "\(script)")
        let shellcheckPath = ExternalTool.locate("shellcheck")
        if let shellcheck = shellcheckPath {
            let file = scratch.appendingPathComponent("install_package_manager.sh")
            try Data(script.utf8).write(to: file)
            let lint = try BakeryBinary.execute(shellcheck, ["--severity=style", "--shell=bash", file.path], in: Self.root)
            #expect(lint.status == 0, "\(lint.stdout)")
        }

        let directory = scratch.appendingPathComponent("version")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("deps"), withIntermediateDirectories: true)
        try Data(try render("deps/ubuntu-24.04_packages.txt.jinja2").utf8).write(to: directory.appendingPathComponent("deps/ubuntu-24.04_packages.txt"))
        let goss = try Self.renderGoss(try render("test/goss.yaml.jinja2"), name: "dev goss.yaml", directory: directory, env: [
            "IMAGE_VARIANT": variant, "IMAGE_OS_NAME": "ubuntu", "IMAGE_OS_VERSION": "24.04",
        ])
        #expect(goss["file"]?["/usr/local/bin/uv"]?["exists"]?.scalar == (standard ? "true" : "false"))
        #expect(goss["command"]?["uv --version"]?["skip"]?.scalar == (standard ? "false" : "true"))
        #expect(goss["command"]?["uv finds the image's Python"]?["stdout"]?.items.first?.scalar == "/opt/python/3.14.2/")
        #expect(goss["command"]?["rstudio-pm --version"]?["stdout"]?.items.first?.scalar == "2026.01.0")
    }
}
