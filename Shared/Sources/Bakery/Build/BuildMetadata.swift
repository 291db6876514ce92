// The build metadata of a target in buildx's shape, whichever engine built it.
import Foundation
import OrderedCollections

/// Reads what an engine built into buildx's metadata shape:
///
///     {"containerimage.config.digest": "sha256:…",
///      "containerimage.descriptor": {"mediaType": "…", "digest": "sha256:…", "size": 914,
///                                    "platform": {"architecture": "amd64", "os": "linux"}},
///      "containerimage.digest": "sha256:…",
///      "image.name": "ghcr.io/posit-dev/example-image:1.0.0,ghcr.io/posit-dev/example-image:latest"}
///
/// buildx writes it itself (`--metadata-file`); for podman and buildah bakery reads the manifest the
/// registry stored (when pushed: the digest the push wrote, then the manifest at that digest) or the
/// one in local storage, with skopeo; for `docker build` the image id and the digest `docker push` printed.
public enum BuildMetadata {
    static func read(_ job: BuildJob, commands: EngineCommands, runner: CommandRunner, publishOutput: [String],
                     buildOutput: CommandOutput) async throws -> JSONValue? {
        switch commands.engine {
        case .buildx:
            // buildx writes metadata only when given --metadata-file, which (as in the reference) is
            // passed only for bakery's own --metadata-file; --summary then finds images by tag.
            guard commands.options.metadataFile != nil else { return nil }
            let url = commands.metadataPath(job)
            guard let data = try? Data(contentsOf: url), let text = String(data: data, encoding: .utf8),
                  let value = JSONValue.parse(text) else {
                throw BakeryError(.notFound, "buildx wrote no metadata file at \(url.path)")
            }
            return value
        case .dockerBuild:
            var fields = OrderedDictionary<String, JSONValue>()
            if let id = readTrimmed(commands.imageIDPath(job)) { fields["containerimage.config.digest"] = .string(id) }
            // `docker push` ends with "<tag>: digest: sha256:… size: N".
            if let line = publishOutput.joined(separator: "\n").split(separator: "\n").last(where: { $0.contains("digest: sha256:") }),
               let range = line.range(of: "digest: ") {
                let digest = line[range.upperBound...].split(separator: " ").first.map(String.init) ?? ""
                fields["containerimage.digest"] = .string(digest)
            }
            fields["image.name"] = .string(job.target.tags.joined(separator: ","))
            return .object(fields)
        case .podman, .buildah:
            return try await containersStorage(job, commands: commands, runner: runner)
        }
    }

    /// `value` as bakery records it: null fields removed (the reference drops them), and every
    /// build secret value masked as `***`, like in the logs: a build that records a secret (an
    /// annotation, a label) must not carry it into the metadata file.
    static func cleaned(_ value: JSONValue, masking secrets: [String]) -> JSONValue {
        // Byte for byte and line by line, as in the logs (see `SecretMask`).
        let mask = SecretMask(values: secrets)
        func clean(_ v: JSONValue) -> JSONValue {
            switch v {
            case .object(let fields):
                var out = OrderedDictionary<String, JSONValue>()
                for (key, field) in fields where field != .null { out[key] = clean(field) }
                return .object(out)
            case .array(let items): return .array(items.map(clean))
            case .string(let text):
                return .string(mask(text))
            default: return v
            }
        }
        return clean(value)
    }

    static func readTrimmed(_ url: URL) -> String? {
        guard let data = try? Data(contentsOf: url), let text = String(data: data, encoding: .utf8) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// podman / buildah: the pushed manifest (by the digest the push reported) or the local one.
    static func containersStorage(_ job: BuildJob, commands: EngineCommands, runner: CommandRunner) async throws -> JSONValue {
        let pushed = commands.options.push ? readTrimmed(commands.digestPath(job, 0)) : nil
        let source: String
        if let pushed {
            source = "docker://\(repository(of: job.primaryReference))@\(pushed)"
        } else {
            source = "containers-storage:\(job.platforms.count > 1 ? job.primaryReference : commands.localImage(job))"
        }
        let raw = try await skopeo(["inspect", "--raw", source], runner: runner, environment: commands.options.environment)
        let manifestBytes = raw.standardOutput
        guard let manifest = JSONValue.parse(raw.stdout) else {
            throw BakeryError(.commandFailed, "skopeo returned no manifest for \(source)")
        }
        let digest: String
        if let pushed {
            digest = pushed
        } else {
            let out = try await skopeo(["inspect", "--format", "{{.Digest}}", source], runner: runner, environment: commands.options.environment)
            digest = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var descriptor = OrderedDictionary<String, JSONValue>()
        if case .string(let type)? = manifest["mediaType"] { descriptor["mediaType"] = .string(type) }
        descriptor["digest"] = .string(digest)
        descriptor["size"] = .int(manifestBytes.count)
        if let platform = job.platforms.first { descriptor["platform"] = platformObject(platform) }
        var fields = OrderedDictionary<String, JSONValue>()
        if case .string(let config)? = manifest["config"]?["digest"] {
            fields["containerimage.config.digest"] = .string(config)
        }
        fields["containerimage.descriptor"] = .object(descriptor)
        fields["containerimage.digest"] = .string(digest)
        fields["image.name"] = .string(job.target.tags.joined(separator: ","))
        return .object(fields)
    }

    /// `linux/arm64/v8` → `{"architecture": "arm64", "os": "linux", "variant": "v8"}`.
    static func platformObject(_ platform: String) -> JSONValue {
        let parts = platform.split(separator: "/").map(String.init)
        var object = OrderedDictionary<String, JSONValue>()
        object["architecture"] = .string(parts.count > 1 ? parts[1] : "amd64")
        object["os"] = .string(parts.first ?? "linux")
        if parts.count > 2 { object["variant"] = .string(parts[2]) }
        return .object(object)
    }

    /// `registry/name:tag` → `registry/name`.
    static func repository(of reference: String) -> String { EngineCommands.repository(of: reference) }

    /// Runs skopeo with the registries configuration podman and buildah use (skopeo ignores
    /// `CONTAINERS_REGISTRIES_CONF`, so it is passed as its `--registries-conf` option).
    static func skopeo(_ arguments: [String], runner: CommandRunner, environment: [String: String]) async throws -> CommandOutput {
        var command = skopeoCommand(arguments, environment: environment)
        command.timeout = .seconds(300)
        // Like every build command: stopped as a group on Ctrl-C (a wrapper script's children too).
        command.stopsProcessGroup = true
        return try await runner.run(command).requireSuccess()
    }

    /// `skopeo [--registries-conf F] <arguments>`: the registries configuration podman and buildah
    /// read from `CONTAINERS_REGISTRIES_CONF`, which skopeo ignores, passed as its option.
    static func skopeoCommand(_ arguments: [String], environment: [String: String]) -> ChildCommand {
        var a: [String] = []
        if let conf = environment["CONTAINERS_REGISTRIES_CONF"], !conf.isEmpty { a += ["--registries-conf", conf] }
        return ChildCommand("skopeo", a + arguments)
    }
}
