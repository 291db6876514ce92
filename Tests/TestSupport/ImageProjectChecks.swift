// Checks every product image project runs on itself (Connect, PackageManager, Workbench): its rendered folders
// equal a fresh render, the files below a folder with their modes, and the environment dgoss gives a target.
import Bakery
import BakeryYAML
import Foundation
import GoTemplate

/// What the product suites share about their image project folders.
public enum ImageProjectChecks {
    /// Every regular file below `directory`, relative, with its contents and permission bits.
    public static func files(below directory: URL, skipping skip: (String) -> Bool = { _ in false }) -> [String: (Data, Int)] {
        var result: [String: (Data, Int)] = [:]
        let base = directory.standardizedFileURL.path + "/"
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            let relative = String(url.standardizedFileURL.path.dropFirst(base.count))
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true, !skip(relative) else { continue }
            let mode = ((try? FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions]) as? Int) ?? 0
            result[relative] = ((try? Data(contentsOf: url)) ?? Data(), mode & 0o777)
        }
        return result
    }

    /// The files of the rendered folders (relative to the project) whose name ends with `suffix`, sorted.
    public static func rendered(_ suffix: String, in project: URL, folders: [String]) -> [URL] {
        folders.flatMap { folder -> [URL] in
            let directory = project.appendingPathComponent(folder)
            return files(below: directory).keys.filter { $0.hasSuffix(suffix) }.sorted().map { directory.appendingPathComponent($0) }
        }
    }

    /// Deletes the rendered `folders` in a copy of `project`, runs `bakery update files --all` there, and
    /// compares the result with the committed tree (contents and modes; `skip` leaves out Sources/ and Tests/).
    /// Returns the problems, each a sentence naming the file and what to do; empty when the tree is a fresh render.
    public static func freshRenderProblems(project: URL, folders: [String], productFolder: String,
                                           skipping skip: @escaping (String) -> Bool = { $0.hasPrefix("Sources/") || $0.hasPrefix("Tests/") }) throws -> [String] {
        let scratch = try BakeryBinary.temporaryCopy(of: project)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for folder in folders {
            try FileManager.default.removeItem(at: scratch.appendingPathComponent(folder))
        }
        let result = try BakeryBinary.run(["update", "files", "--all", "--quiet", "--context", scratch.path], in: BakeryBinary.repositoryRoot)
        guard result.status == 0 else { return ["bakery update files --all failed (\(result.status)): \(result.stderr)"] }
        var problems: [String] = []
        let committed = files(below: project, skipping: skip)
        let fresh = files(below: scratch, skipping: skip)
        let odd = Set(committed.keys).symmetricDifference(fresh.keys).sorted()
        if !odd.isEmpty { problems.append("files differ: \(odd)") }
        for (path, (data, mode)) in committed.sorted(by: { $0.key < $1.key }) {
            guard let (freshData, freshMode) = fresh[path] else { continue }
            if data != freshData {
                problems.append("\(path) differs from a fresh render of its template; edit the template and run bakery update files --all --context \(productFolder)")
            }
            if mode != freshMode {
                problems.append("\(path) has mode \(String(mode, radix: 8)), a fresh render has \(String(freshMode, radix: 8))")
            }
        }
        return problems
    }

    /// The environment `bakery dgoss run` gives a target's container (without matrix build args).
    public static func gossEnvironment(version: String, os: ImageVersionOS, variant: ImageVariant?, platform: String) -> [String: String] {
        let buildOS = os.buildOS
        var env = [
            "IMAGE_VERSION": version, "IMAGE_VERSION_MOUNT": "/tmp/version",
            "IMAGE_MOUNT": "/tmp/image", "PROJECT_MOUNT": "/tmp/project",
            "IMAGE_OS": os.name, "IMAGE_OS_NAME": buildOS.name, "IMAGE_OS_CODENAME": buildOS.codename ?? "",
            "IMAGE_OS_FAMILY": buildOS.family.rawValue, "IMAGE_OS_VERSION": buildOS.version,
            "IMAGE_OS_PLATFORM": platform,
        ]
        if let variant { env["IMAGE_VARIANT"] = variant.name }
        return env
    }

    // MARK: config and plan

    /// What is wrong with a product folder's config: warnings when loaded, or `bakery validate --strict` failing
    /// or warning. Empty when it validates cleanly.
    public static func strictValidationProblems(project: URL) throws -> [String] {
        var problems = try ConfigLoader.load(context: project).warnings.map { "warning when loaded: \($0)" }
        let result = try BakeryBinary.run(["validate", "--strict", "--context", project.path], in: BakeryBinary.repositoryRoot)
        if result.status != 0 || result.stderr.contains("WARNING") {
            problems.append("bakery validate --strict exited \(result.status): \(result.stderr.suffix(2000))")
        }
        return problems
    }

    /// What differs between a `bakery build --plan` run on `project` and posit-bakery's recorded plan
    /// (`golden`, normalised as the reference folder's README says). Empty when they are equal.
    public static func planProblems(_ result: BakeryBinary.Result, project: URL, golden: URL) throws -> [String] {
        guard result.status == 0 else { return ["bakery build --plan exited \(result.status): \(result.stderr.suffix(2000))"] }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        guard let got = ReferenceNormalization.canonicalJSON(result.stdout, context: project.path) else {
            return ["bakery build --plan printed no JSON: \(result.stdout.prefix(300))"]
        }
        return got == expected ? [] : ["the plan differs from \(golden.lastPathComponent); compare with `bakery build --plan --context \(project.lastPathComponent)`"]
    }

    // MARK: goss files

    /// `readFile` inside a test container: `/tmp/version/…` is the rendered version folder `directory` (the
    /// mount `bakery dgoss run` makes); any other path is refused.
    public static func versionMount(_ directory: URL) -> @Sendable (String) throws -> String {
        { path in
            guard path.hasPrefix("/tmp/version/") else { throw GoFunctionFailure("open \(path): outside the mounted version folder") }
            return try String(contentsOf: directory.appendingPathComponent(String(path.dropFirst("/tmp/version/".count))), encoding: .utf8)
        }
    }

    /// A goss file's text rendered as goss would inside the container (`.Env` is `env`, readFile reads the
    /// version folder `directory`), parsed as YAML; nil when it renders to an empty document.
    public static func renderGoss(_ text: String, name: String, directory: URL, env: [String: String]) throws -> YAMLNode? {
        let template = try GoTemplate(name: name, source: text)
        let functions = GoFunctions.goss(environment: env, readFile: versionMount(directory))
        return try YAMLParser.parse(try template.render(data: .map(["Env": .environment(env), "Vars": .map([:])]), functions: functions))
    }

    // MARK: hadolint

    /// The images of `config` whose hadolint ignore list (the `options` of `tool: hadolint` in bakery.yaml) is
    /// missing or other than `expected`, each as a sentence; empty when every image documents exactly `expected`.
    public static func hadolintIgnoreProblems(_ config: BakeryConfig, productFolder: String, expected: Set<String> = ["DL3008", "DL3059"]) -> [String] {
        config.images.compactMap { image in
            guard case .hadolint(let options)? = ToolOptions.effective(tool: .hadolint, image: image.options, variant: nil),
                  let ignored = options.ignored else {
                return "\(image.name) documents no hadolint ignore list in \(productFolder)/bakery.yaml"
            }
            return Set(ignored) == expected ? nil
                : "\(image.name) ignores \(ignored.sorted()), not \(expected.sorted()): document a new ignore (with its reason) in bakery.yaml and in the suite"
        }
    }

    /// Runs `bakery hadolint run --failure-threshold style` (plus `arguments`) on `context` — a scratch copy, so
    /// results/ lands there — with the hadolint binary `hadolint`, and returns the problems: a failed run, a
    /// results file with findings, a results count other than `containerfiles` (one per distinct Containerfile),
    /// no SARIF file. Empty when every Containerfile is clean beyond the ignores bakery.yaml documents.
    public static func hadolintProblems(context: URL, arguments: [String] = [], hadolint: String, containerfiles: Int) throws -> [String] {
        let result = try BakeryBinary.run(["hadolint", "run", "--context", context.path, "--failure-threshold", "style"] + arguments,
                                          in: BakeryBinary.repositoryRoot, timeout: 300, environment: ["HADOLINT_PATH": hadolint])
        var problems: [String] = []
        if result.status != 0 || !result.stderr.hasSuffix("✅ Linting completed\n") {
            problems.append("bakery hadolint run exited \(result.status): \(result.stderr.suffix(2000))")
        }
        let results = context.appendingPathComponent("results/hadolint")
        let files = FolderWalk.entries(results).filter { $0.kind == .regular && $0.path.hasSuffix(".json") }
        if files.count != containerfiles {
            problems.append("\(files.count) hadolint results files, expected one per distinct Containerfile (\(containerfiles))")
        }
        for file in files.sorted(by: { $0.path < $1.path }) {
            let findings = (try? String(contentsOf: results.appendingPathComponent(file.path), encoding: .utf8)) ?? "(unreadable)"
            if findings != "[]" { problems.append("\(file.path): \(findings)") }
        }
        if !FileManager.default.fileExists(atPath: results.appendingPathComponent("hadolint.sarif").path) {
            problems.append("no results/hadolint/hadolint.sarif")
        }
        return problems
    }
}
