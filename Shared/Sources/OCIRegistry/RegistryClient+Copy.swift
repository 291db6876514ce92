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

    /// One blob: skipped when there, mounted within a registry, else downloaded and uploaded.
    private func copyBlob(_ blob: Descriptor, from source: ImageReference, to destination: ImageReference) async throws(RegistryError) {
        if try await blobSize(blob.digest, in: destination) != nil { return }
        if source.registry == destination.registry, source.repository != destination.repository,
           try await mountBlob(blob.digest, from: source.repository, to: destination) {
            return
        }
        let data = try await self.blob(blob.digest, in: source)
        try await uploadBlob(data, mediaType: blob.mediaType, to: destination)
    }

    /// The platform of a single-platform image: its config's `architecture`, `os` and `variant`.
    public func platform(of reference: ImageReference) async throws(RegistryError) -> Platform {
        let fetched = try await manifest(reference, retryNotFound: reference.digest != nil)
        guard MediaType.isManifest(fetched.mediaType) else {
            throw RegistryError(.invalidDocument, "\(reference) is an index, not a single-platform image")
        }
        let image = try ImageManifest.decode(fetched.data)
        let config = try await blob(image.config.digest, in: reference)
        struct Config: Decodable { var architecture: String?; var os: String?; var variant: String? }
        guard let decoded = try? JSONDecoder().decode(Config.self, from: config), let architecture = decoded.architecture, let os = decoded.os else {
            throw RegistryError(.invalidDocument, "\(reference): the image config names no architecture and os")
        }
        return Platform(architecture: architecture, os: os, variant: decoded.variant)
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
                if let clash = entries.first(where: { $0.platform == child.platform && $0.digest != child.digest && child.platform != nil }) {
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
}
