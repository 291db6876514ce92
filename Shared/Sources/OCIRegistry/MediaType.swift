// The media types of the OCI image spec and of Docker's v2 schema 2, and how to tell manifests from indexes.
import Foundation

/// Media type strings for manifests, indexes, configs and layers.
///
///     request.setValue(MediaType.manifestAccept.joined(separator: ", "), forHTTPHeaderField: "Accept")
///     MediaType.isIndex("application/vnd.oci.image.index.v1+json; charset=utf-8")   // true
///     MediaType.isManifest(MediaType.dockerManifest)                                  // true
public enum MediaType {
    /// OCI image manifest (image-spec `manifest.md`).
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    /// OCI image index (image-spec `image-index.md`).
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    /// Docker image manifest, schema 2.
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// Docker manifest list (Docker's multi-platform index).
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// Docker schema 1 signed manifest: recognised only to refuse it with a clear message.
    public static let dockerManifestV1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"

    /// OCI image configuration.
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    /// Docker image configuration.
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    /// The OCI empty descriptor's content, `{}` (artifacts without a config).
    public static let ociEmpty = "application/vnd.oci.empty.v1+json"

    /// OCI layer, uncompressed tar.
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    /// OCI layer, gzip-compressed tar.
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// OCI layer, zstd-compressed tar.
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    /// Docker layer, gzip-compressed tar.
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    /// Docker foreign (non-distributable) layer, gzip-compressed tar.
    public static let dockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    /// Every manifest and index type this client reads, for `Accept` headers (indexes first, so a registry that
    /// holds a multi-platform image returns the index rather than converting).
    public static let manifestAccept: [String] = [ociIndex, dockerManifestList, ociManifest, dockerManifest]

    /// The media type without parameters or surrounding space, lowercased: `Application/JSON; charset=utf-8`
    /// gives `application/json` (RFC 9110 §8.3.1: type and subtype are case-insensitive).
    public static func essence(_ mediaType: String) -> String {
        let bare = mediaType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return bare.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Whether `mediaType` (parameters allowed) is an OCI index or a Docker manifest list.
    public static func isIndex(_ mediaType: String) -> Bool {
        let bare = essence(mediaType)
        return bare == ociIndex || bare == dockerManifestList
    }

    /// Whether `mediaType` (parameters allowed) is a single-platform OCI or Docker schema 2 manifest.
    public static func isManifest(_ mediaType: String) -> Bool {
        let bare = essence(mediaType)
        return bare == ociManifest || bare == dockerManifest
    }
}
