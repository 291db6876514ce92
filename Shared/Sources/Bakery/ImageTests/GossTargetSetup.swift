// What testing one target needs: its test folder, the container's mounts and environment, the goss options,
// the image to run, and the argv of both runners (the built-in one and a real dgoss).
import Foundation

/// The container set-up for testing one target, as `bakery dgoss run` makes it.
public struct GossTargetSetup: Sendable {
    public var target: ImageTarget
    /// Absolute paths.
    public var projectRoot: URL
    public var versionDirectory: URL
    public var imageDirectory: URL
    /// `<version dir>/test`, else `<image dir>/test`.
    public var testDirectory: URL
    public var platform: String
    public var imageReference: String
    public var options: GossOptions
    /// `-e` values in order, already escaped as bakery escapes them (`IMAGE_OS=Ubuntu\ 24.04`).
    public var environment: [(key: String, value: String)]

    public var gossfile: URL { testDirectory.appendingPathComponent("goss.yaml") }
    public var waitFile: URL { testDirectory.appendingPathComponent("goss_wait.yaml") }

    /// Host folder → container path, in order.
    public var mounts: [(host: String, container: String)] {
        [(versionDirectory.path, "/tmp/version"), (imageDirectory.path, "/tmp/image"), (projectRoot.path, "/tmp/project")]
    }

    /// Finds the test folder and builds the environment; a missing test folder is an error naming the target.
    public static func make(target: ImageTarget, projectRoot: URL, platform: String, imageReference: String,
                            environment processEnvironment: [String: String] = ProcessInfo.processInfo.environment) throws(BakeryError) -> GossTargetSetup {
        let imageDirectory = projectRoot.appendingPathComponent(target.image.subpath.isEmpty ? "." : target.image.subpath).standardizedFileURL
        let versionDirectory = projectRoot.appendingPathComponent(target.versionDirectory).standardizedFileURL
        var testDirectory: URL?
        for candidate in [versionDirectory, imageDirectory] {
            let test = candidate.appendingPathComponent("test")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: test.path, isDirectory: &isDirectory), isDirectory.boolValue {
                testDirectory = test
                break
            }
        }
        guard let testDirectory else {
            throw BakeryError(.notFound,
                              "No test directory was found for target '\(target.display)'. Ensure the test directory and test/goss.yaml file exist in either the version path or image path.",
                              hint: "create \(target.versionDirectory)/test/goss.yaml (or \(target.image.subpath)/test/goss.yaml)")
        }
        var options = GossOptions()
        if case .goss(let effective)? = ToolOptions.effective(tool: .goss, image: target.image.options, variant: target.variant?.options) {
            options = effective
        }
        var env: [(String, String)] = [
            ("IMAGE_VERSION", target.version.name), ("IMAGE_VERSION_MOUNT", "/tmp/version"),
            ("IMAGE_MOUNT", "/tmp/image"), ("PROJECT_MOUNT", "/tmp/project"),
        ]
        if let variant = target.variant { env.append(("IMAGE_VARIANT", variant.name)) }
        if let os = target.os {
            let build = os.buildOS
            env += [("IMAGE_OS", os.name), ("IMAGE_OS_NAME", build.name), ("IMAGE_OS_CODENAME", build.codename ?? ""),
                    ("IMAGE_OS_FAMILY", build.family.rawValue), ("IMAGE_OS_VERSION", build.version)]
        }
        env.append(("IMAGE_OS_PLATFORM", platform))
        for arg in target.buildArgs { env.append(("BUILD_ARG_\(arg.key.uppercased())", arg.value)) }
        if processEnvironment["GITHUB_ACTIONS"] == "true", let token = processEnvironment["GITHUB_TOKEN"], !token.isEmpty {
            env.append(("GH_TOKEN", token))
        }
        return GossTargetSetup(target: target, projectRoot: projectRoot.standardizedFileURL, versionDirectory: versionDirectory,
                               imageDirectory: imageDirectory, testDirectory: testDirectory, platform: platform,
                               imageReference: imageReference, options: options,
                               environment: env.map { (key: $0.0, value: escape($0.1)) })
    }

    /// bakery's escaping of `-e` values: a backslash before shell metacharacters and whitespace. The argv never
    /// passes through a shell, so the container sees the backslashes (kept for parity with the reference).
    public static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            if "\"'\\$`!*?&#()|<>;[]{}".contains(c) || c.isWhitespace { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Values that must never be shown (the GitHub token).
    public var secretValues: [String] { environment.filter { $0.key == "GH_TOKEN" }.map(\.value) }

    /// The shared part of `run`: platform, mounts, environment, `--init`, runtime options, image, command.
    public func runArguments(includePlatform: Bool = true) -> [String] {
        var args: [String] = includePlatform ? ["--platform", platform] : []
        for mount in mounts { args += ["-v", "\(mount.host):\(mount.container)"] }
        for (key, value) in environment { args += ["-e", "\(key)=\(value)"] }
        args.append("--init")
        args += (options.runtimeOptions ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        args.append(imageReference)
        args += options.command.split(whereSeparator: \.isWhitespace).map(String.init)
        return args
    }

    /// `dgoss run …` exactly as the reference runs it.
    public var dgossArguments: [String] { ["run"] + runArguments() }

    /// The environment the reference gives dgoss.
    public func dgossEnvironment(gossPath: String?) -> [String: String] {
        var env = ["GOSS_FILES_PATH": testDirectory.path, "GOSS_OPTS": "--format json --no-color"]
        if let gossPath { env["GOSS_PATH"] = gossPath }
        if options.wait > 0 { env["GOSS_SLEEP"] = String(options.wait) }
        return env
    }
}
