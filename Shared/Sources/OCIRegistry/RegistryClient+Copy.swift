// Operations built from the API calls: copying an image (a manifest or a whole index, with its blobs)
// between repositories and registries, and making a multi-platform index from single-platform images.
import Foundation

extension RegistryClient {
    /// Copies what `source` names — a manifest with its config and layers, or an index with every child —
    /// to `destination` (a tag, or its digest), and returns the copied root's descriptor (same digest: the bytes
    /// are copied, never re-encoded). Blobs the destination repository has are skipped; within one registry they
    /// are mounted from the source repository instead of moving bytes.
    @discardableResult
    public func copy(_ source: ImageReference, to destination: ImageReference) async throws(RegistryError) -> Descriptor {
        let root = try await manifest(source, retryNotFound: source.digest != nil)
        try await copyContent(of: root, from: source, to: destination, depth: 0)
        let target = destination.digest == nil && destination.tag == nil ? destination.with(digest: root.digest) : destination
        try await putManifest(root.data, mediaType: root.mediaType, to: target)
        return root.descriptor
    }

    /// Copies the children of `fetched` (blobs of a manifest; child manifests of an index, each by digest).
    private func copyContent(of fetched: FetchedManifest, from source: ImageReference, to destination: ImageReference, depth: Int) async throws(RegistryError) {
        guard depth < 4 else { throw RegistryError(.invalidDocument, "\(source): indexes nested deeper than 4 levels") }
        if MediaType.isIndex(fetched.mediaType) {
            for child in try ImageIndex.decode(fetched.data).manifests {
                let childSource = source.with(tag: nil).with(digest: child.digest)
                let childDestination = destination.with(tag: nil).with(digest: child.digest)
                if try await manifestDescriptor(childDestination) != nil { continue }
                let childManifest = try await manifest(childSource, retryNotFound: true)
                try await copyContent(of: childManifest, from: childSource, to: childDestination, depth: depth + 1)
                try await putManifest(childManifest.data, mediaType: childManifest.mediaType, to: childDestination)
            }
        } else {
            let image = try ImageManifest.decode(fetched.data)
            for blob in [image.config] + image.layers {
                try await copyBlob(blob, from: source, to: destination)
            }
        }
    }

    /// One blob: skipped when there, mounted within a registry, else downloaded and uploaded: in memory when it
    /// is small, else through a file in a private temporary folder (removed afterwards, whatever happens), so
    /// a layer of gigabytes needs a few megabytes of memory.
    private func copyBlob(_ blob: Descriptor, from source: ImageReference, to destination: ImageReference) async throws(RegistryError) {
        if try await blobExists(blob.digest, in: destination) { return }
        if source.registry == destination.registry, source.repository != destination.repository,
           try await mountBlob(blob.digest, from: source.repository, to: destination) {
            return
        }
        guard blob.size > options.streamingThreshold else {
            let data = try await self.blob(blob.digest, in: source, size: blob.size)
            try await uploadBlob(data, mediaType: blob.mediaType, to: destination)
            return
        }
        let folder = try PrivateTemporaryFolder(in: options.temporaryDirectory)
        defer { folder.remove() }
        let file = folder.url.appendingPathComponent("blob")
        try await downloadBlob(blob.digest, in: source, size: blob.size, to: file)
        try await uploadBlob(from: file, size: blob.size, digest: blob.digest, mediaType: blob.mediaType, to: destination,
                             chunkSize: options.streamingChunkSize)
    }

    /// The platform of a single-platform image: its config's `architecture`, `os`, `variant`, `os.version` and
    /// `os.features` (the fields an index entry's platform has).
    public func platform(of reference: ImageReference) async throws(RegistryError) -> Platform {
        let fetched = try await manifest(reference, retryNotFound: reference.digest != nil)
        guard MediaType.isManifest(fetched.mediaType) else {
            throw RegistryError(.invalidDocument, "\(reference) is an index, not a single-platform image")
        }
        let image = try ImageManifest.decode(fetched.data)
        let config = try await blob(image.config.digest, in: reference, size: image.config.size)
        struct Config: Decodable {
            var architecture: String?, os: String?, variant: String?, osVersion: String?, osFeatures: [String]?
            enum CodingKeys: String, CodingKey { case architecture, os, variant, osVersion = "os.version", osFeatures = "os.features" }
        }
        guard let decoded = try? JSONDecoder().decode(Config.self, from: config), let architecture = decoded.architecture, let os = decoded.os else {
            throw RegistryError(.invalidDocument, "\(reference): the image config names no architecture and os")
        }
        return Platform(architecture: architecture, os: os, variant: decoded.variant.flatMap { $0.isEmpty ? nil : $0 },
                        osVersion: decoded.osVersion.flatMap { $0.isEmpty ? nil : $0 }, osFeatures: decoded.osFeatures.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Makes an OCI index of `sources` (single-platform images, or indexes whose entries are taken over) with
    /// `annotations`, and pushes it to `destination`. Sources in another repository are copied into the
    /// destination's repository first (by digest), so the index's children live beside it. Returns its descriptor.
    @discardableResult
    public func createIndex(from sources: [ImageReference], annotations: [String: String] = [:],
                            at destination: ImageReference) async throws(RegistryError) -> Descriptor {
        guard !sources.isEmpty else { throw RegistryError(.invalidReference, "an index needs at least one source image") }
        var entries: [Descriptor] = []
        for source in sources {
            let fetched = try await manifest(source, retryNotFound: source.digest != nil)
            let children: [Descriptor]
            if MediaType.isIndex(fetched.mediaType) {
                children = try ImageIndex.decode(fetched.data).manifests
            } else {
                var entry = fetched.descriptor
                entry.platform = try await platform(of: source.with(tag: nil).with(digest: fetched.digest))
                children = [entry]
            }
            for child in children {
                if source.registry != destination.registry || source.repository != destination.repository {
                    try await copy(source.with(tag: nil).with(digest: child.digest), to: destination.with(tag: nil).with(digest: child.digest))
                }
                if Self.namesAPlatform(child),
                   let clash = entries.first(where: { $0.platform == child.platform && $0.digest != child.digest }) {
                    throw RegistryError(.invalidDocument, "\(source) and an earlier source both give the platform \(clash.platform.map(\.description) ?? "?"); an index names each platform once")
                }
                if !entries.contains(where: { $0.digest == child.digest }) { entries.append(child) }
            }
        }
        let index = ImageIndex(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: entries,
                               annotations: annotations.isEmpty ? nil : annotations)
        let data = try canonicalJSON(index)
        let digest = try await putManifest(data, mediaType: MediaType.ociIndex, to: destination)
        return Descriptor(mediaType: MediaType.ociIndex, digest: digest, size: Int64(data.count))
    }

    /// Whether an index entry stands for a platform, which an index may name once. Attestation manifests
    /// (BuildKit's provenance and SBOMs: `unknown/unknown`, annotated `vnd.docker.reference.type`) are one per
    /// image, so several of them sit side by side in a multi-platform index.
    public static func namesAPlatform(_ entry: Descriptor) -> Bool {
        guard let platform = entry.platform else { return false }
        if entry.annotations?["vnd.docker.reference.type"] != nil { return false }
        return !(platform.os == "unknown" && platform.architecture == "unknown")
    }
}
