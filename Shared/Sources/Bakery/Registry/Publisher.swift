// `ci publish` / `ci merge` / `imagetools merge`: per-platform images (pushed by digest to the temporary
// registry) merged into one multi-platform index per target, copied to every destination tag, and verified.
import Foundation
import Logging
import OCIRegistry

/// Publishes targets in three stages, as the reference does, but through `RegistryClient` instead of `oras`:
///
/// 1. per target, `jobs` at a time: wait until each platform's image resolves in the temporary registry, then
///    push an index of them, annotated with the target's labels, as `<T>/<image>/tmp:<uid><hash>`;
/// 2. in push order, copy that index to each destination repository, once per repository, every tag of it;
/// 3. check that every tag names the index's digest (a stale tag is copied once more, then checked again).
///
///     let publisher = Publisher(client: client, options: options, logger: logger)
///     let report = await publisher.publish(targets.sortedForPush())
///
/// `imagetools merge` is stages 1 and 2 without the wait and the checks (`options.waits`, `options.verifies`).
/// Every failure is collected with its stage; nothing is rolled back (temporary indexes stay for inspection).
public struct Publisher: Sendable {
    public struct Options: Sendable {
        public var temporaryRegistry: String?
        public var jobs = 4
        /// Only say what would be done: no registry is contacted.
        public var dryRun = false
        /// Wait for the per-platform images to resolve before merging them.
        public var waits = true
        /// Check every tag after the copies.
        public var verifies = true
        /// How long to wait for an image to resolve, and how often to look.
        public var waitTimeout: Duration = .seconds(600)
        public var pollInterval: Duration = .seconds(5)
        /// Checks of a tag before it counts as stale (with the client's backoff between them).
        public var verifyAttempts = 5
        public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
        public var backoff: @Sendable (Int) -> Duration = { TransientFailure.backoff(attempt: $0) }
        /// Told what each target is doing (for a live display): its UID and a phase, or that it finished.
        public var progress: @Sendable (Progress) -> Void = { _ in }
        /// What `dryRun` prints (one line per operation); stdout by default.
        public var print: @Sendable (String) -> Void = { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

        public init() {}
    }

    /// What a target is doing.
    public enum Progress: Sendable {
        case phase(uid: String, String)
        case finished(uid: String, succeeded: Bool)
    }

    /// One failed operation: the target's display string, the stage (`stage1:wait`, `stage1:create`,
    /// `stage1-crash`, `index-copy`, `verify`, `setup`) and what went wrong.
    public struct Failure: Sendable, Equatable, CustomStringConvertible {
        public var target: String
        public var operation: String
        public var message: String
        public var description: String { "\(target) [\(operation)]: \(message)" }
    }

    /// A target whose index was made (and, unless dry-run, copied and checked).
    public struct Published: Sendable {
        public var target: PublishTarget
        public var temporaryReference: String
        /// The index's digest (nil in a dry run).
        public var digest: Digest?
        /// Tags that were copied and verified.
        public var tags: [String]
    }

    public struct Report: Sendable {
        public var published: [Published] = []
        public var skipped: [PublishTarget] = []
        public var failures: [Failure] = []
        public var statistics = RegistryStatistics()
        public var duration: Duration = .zero
    }

    public let client: RegistryClient
    public let options: Options
    public let logger: Logger

    public init(client: RegistryClient, options: Options, logger: Logger) {
        self.client = client
        self.options = options
        self.logger = logger
    }

    /// Runs the stages over `targets` (already in push order).
    public func publish(_ targets: [PublishTarget]) async -> Report {
        let clock = ContinuousClock()
        let start = clock.now
        var report = Report()
        let merged = await mergeAll(targets, report: &report)
        for (target, reference, digest) in merged {
            if Task.isCancelled { break }
            let failuresBefore = report.failures.count
            options.progress(.phase(uid: target.uid, "copying to \(target.destinationGroups.count) repositor\(target.destinationGroups.count == 1 ? "y" : "ies")"))
            // The index is copied by the digest stage 1 made, never by the temporary tag: that tag may have moved
            // since (another run with the same sources' hash, a hostile writer), and its index is not ours to publish.
            let source = digest.map { "\(EngineCommands.repository(of: reference))@\($0)" } ?? reference
            let copied = await copy(target, from: source, report: &report)
            var tags = copied
            if !options.dryRun, options.verifies, let digest {
                options.progress(.phase(uid: target.uid, "verifying \(copied.count) tag(s)"))
                tags = await verify(target, tags: copied, expected: digest, from: source, report: &report)
            }
            report.published.append(Published(target: target, temporaryReference: reference, digest: digest, tags: tags))
            options.progress(.finished(uid: target.uid, succeeded: report.failures.count == failuresBefore))
        }
        report.statistics = await client.statistics
        report.duration = clock.now - start
        return report
    }

    // MARK: - Stage 1: wait and merge

    private enum Merge: Sendable {
        case merged(String, Digest?)
        case skipped
        case failed(Failure)
    }

    /// Stage 1 for every target, `jobs` at a time; results in the targets' order.
    private func mergeAll(_ targets: [PublishTarget], report: inout Report) async -> [(PublishTarget, String, Digest?)] {
        var results = [Merge?](repeating: nil, count: targets.count)
        let width = max(1, min(options.jobs, targets.count))
        if targets.count > 1 { logger.info("Using \(width) worker(s) for \(targets.count) concurrent operation(s)") }
        await withTaskGroup(of: (Int, Merge).self) { group in
            var next = 0
            func start() {
                guard next < targets.count else { return }
                let i = next
                next += 1
                group.addTask { (i, await self.merge(targets[i])) }
            }
            for _ in 0..<width { start() }
            while let (i, result) = await group.next() {
                results[i] = result
                if !Task.isCancelled { start() }
            }
        }
        var merged: [(PublishTarget, String, Digest?)] = []
        for (i, target) in targets.enumerated() {
            switch results[i] {
            case .merged(let reference, let digest)?: merged.append((target, reference, digest))
            case .skipped?:
                report.skipped.append(target)
                options.progress(.finished(uid: target.uid, succeeded: true))
            case .failed(let failure)?:
                report.failures.append(failure)
                options.progress(.finished(uid: target.uid, succeeded: false))
            case nil:
                report.failures.append(Failure(target: target.display, operation: "stage1-crash", message: "interrupted before it ran"))
                options.progress(.finished(uid: target.uid, succeeded: false))
            }
        }
        return merged
    }

    private func merge(_ target: PublishTarget) async -> Merge {
        guard !target.sources.isEmpty else {
            logger.info("No merge sources for '\(target.display)': skipped")
            return .skipped
        }
        guard let registry = options.temporaryRegistry else {
            return .failed(Failure(target: target.display, operation: "stage1:create",
                                   message: "Cannot publish '\(target.display)': temp_registry not configured (pass --temp-registry)."))
        }
        let temporary = target.temporaryTag(registry: registry)
        let sources: [ImageReference]
        let destination: ImageReference
        do {
            sources = try target.sources.map { source throws(BakeryError) in
                try RegistryAccess.reference(source.reference, what: "the \(source.platform) image in \(source.file)")
            }
            destination = try RegistryAccess.reference(temporary, what: "the temporary index")
        } catch {
            return .failed(Failure(target: target.display, operation: "stage1:create", message: error.message))
        }
        let repositories = Set(sources.map(\.name))
        guard repositories.count == 1 else {
            return .failed(Failure(target: target.display, operation: "stage1:create",
                                   message: "All sources must be from the same repository. Found: \(repositories.sorted().joined(separator: ", "))"))
        }
        let annotations = Dictionary(target.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        if options.dryRun {
            if options.waits {
                for s in target.sources { options.print("[DRY RUN] Would wait for \(s.reference) (\(s.platform)) to resolve") }
            }
            options.print("[DRY RUN] Would create index \(temporary) from \(target.sources.map(\.reference).joined(separator: " ")) with \(annotations.count) annotation(s)"
                          + (target.tags.first.map { ", and the platforms \($0) holds that these do not give" } ?? ""))
            return .merged(temporary, nil)
        }
        if options.waits {
            for (source, platform) in zip(sources, target.sources.map(\.platform)) {
                options.progress(.phase(uid: target.uid, "waiting for its \(platform) image"))
                if let failure = await waitUntilResolves(source, target: target) { return .failed(failure) }
            }
        }
        let kept = await publishedPlatforms(missingFrom: target)
        options.progress(.phase(uid: target.uid, "creating the index of \(sources.count + kept.count) platform(s)"))
        do {
            let index = try await client.createIndex(from: sources + kept, annotations: annotations, at: destination)
            logger.info("Created index \(temporary) (\(index.digest)) for '\(target.display)' from \(sources.count) platform image(s)")
            return .merged(temporary, index.digest)
        } catch {
            return .failed(Failure(target: target.display, operation: "stage1:create", message: error.message))
        }
    }

    /// The images of the platforms the metadata does not give that the target's first tag already holds, by digest.
    /// A per-platform build with `--skip-unchanged` writes no entry for a platform whose image is unchanged; merging
    /// only what was rebuilt would drop that platform from the tags, so it is taken from the index published before.
    /// Platforms compare by os and architecture. Nothing is kept when the tag is not an index or cannot be read.
    private func publishedPlatforms(missingFrom target: PublishTarget) async -> [ImageReference] {
        guard let first = target.tags.first, let reference = try? RegistryAccess.reference(first, what: "the tag"),
              let fetched = try? await client.manifest(reference), MediaType.isIndex(fetched.mediaType),
              let index = try? ImageIndex.decode(fetched.data) else { return [] }
        func key(_ platform: String) -> String { platform.split(separator: "/").prefix(2).joined(separator: "/") }
        let given = Set(target.sources.map { key($0.platform) })
        var kept: [ImageReference] = []
        var seen = Set<String>()
        for child in index.manifests where RegistryClient.namesAPlatform(child) {
            guard let platform = child.platform, !given.contains(key(platform.description)),
                  seen.insert(key(platform.description)).inserted else { continue }
            logger.info("Keeping the published \(platform) image of '\(target.display)' (\(child.digest)): the metadata gives no \(key(platform.description)) build of it")
            kept.append(reference.with(tag: nil).with(digest: child.digest))
        }
        return kept
    }

    /// Polls `source` until it resolves; a missing image or a transient failure keeps waiting, up to the timeout.
    private func waitUntilResolves(_ source: ImageReference, target: PublishTarget) async -> Failure? {
        let clock = ContinuousClock()
        let deadline = clock.now + options.waitTimeout
        var lastProblem = "not found"
        while true {
            do {
                if try await client.manifestDescriptor(source) != nil { return nil }
            } catch {
                guard [.notFound, .unavailable].contains(error.code) else {
                    return Failure(target: target.display, operation: "stage1:wait", message: error.message)
                }
                lastProblem = error.message
            }
            if Task.isCancelled || clock.now + options.pollInterval > deadline {
                return Failure(target: target.display, operation: "stage1:wait",
                               message: "\(source) did not resolve within \(options.waitTimeout) (\(lastProblem))")
            }
            logger.debug("Waiting for \(source) to resolve")
            do { try await options.sleep(options.pollInterval) } catch {
                return Failure(target: target.display, operation: "stage1:wait", message: "interrupted while waiting for \(source)")
            }
        }
    }

    // MARK: - Stage 2: copy to the destinations

    /// Copies the index to each destination repository under all of its tags; returns the tags copied.
    private func copy(_ target: PublishTarget, from temporary: String, report: inout Report) async -> [String] {
        var copied: [String] = []
        for group in target.destinationGroups {
            let tags = group.tags.map { "\(group.repository):\($0)" }
            if options.dryRun {
                options.print("[DRY RUN] Would copy \(temporary) to \(group.repository):\(group.tags.joined(separator: ","))")
                copied += tags
                continue
            }
            do {
                let source = try RegistryAccess.reference(temporary, what: "the temporary index")
                var fetched: RegistryClient.FetchedManifest?
                for tag in tags {
                    let destination = try RegistryAccess.reference(tag, what: "the tag")
                    if let root = fetched {
                        // The content is in the repository after the first tag: only the manifest is put again.
                        _ = try await client.putManifest(root.data, mediaType: root.mediaType, to: destination)
                    } else {
                        try await client.copy(source, to: destination)
                        fetched = try await client.manifest(source)
                    }
                    copied.append(tag)
                }
                logger.info("Copied '\(target.display)' to \(group.repository):\(group.tags.joined(separator: ","))")
            } catch {
                let reason = BakeryError.from(error).message
                report.failures.append(Failure(target: target.display, operation: "index-copy",
                                               message: "\(group.repository): \(reason)"))
            }
        }
        return copied
    }

    // MARK: - Stage 3: verify

    /// Checks each tag names `expected`; a tag still stale after the checks is copied once more and checked again.
    private func verify(_ target: PublishTarget, tags: [String], expected: Digest, from temporary: String,
                        report: inout Report) async -> [String] {
        var verified: [String] = []
        for tag in tags {
            if await check(tag, expected: expected) == nil {
                verified.append(tag)
                continue
            }
            logger.warning("'\(tag)' does not name \(expected) yet; copying it again")
            do {
                let source = try RegistryAccess.reference(temporary, what: "the temporary index")
                try await client.copy(source, to: try RegistryAccess.reference(tag, what: "the tag"))
            } catch {
                let reason = BakeryError.from(error).message
                report.failures.append(Failure(target: target.display, operation: "verify", message: "\(tag): \(reason)"))
                continue
            }
            if let problem = await check(tag, expected: expected) {
                report.failures.append(Failure(target: target.display, operation: "verify", message: "\(tag): \(problem)"))
            } else {
                verified.append(tag)
            }
        }
        if !verified.isEmpty { logger.info("Verified '\(target.display)' -> \(verified.joined(separator: ", "))") }
        return verified
    }

    /// nil when `tag` names `expected`; else what it names (or why it could not be read), after the attempts.
    private func check(_ tag: String, expected: Digest) async -> String? {
        var problem = "not checked"
        for attempt in 1...max(1, options.verifyAttempts) {
            do {
                let reference = try RegistryAccess.reference(tag, what: "the tag")
                if let found = try await client.manifestDescriptor(reference) {
                    if found.digest == expected { return nil }
                    problem = "names \(found.digest), expected \(expected)"
                } else {
                    problem = "not found, expected \(expected)"
                }
            } catch let error as BakeryError {
                return error.message
            } catch {
                let registryError = error as? RegistryError
                problem = registryError?.message ?? "\(error)"
                if let code = registryError?.code, ![.notFound, .unavailable].contains(code) { return problem }
            }
            if attempt < options.verifyAttempts {
                do { try await options.sleep(options.backoff(attempt)) } catch { return "interrupted: \(problem)" }
            }
        }
        return problem
    }
}

extension Publisher {
    /// The registry sizes of what was published, by target UID: config and layer bytes summed over every
    /// platform of the index (a blob shared by platforms counted once), and the first platform's layer count.
    /// A target whose index cannot be read is left out (its size stays unknown; publishing already succeeded).
    public func measure(_ published: [Published]) async -> [String: ImageSizes] {
        var sizes: [String: ImageSizes] = [:]
        for item in published {
            guard let digest = item.digest,
                  let reference = try? RegistryAccess.reference(item.temporaryReference, what: "the temporary index").with(tag: nil).with(digest: digest),
                  let root = try? await client.manifest(reference) else { continue }
            var children: [ImageReference] = [reference]
            if MediaType.isIndex(root.mediaType), let index = try? ImageIndex.decode(root.data) {
                children = index.manifests.filter { RegistryClient.namesAPlatform($0) }.map { reference.with(digest: $0.digest) }
            }
            var seen = Set<Digest>(), total: Int64 = 0, layers: Int?
            var complete = true
            for child in children {
                guard let fetched = try? await client.manifest(child), let image = try? ImageManifest.decode(fetched.data) else {
                    complete = false
                    break
                }
                if layers == nil { layers = image.layers.count }
                for blob in [image.config] + image.layers where seen.insert(blob.digest).inserted { total += blob.size }
            }
            if complete { sizes[item.target.uid] = ImageSizes(registrySize: Int(total), registryLayers: layers) }
        }
        return sizes
    }
}
