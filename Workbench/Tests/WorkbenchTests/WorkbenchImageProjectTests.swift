// The Workbench folder as a whole is sound: its config, its plan and posit-bakery's recorded outputs, its
// rendered folders (a fresh render, a Containerfile per target), the linters, the goss files in the built-in
// runner, and the build args the matrices need. Product facts per image: WorkbenchServerImageTests and
// WorkbenchSessionImagesTests.
import Bakery
import BakeryYAML
import Foundation
import Goss
import Testing
import TestSupport
import WorkbenchImages

@Suite("Workbench image project", .serialized)
struct WorkbenchImageProjectTests {
    static let root = WorkbenchProject.repository
    static let project = WorkbenchProject.root

    /// `bakery build --plan --context Workbench`, run once for the tests that read the plan.
    static let plan = Result { try BakeryBinary.run(["build", "--plan", "--context", project.path], in: root) }

    // MARK: config, plan and recorded outputs

    @Test func theConfigValidatesWithoutWarnings() throws {
        let problems = try ImageProjectChecks.strictValidationProblems(project: Self.project)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(try WorkbenchProject.load().config.images.map(\.name) == WorkbenchProduct().imageNames)
    }

    @Test func thePlanEqualsThePublishedOne() throws {
        let problems = try ImageProjectChecks.planProblems(try Self.plan.get(), project: Self.project, golden: WorkbenchProject.reference.appendingPathComponent("build-plan.json"))
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// Replays the recorded runs of `reference` in `context` (the folder itself or a copy); returns how many ran.
    /// Left out: `ci readme` (not ours to cover) and `--base-ref` runs (they diff the reference repository's own
    /// history). Where posit-bakery crashed on `--image-variant` (an image without variants), we plan with a warning.
    static func replay(_ reference: URL, in context: URL) throws -> Int {
        let runs = ReferenceReplay.cases(in: reference) { ReferenceReplay.covered($0) && !$0.contains("--base-ref") }
        for run in runs {
            let arguments = ReferenceReplay.arguments(run.argv, context: context.path).map {
                $0.hasPrefix("inputs/") ? reference.appendingPathComponent($0).path : $0
            }
            let cwd = run.slug.contains("context-flag") ? URL(fileURLWithPath: "/") : context
            let result = try BakeryBinary.run(arguments, in: cwd, prefix: ReferenceReplay.prefix(for: run, inputs: reference))
            if ReferenceReplay.isVariantCrash(run) {
                #expect(result.status == 0, "\(run): \(result.stderr.suffix(400))")
                #expect(result.stderr.contains("has no variants but --image-variant filter is set"), "\(run)")
                continue
            }
            let problems = ReferenceReplay.problems(result, for: run, golden: reference, context: context.path)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
        return runs.count
    }

    /// posit-bakery's recorded `build --plan`, `get tags`, `get version`, `ci matrix` and `ci readme --check` runs on the published
    /// config, replayed on this folder: same stdout and exit code.
    @Test func theRecordedCommandOutputsMatchOnThisFolder() throws {
        #expect(try Self.replay(WorkbenchProject.reference, in: Self.project) == 84)
    }

    /// The same with the matrices' rows listed (the reference's derived config, whose matrix
    /// `dependencyConstraints` are explicit `dependencies`), on a copy of this folder: matrix targets, tags,
    /// build args and changed-file detection for the two matrix images.
    @Test func theRecordedMatrixOutputsMatchOnACopyWithExplicitRows() throws {
        let copy = try Self.explicitMatrixCopy()
        defer { try? FileManager.default.removeItem(at: copy) }
        #expect(try Self.replay(WorkbenchProject.explicitReference, in: copy) == 63)
    }

    /// A copy of the folder whose matrices list their rows: our bakery.yaml (comments, tool options) with each
    /// matrix's `dependencyConstraints` block replaced by the `dependencies` block of the reference's derived config.
    static func explicitMatrixCopy() throws -> URL {
        let copy = try BakeryBinary.temporaryCopy(of: project)
        let ours = try String(contentsOf: project.appendingPathComponent("bakery.yaml"), encoding: .utf8)
        let derived = try String(contentsOf: WorkbenchProject.explicitReference.appendingPathComponent("bakery.yaml"), encoding: .utf8)
        let rows = derived.matches(of: /(?m)^      dependencies:\n(?:^        .*\n)+/).map { String($0.output) }
        let constraints = ours.matches(of: /(?m)^      dependencyConstraints:\n(?:^        .*\n)+/).map(\.range)
        #expect(rows.count == 2 && constraints.count == 2, "each matrix has one constraints block to replace")
        var text = ours
        for (range, replacement) in zip(constraints, rows).reversed() { text.replaceSubrange(range, with: replacement) }
        try Data(text.utf8).write(to: copy.appendingPathComponent("bakery.yaml"))
        // A repository of its own, as the reference ran in one: labels carry its revision.
        let git = try BakeryBinary.shell("git init -q && git add -A && git -c user.email=t@example.com -c user.name=t commit -qm copy", in: copy)
        #expect(git.status == 0, "\(git.stderr)")
        return copy
    }

    /// `bakery build --plan` at the repository root plans the three products together; the Workbench targets
    /// in it are the ones `--context Workbench` plans, with the context set to the product folder.
    @Test func theRootPlanHoldsWorkbenchBesideTheOtherProducts() throws {
        let rootPlan = try BakeryBinary.run(["build", "--plan"], in: Self.root, prefix: ["/usr/bin/env", "-u", "GITHUB_TOKEN"])
        #expect(rootPlan.status == 0, "\(rootPlan.stderr)")
        let own = try Self.plan.get()
        guard case .object(let all)? = JSONValue.parse(rootPlan.stdout)?["target"],
              case .object(let workbench)? = JSONValue.parse(own.stdout)?["target"] else {
            Issue.record("no plans: \(rootPlan.stderr) \(own.stderr)")
            return
        }
        let products = Set(all.map { name, _ in
            name.hasPrefix("connect") ? "Connect" : name.hasPrefix("package-manager") ? "PackageManager" : name.hasPrefix("workbench") ? "Workbench" : name
        })
        #expect(products == ["Connect", "PackageManager", "Workbench"])
        let inRoot = Dictionary(all.filter { $0.0.hasPrefix("workbench") }, uniquingKeysWith: { a, _ in a })
        #expect(Set(inRoot.keys) == Set(workbench.map(\.0)))
        for (name, target) in workbench {
            #expect(inRoot[name]?["context"] == .string("Workbench"), "\(name)")
            #expect(inRoot[name]?["dockerfile"] == target["dockerfile"], "\(name)")
            #expect(inRoot[name]?["tags"] == target["tags"], "\(name)")
        }
    }

    // MARK: rendered folders

    /// Every target (versions and matrix rows) has its Containerfile, and every Containerfile a target.
    @Test func everyTargetHasItsContainerfile() throws {
        let folders = try WorkbenchProject.folders()
        var expected: Set<String> = []
        for folder in folders {
            for (file, _, _) in folder.containerfiles {
                let relative = "\(folder.relativePath)/\(file)"
                expected.insert(relative)
                #expect(FileManager.default.fileExists(atPath: Self.project.appendingPathComponent(relative).path), "missing \(relative)")
            }
        }
        let copy = try Self.explicitMatrixCopy()
        defer { try? FileManager.default.removeItem(at: copy) }
        let result = try BakeryBinary.run(["build", "--plan", "--matrix-versions", "include", "--context", copy.path], in: Self.root)
        #expect(result.status == 0, "\(result.stderr)")
        guard case .object(let targets)? = JSONValue.parse(result.stdout)?["target"] else {
            Issue.record("no plan: \(result.stderr)")
            return
        }
        var used: Set<String> = []
        for (name, target) in targets {
            guard case .string(let dockerfile)? = target["dockerfile"] else {
                Issue.record("\(name) has no dockerfile")
                continue
            }
            used.insert(dockerfile)
            #expect(expected.contains(dockerfile), "\(name): \(dockerfile) is not a rendered Containerfile")
        }
        #expect(used == expected, "Containerfiles no target builds: \(expected.subtracting(used).sorted())")
        // 12 workbench + 3 session-init versions, 3 positron rows, 4 × 3 session rows on 24.04 and on 22.04.
        #expect(targets.count == 12 + 3 + 3 + 24)
    }

    /// Every file a Containerfile copies from the build context (COPY and ADD without `--from`, ADD of a URL
    /// aside) is in it: the context is Workbench/, so a mistyped or renamed path fails the build.
    @Test func everyCopiedPathIsInTheBuildContext() throws {
        var copied = 0
        for folder in try WorkbenchProject.folders() {
            for file in Set(folder.containerfiles.map(\.file)) {
                var pending = ""
                for line in try folder.text(file).split(separator: "\n", omittingEmptySubsequences: false) {
                    if line.hasSuffix("\\") { pending += line.dropLast() + " "; continue }
                    let instruction = pending + line
                    pending = ""
                    let words = instruction.split(separator: " ").map(String.init)
                    guard let keyword = words.first?.uppercased(), keyword == "COPY" || keyword == "ADD",
                          !words.contains(where: { $0.hasPrefix("--from=") }) else { continue }
                    let paths = words.dropFirst().filter { !$0.hasPrefix("--") }
                    #expect(paths.count >= 2 && !instruction.contains("["), "\(folder)/\(file): '\(instruction)' (sources and a destination, not JSON form)")
                    for source in paths.dropLast() where !source.contains("://") {
                        copied += 1
                        #expect(FileManager.default.fileExists(atPath: Self.project.appendingPathComponent(source).path),
                                "\(folder)/\(file): \(keyword) \(source) is not in the build context (Workbench/)")
                    }
                }
            }
        }
        #expect(copied >= 18 * 2, "\(copied) copied paths")
    }

    /// Rendered folders are outputs: deleting them and running `bakery update files --all` gives the committed
    /// tree back byte for byte and mode for mode (nobody edits a rendered file by hand; none is stale).
    @Test func renderedFilesEqualAFreshRender() throws {
        let problems = try ImageProjectChecks.freshRenderProblems(project: Self.project, folders: try WorkbenchProject.folders().map(\.relativePath),
                                                                  productFolder: "Workbench")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// Every image folder has a template folder, a README, and nothing rendered outside its version and matrix folders.
    @Test func everyImageFolderHoldsItsTemplatesAndRenderedFoldersOnly() throws {
        let folders = try WorkbenchProject.folders()
        for image in try WorkbenchProject.load().config.images {
            let directory = Self.project.appendingPathComponent(image.name)
            let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            let rendered = folders.filter { $0.image.name == image.name }.map { String($0.relativePath.dropFirst(image.name.count + 1)) }
            let allowed = Set(rendered + ["template", "README.md"] + (image.name == "workbench" ? ["scripts"] : []))
            #expect(Set(entries).isSubset(of: allowed), "\(image.name): unexpected \(Set(entries).subtracting(allowed).sorted())")
            #expect(entries.contains("template"), "\(image.name) has no template folder")
        }
    }

    // MARK: linters

    /// `bakery hadolint run` on a copy with explicit matrix rows (so the matrix Containerfiles are linted too,
    /// and no results/ folder appears here), at failure threshold style: nothing beyond each image's ignore
    /// list, which bakery.yaml documents and bakery passes to hadolint.
    @Test(.enabled(if: ExternalTool.shouldRun("hadolint", override: "HADOLINT_PATH")))
    func hadolintFindsNothingBeyondTheDocumentedIgnores() throws {
        let hadolint = try #require(ExternalTool.locate("hadolint", override: "HADOLINT_PATH"),
                                    "hadolint is required (BAKERY_REQUIRE_TOOLS=1): \(ExternalTool.installHint("hadolint"))")
        let ignores = ImageProjectChecks.hadolintIgnoreProblems(try WorkbenchProject.load().config, productFolder: "Workbench")
        #expect(ignores.isEmpty, "\(ignores.joined(separator: "\n"))")
        let copy = try Self.explicitMatrixCopy()
        defer { try? FileManager.default.removeItem(at: copy) }
        let containerfiles = try WorkbenchProject.folders().reduce(0) { $0 + Set($1.containerfiles.map(\.file)).count }
        let problems = try ImageProjectChecks.hadolintProblems(context: copy, arguments: ["--matrix-versions", "include"],
                                                               hadolint: hadolint, containerfiles: containerfiles)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// Every shell script the images run (rendered install and startup scripts, and the wait-for-it helper the
    /// server image copies) passes shellcheck at style level.
    @Test(.enabled(if: ExternalTool.shouldRun("shellcheck")))
    func shellcheckPassesOnEveryScript() throws {
        let shellcheck = try #require(ExternalTool.locate("shellcheck"),
                                      "shellcheck is required (BAKERY_REQUIRE_TOOLS=1): \(ExternalTool.installHint("shellcheck"))")
        let rendered = ImageProjectChecks.rendered(".sh", in: Self.project, folders: try WorkbenchProject.folders().map(\.relativePath))
        let helpers = ImageProjectChecks.rendered(".sh", in: Self.project, folders: ["workbench/scripts"])
        let versions = try WorkbenchProject.image("workbench").versions.count
        // install_workbench.sh and startup.sh per workbench version.
        #expect(rendered.count >= 2 * versions, "\(rendered.map(\.lastPathComponent))")
        #expect(helpers.map(\.lastPathComponent) == ["wait-for-it.sh"])
        let result = try BakeryBinary.execute(shellcheck, ["--severity=style", "--shell=bash"] + (rendered + helpers).map(\.path), in: Self.root)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    // MARK: goss

    /// The runner `bakery dgoss run` uses accepts every goss file for every target: it renders with the
    /// target's environment, has no duplicate key or unknown attribute, and has checks.
    @Test func everyGossFileLoadsInTheBuiltInRunner() async throws {
        var loaded = 0
        let folders = try WorkbenchProject.folders()
        for folder in folders {
            for (_, os, variant) in folder.containerfiles {
                for platform in os.platforms.map(\.rawValue) {
                    let env = WorkbenchProject.gossEnvironment(folder: folder, os: os, variant: variant, platform: platform)
                    let mount = WorkbenchProject.versionMount(folder.directory)
                    let loader = GossLoader(environment: env, readFile: { path in
                        do { return try mount(path) } catch { throw GossReadFailure(message: "\(error)") }
                    })
                    let target = "\(folder) \(os.name) \(variant?.name ?? "") \(platform)"
                    do {
                        let gossfile = try await loader.load(path: folder.directory.appendingPathComponent("test/goss.yaml").path)
                        loaded += 1
                        #expect(gossfile.warnings.isEmpty, "\(target): \(gossfile.warnings)")
                        #expect(gossfile.resources.count >= 4, "\(target): \(gossfile.resources.count) checks")
                    } catch {
                        Issue.record("\(target): \(error)")
                    }
                }
            }
        }
        #expect(loaded == folders.reduce(0) { total, folder in
            total + folder.os.reduce(0) { $0 + $1.platforms.count * max(folder.image.variants.count, 1) }
        })
    }

    // MARK: matrix build args

    /// Arguments a build supplies without a bakery build arg (BuildKit's platform arguments) or that carry a
    /// default in the Containerfile.
    static let automaticArgs: Set<String> = ["TARGETARCH", "TARGETPLATFORM", "TARGETOS", "TARGETVARIANT",
                                             "BUILDARCH", "BUILDPLATFORM", "BUILDOS", "BUILDVARIANT"]

    /// A matrix Containerfile gets its versions only as build args: every `ARG` it declares without a default
    /// (other than BuildKit's platform arguments) and every `BUILD_ARG_*` its goss file reads must be a build arg
    /// bakery gives each matrix target, and every build arg bakery gives must be declared (else it is unused).
    @Test func matrixBuildArgsCoverWhatTheMatrixFilesNeed() throws {
        let copy = try Self.explicitMatrixCopy()
        defer { try? FileManager.default.removeItem(at: copy) }
        let result = try BakeryBinary.run(["build", "--plan", "--matrix-versions", "only", "--context", copy.path], in: Self.root)
        #expect(result.status == 0, "\(result.stderr)")
        guard case .object(let targets)? = JSONValue.parse(result.stdout)?["target"] else {
            Issue.record("no plan: \(result.stderr)")
            return
        }
        #expect(targets.count == 27)
        for (name, target) in targets {
            guard case .string(let dockerfile)? = target["dockerfile"], case .object(let args)? = target["args"] else {
                Issue.record("\(name): no dockerfile or args")
                continue
            }
            let given = Set(args.map(\.0))
            let containerfile = try String(contentsOf: Self.project.appendingPathComponent(dockerfile), encoding: .utf8)
            let declared = try Self.declaredArgs(containerfile)
            let needed = Set(declared.filter { $0.value == nil }.keys).subtracting(Self.automaticArgs)
            #expect(needed.isSubset(of: given), "\(name): \(dockerfile) declares \(needed.subtracting(given).sorted()) without a default and bakery gives no such build arg")
            #expect(given.isSubset(of: Set(declared.keys)), "\(name): bakery gives \(given.subtracting(declared.keys).sorted()), which \(dockerfile) never declares")
            let goss = try String(contentsOf: Self.project.appendingPathComponent(dockerfile).deletingLastPathComponent()
                .appendingPathComponent("test/goss.yaml"), encoding: .utf8)
            let read = Set(goss.matches(of: /\.Env\.BUILD_ARG_([A-Z0-9_]+)/).map { String($0.output.1) })
            #expect(read.isSubset(of: given), "\(name): the goss file reads BUILD_ARG_\(read.subtracting(given).sorted()), which bakery does not set")
            for (arg, value) in args {
                #expect(value != .string(""), "\(name): build arg \(arg) is empty")
            }
        }
    }

    /// A matrix folder is rendered once for every row, so its templates cannot name a row's versions: no
    /// `Dependencies.…` or `Image.Version` in a Jinja expression or statement. The versions reach the build as
    /// build args (`r.build_arg()`, `$POSITRON_VERSION` …) and the goss file through `goss.build_arg_env_var`.
    @Test func matrixTemplatesTakeTheirVersionsFromBuildArgsOnly() throws {
        var templates = 0
        for folder in try WorkbenchProject.folders() where folder.isMatrix {
            let directory = Self.project.appendingPathComponent("\(folder.image.name)/template")
            for (path, (data, _)) in ImageProjectChecks.files(below: directory) {
                let text = String(decoding: data, as: UTF8.self)
                templates += 1
                for tag in text.matches(of: /\{\{.*?\}\}|\{%.*?%\}/.dotMatchesNewlines()) {
                    let jinja = String(tag.output)
                    #expect(!jinja.contains("Dependencies.") && !jinja.contains("Image.Version"),
                            "\(folder.image.name)/template/\(path): \(jinja) names a row's version; use the build arg macros")
                }
            }
        }
        #expect(templates >= 8, "the matrix images' templates")
    }

    /// The `ARG` instructions of a Containerfile: name → default (nil when it has none; an empty `NAME=` counts
    /// as no default, since a build without the arg would get an empty version).
    static func declaredArgs(_ containerfile: String) throws -> [String: String?] {
        var args: [String: String?] = [:]
        for instruction in try Containerfile(parsing: containerfile, name: "Containerfile").instructions where instruction.keyword == "ARG" {
            for word in instruction.arguments.split(whereSeparator: \.isWhitespace) {
                let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
                let value = parts.count == 2 ? parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : nil
                let given: String? = (value?.isEmpty ?? true) ? nil : value
                if let known = args[parts[0]], let known { args[parts[0]] = .some(known) } else { args[parts[0]] = .some(given) }
            }
        }
        return args
    }

    @Test func declaredArgsReadsNamesAndDefaults() throws {
        let args = try Self.declaredArgs("FROM x AS b\nARG R_VERSION\nARG DEBIAN_FRONTEND=noninteractive TARGETARCH\nARG PYTHON_VERSION=\"\"\nRUN echo ARG X\n")
        #expect(args.count == 4)
        #expect(args["R_VERSION"] == .some(nil))
        #expect(args["DEBIAN_FRONTEND"] == .some("noninteractive"))
        #expect(args["PYTHON_VERSION"] == .some(nil))
        #expect(args["X"] == nil)
    }
}
