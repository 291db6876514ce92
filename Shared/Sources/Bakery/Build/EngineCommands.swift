// The command lines each engine runs for a target: the build itself, then tagging, pushing and inspecting.
import Foundation

/// Builds the argument lists for one engine. Every list is an argument vector handed to the
/// engine directly (no shell), in a fixed order so a user can diff it against their own command.
public struct EngineCommands: Sendable {
    public var engine: BuildEngine
    public var options: BuildOptions
    /// Folder for per-target files the engine writes (buildx metadata, image ids, digests).
    public var runFolder: URL

    public init(engine: BuildEngine, options: BuildOptions, runFolder: URL) {
        self.engine = engine
        self.options = options
        self.runFolder = runFolder
    }

    /// Whether this build pushes by digest to the temporary registry.
    var pushesByDigest: Bool { options.tempRegistry != nil && options.push }

    /// `<tmp>/<uid>.json`, where the reference has buildx write a target's metadata.
    public func metadataPath(_ job: BuildJob) -> URL { runFolder.appendingPathComponent("\(job.fileStem).json") }
    public func imageIDPath(_ job: BuildJob) -> URL { runFolder.appendingPathComponent("\(job.fileStem).iid") }
    public func digestPath(_ job: BuildJob, _ n: Int) -> URL { runFolder.appendingPathComponent("\(job.fileStem).\(n).digest") }

    // MARK: - The build

    /// The build command: `docker buildx build …` exactly as the reference runs it, or the
    /// same build in `docker build`, `podman build` or `buildah build` syntax.
    public func build(_ job: BuildJob) -> ChildCommand {
        switch engine {
        case .buildx: return buildx(job)
        case .dockerBuild: return dockerBuild(job)
        case .podman, .buildah: return containersBuild(job)
        }
    }

    func buildx(_ job: BuildJob) -> ChildCommand {
        let t = job.target
        var a = ["buildx", "build"]
        if !options.quiet { a += ["--progress", "plain"] }
        for (k, v) in t.args { a += ["--build-arg", "\(k)=\(v)"] }
        for (k, v) in t.labels { a += ["--label", "\(k)=\(v)"] }
        if options.pull { a.append("--pull") }
        if options.push && !pushesByDigest { a.append("--push") }
        if options.load { a.append("--load") }
        if options.metadataFile != nil { a += ["--metadata-file", metadataPath(job).path] }
        a += ["--file", job.containerfile.path]
        if let stage = t.stage { a += ["--target", stage] }
        for c in t.cacheFrom { a += ["--cache-from", "type=\(c.type),ref=\(c.ref)"] }
        if options.push {
            for c in t.cacheTo {
                a += ["--cache-to", "type=\(c.type),ref=\(c.ref),mode=\(c.mode ?? "max"),compression=\(c.compression ?? "zstd"),oci-mediatypes=\(c.ociMediaTypes ?? "true")"]
            }
        }
        for s in t.secrets { a += ["--secret", "id=\(s.id),env=\(s.env)"] }
        if pushesByDigest { a += ["--output", "type=image,push-by-digest=True,name-canonical=True,push=True"] }
        a += ["--platform", job.platforms.joined(separator: ",")]
        if !options.cache { a.append("--no-cache") }
        for tag in t.tags { a += ["--tag", tag] }
        a.append(job.context.path)
        return command(a)
    }

    /// Classic `docker build` with BuildKit: one platform, no registry cache export, pushed afterwards.
    func dockerBuild(_ job: BuildJob) -> ChildCommand {
        let t = job.target
        var a = ["build"]
        if !options.quiet { a += ["--progress", "plain"] }
        for (k, v) in t.args { a += ["--build-arg", "\(k)=\(v)"] }
        for (k, v) in t.labels { a += ["--label", "\(k)=\(v)"] }
        if options.pull { a.append("--pull") }
        a += ["--file", job.containerfile.path]
        if let stage = t.stage { a += ["--target", stage] }
        for c in t.cacheFrom { a += ["--cache-from", c.ref] }
        for s in t.secrets { a += ["--secret", "id=\(s.id),env=\(s.env)"] }
        a += ["--platform", job.platforms.joined(separator: ",")]
        if !options.cache { a.append("--no-cache") }
        a += ["--iidfile", imageIDPath(job).path]
        for tag in t.tags { a += ["--tag", tag] }
        a.append(job.context.path)
        var c = command(a)
        c.environment["DOCKER_BUILDKIT"] = "1"
        return c
    }

    /// `podman build` / `buildah build`: the same labels, tags, build args, platforms, secrets,
    /// pull, cache and file/context in their syntax. Several platforms build into a manifest list
    /// named after the first tag.
    func containersBuild(_ job: BuildJob) -> ChildCommand {
        let t = job.target
        // --force-rm: a failed (or stopped) build removes its working container too; by default
        // podman and buildah keep it, one more `<base>-working-container-N` per failed target.
        var a = ["build", "--force-rm"]
        for (k, v) in t.args { a += ["--build-arg", "\(k)=\(v)"] }
        for (k, v) in t.labels { a += ["--label", "\(k)=\(v)"] }
        if options.pull { a.append("--pull=always") }
        a += ["--file", job.containerfile.path]
        if let stage = t.stage { a += ["--target", stage] }
        if options.cache {
            // buildah keeps no layer cache unless asked; podman does by default.
            a.append("--layers")
            for c in t.cacheFrom { a += ["--cache-from", Self.repository(of: c.ref)] }
            if options.push { for c in t.cacheTo { a += ["--cache-to", Self.repository(of: c.ref)] } }
        } else {
            a.append("--no-cache")
        }
        for s in t.secrets { a += ["--secret", "id=\(s.id),env=\(s.env)"] }
        a += ["--platform", job.platforms.joined(separator: ",")]
        if job.platforms.count > 1 {
            a += ["--manifest", job.primaryReference]
        } else {
            for tag in t.tags { a += ["--tag", tag] }
        }
        a += ["--iidfile", imageIDPath(job).path]
        a.append(job.context.path)
        return command(a)
    }

    /// podman and buildah take a cache repository, not a tag: `r/img/cache:1.0-amd64` → `r/img/cache`.
    static func repository(of reference: String) -> String {
        if let at = reference.firstIndex(of: "@") { return String(reference[..<at]) }
        let lastSlash = reference.lastIndex(of: "/") ?? reference.startIndex
        if let colon = reference[lastSlash...].lastIndex(of: ":") { return String(reference[..<colon]) }
        return reference
    }

    // MARK: - Before and after the build

    /// Run before the build: a multi-platform podman/buildah build adds to a manifest list, so a
    /// list left by an earlier build of the same name is removed first (its exit status is ignored).
    public func prepare(_ job: BuildJob) -> [ChildCommand] {
        guard engine.usesContainersStorage, job.platforms.count > 1 else { return [] }
        return [command(["manifest", "rm", job.primaryReference])]
    }

    /// Run after a successful build: the other tags of a manifest list, and the pushes (docker
    /// build, podman, buildah; buildx pushes during the build). Each push writes the digest the
    /// registry stored to a file.
    public func publish(_ job: BuildJob) -> [ChildCommand] {
        let tags = job.target.tags
        var steps: [ChildCommand] = []
        switch engine {
        case .buildx:
            return []
        case .dockerBuild:
            if options.push { for tag in tags { steps.append(command(["push", tag])) } }
        case .podman, .buildah:
            let list = job.platforms.count > 1
            if list { for tag in tags.dropFirst() { steps.append(command(["tag", job.primaryReference, tag])) } }
            if options.push {
                for (n, tag) in tags.enumerated() {
                    var a = list ? ["manifest", "push", "--all"] : ["push"]
                    let destination = pushesByDigest ? temporaryPushTag(job, repository: tag) : tag
                    a += ["--digestfile", digestPath(job, n).path, list ? job.primaryReference : localImage(job), "docker://\(destination)"]
                    steps.append(command(a))
                }
            }
        }
        return steps
    }

    /// Where podman and buildah push a `--temp-registry` image. They cannot push by digest alone (buildx's
    /// `push-by-digest` leaves no tag), and a reference without a tag would be `:latest`, which every target and
    /// platform of the image would overwrite in turn. So each gets a tag of its own, `<repository>:<uid>-<os>-<arch>`
    /// (cut to the 128 characters a tag may have, keeping the platform), which `clean temp-registry` ages out like
    /// the temporary indexes. The metadata still names the image by digest.
    func temporaryPushTag(_ job: BuildJob, repository: String) -> String {
        let platform = job.platforms.joined(separator: "-").replacingOccurrences(of: "/", with: "-")
        let suffix = "-" + platform
        let uid = String(job.uid.prefix(max(1, 128 - suffix.count)))
        return "\(repository):\(uid)\(suffix)"
    }

    /// The image a podman/buildah build produced, by the id it wrote (`--iidfile`): tags may be
    /// shared (every target of an image has the same temporary-registry name), the id is not.
    func localImage(_ job: BuildJob) -> String {
        guard let id = BuildMetadata.readTrimmed(imageIDPath(job)) else { return job.primaryReference }
        return id.hasPrefix("sha256:") ? String(id.dropFirst("sha256:".count)) : id
    }

    /// Run at the very end when the image is not to be kept locally (`--no-load`): podman and
    /// buildah always store what they build, so the tags are removed again.
    public func unload(_ job: BuildJob) -> ChildCommand? {
        guard engine.usesContainersStorage, !options.load else { return nil }
        if job.platforms.count > 1 { return command(["manifest", "rm", job.primaryReference]) }
        return command(["rmi"] + job.target.tags)
    }

    func command(_ arguments: [String]) -> ChildCommand {
        var c = ChildCommand(engine.executable, arguments)
        c.timeout = options.commandTimeout
        c.stopsProcessGroup = true
        // Stopped (Ctrl-C, a time limit), buildah and podman remove their working container before they exit; on a
        // busy machine that took more than 5 s, and the SIGKILL that followed left `<base>-working-container`
        // behind. They exit within a second or two when idle, so the longer wait costs nothing then.
        c.gracePeriod = .seconds(30)
        return c
    }
}
