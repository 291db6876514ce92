// Which targets a command works on: the generation loop and its filters.
import Foundation

/// Expands projects into targets (matrix images one per combination) and applies the filters.
public struct TargetSelector {
    public var filter: TargetFilter
    public var resolver: VersionResolver
    public var log: TargetLog

    public init(filter: TargetFilter, resolver: VersionResolver = OfflineVersionResolver(), log: TargetLog = TargetLog()) {
        self.filter = filter
        self.resolver = resolver
        self.log = log
    }

    /// Warnings about filter settings that select nothing useful (e.g. a dev channel without dev versions).
    public func settingWarnings() {
        if filter.devChannel != nil && filter.devVersions == .exclude {
            log.warning("--dev-channel has no effect when development versions are excluded. Use --dev-versions include or --dev-versions only to enable dev channel filtering.")
        }
        if filter.latest && filter.devVersions != .exclude {
            log.warning("--latest ignores development versions; --dev-versions \(filter.devVersions.rawValue) has no effect on the latest filter.")
        }
        if filter.latest && filter.recent != nil {
            log.warning("--latest is set alongside a recent-version limit; the limit will be applied first, then --latest will further reduce to a single version. If no targets result, check that the 'latest: true' version is within the selected recent releases.")
        }
    }

    /// Targets in generation order: images in file order, versions, variants, OSes by name.
    public func select(_ projects: [TargetProject]) throws -> [ImageTarget] {
        let namePattern = try filter.imageName.map { try SearchPattern($0, option: "--image-name") }
        let variantPattern = try filter.imageVariant.map { try SearchPattern($0, option: "--image-variant") }
        let osPattern = try filter.imageOS.map { try SearchPattern($0, option: "--image-os") }
        let platformPatterns = try filter.imagePlatforms.map { try SearchPattern($0, option: "--image-platform") }
        var targets: [ImageTarget] = []
        for project in projects {
            for image in project.config.images {
                if let namePattern, !namePattern.matches(image.name) { continue }
                let nameMatched = namePattern != nil
                let before = targets.count
                try expandImage(image, project: project, nameMatched: nameMatched, variantPattern: variantPattern,
                                osPattern: osPattern, platformPatterns: platformPatterns, into: &targets)
                if nameMatched && targets.count == before {
                    log.warning("Image '\(image.name)' matches --image-name filter but yielded no targets after applying other filters (--image-version, --image-variant, --image-os, --image-platform, --dev-versions)")
                }
            }
        }
        for i in targets.indices { targets[i].generationIndex = i }
        var seen: [String: ImageTarget] = [:]
        for t in targets {
            if seen[t.uid] != nil {
                throw BakeryError(.duplicate, "Duplicate image target UID '\(t.uid)': two targets resolve to the same image, version, variant, OS, and release channel (\(t.channel.rawValue)). Check for a duplicate version definition or multiple development channels resolving to the same version.")
            }
            seen[t.uid] = t
        }
        return targets
    }

    private func expandImage(_ image: Image, project: TargetProject, nameMatched: Bool, variantPattern: SearchPattern?,
                             osPattern: SearchPattern?, platformPatterns: [SearchPattern], into targets: inout [ImageTarget]) throws {
        let global = project.config.registries
        let imageRegistries = image.registries(global: global)
        var candidates: [(version: ImageVersion, values: [KeyValue], registries: [Registry])] = []

        func devVersions() throws -> [(ImageVersion, [KeyValue], [Registry])] {
            guard filter.devVersions != .exclude, !image.devVersions.isEmpty else { return [] }
            return try resolver.developmentVersions(of: image, log: log).map { v in
                (v, [], Registry.effective(override: v.overrideRegistries, extra: v.extraRegistries, inherited: imageRegistries))
            }
        }

        if let matrix = image.matrix {
            if filter.matrixVersions == .exclude {
                if nameMatched {
                    log.warning("Image '\(image.name)' matches --image-name filter but is being skipped: matrix image excluded by default (use --matrix-versions include)")
                }
                return
            }
            if filter.devVersions == .only {
                candidates = try devVersions()
            } else {
                candidates = try MatrixExpansion.expand(image, matrix: matrix, globalRegistries: global, resolver: resolver, log: log)
                if filter.devVersions == .include { candidates += try devVersions() }
            }
        } else {
            if filter.matrixVersions == .only {
                if nameMatched {
                    log.warning("Image '\(image.name)' matches --image-name filter but is being skipped: non-matrix image excluded by --matrix-versions only")
                }
                return
            }
            var releases = image.versions.map { v in
                (v, [KeyValue](), Registry.effective(override: v.overrideRegistries, extra: v.extraRegistries, inherited: imageRegistries))
            }
            if let recent = filter.recent {
                let ordered = releases.enumerated().sorted { a, b in
                    let c = VersionOrder.compare(a.element.0.name, b.element.0.name, log: log)
                    return c != 0 ? c > 0 : a.offset < b.offset
                }.map(\.element)
                for excluded in ordered.dropFirst(recent) {
                    if let f = filter.imageVersion, ParsedVersion.matches(filter: f, version: excluded.0.name) {
                        log.warning("Version '\(excluded.0.name)' in image '\(image.name)' matches --image-version filter but is being skipped: excluded by --recent \(recent)")
                    }
                }
                releases = Array(ordered.prefix(recent))
            }
            candidates = releases + (try devVersions())
        }

        for (version, values, registries) in candidates {
            if let reason = skipReason(version) {
                if let f = filter.imageVersion, ParsedVersion.matches(filter: f, version: version.name) {
                    log.warning("Version '\(version.name)' in image '\(image.name)' matches --image-version filter but is being skipped: \(reason)")
                } else {
                    log.debug("Skipping version '\(version.name)' of image '\(image.name)': \(reason)")
                }
                continue
            }
            let variants: [ImageVariant?] = image.variants.isEmpty ? [nil] : image.variants
            if variantPattern != nil && image.variants.isEmpty {
                log.warning("Image '\(image.name)' has no variants but --image-variant filter is set. --image-variant filter will be ignored for this image.")
            }
            for variant in variants {
                if let variantPattern {
                    // posit-bakery crashes here for a variant-less image; we keep its targets (there is nothing to filter).
                    if let variant, !variantPattern.matches(variant.name) { continue }
                }
                let oses: [ImageVersionOS?] = version.os.isEmpty ? [nil] : version.os.sorted { $0.name < $1.name }
                for os in oses {
                    if let osPattern {
                        if let os {
                            if !osPattern.matches(os.name) { continue }
                        } else {
                            log.warning("Image '\(image.name)' version '\(version.name)' has no OS defined but --image-os filter is set. --image-os filter will be ignored for this image version.")
                        }
                    }
                    if !platformPatterns.isEmpty {
                        if let os {
                            let platforms = os.platforms.map(\.rawValue)
                            if !platforms.contains(where: { p in platformPatterns.contains { $0.matches(p) } }) { continue }
                        } else {
                            log.warning("Image '\(image.name)' version '\(version.name)' has no OS defined but --image-platform filter is set. --image-platform filter will be ignored for this image version.")
                        }
                    }
                    targets.append(ImageTarget(image: image, version: version, variant: variant, os: os, registries: registries,
                                               context: project.context, rowValues: values))
                }
            }
        }
    }

    private func skipReason(_ version: ImageVersion) -> String? {
        if version.isDevelopmentVersion {
            if filter.devVersions == .exclude { return "excluded by --dev-versions exclude" }
            if let channel = filter.devChannel {
                let channels = version.metadata.releaseChannels.isEmpty ? [version.metadata.releaseChannel].compactMap { $0 } : version.metadata.releaseChannels
                if !channels.contains(channel) {
                    let shown = channels.count > 1 ? "[" + channels.map(\.rawValue).joined(separator: ", ") + "]" : (channels.first?.rawValue ?? "none")
                    return "dev channel '\(shown)' does not match --dev-channel '\(channel.rawValue)'"
                }
            }
        } else if filter.devVersions == .only {
            return "not a development version (excluded by --dev-versions only)"
        }
        if let f = filter.imageVersion, !ParsedVersion.matches(filter: f, version: version.name) {
            return "does not match --image-version '\(f)'"
        }
        if filter.latest {
            if version.isDevelopmentVersion { return "development version ignored by --latest" }
            if !version.latest { return "not the latest version (excluded by --latest)" }
        }
        return nil
    }
}
