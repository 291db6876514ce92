// The content descriptor (image-spec `descriptor.md`): what a manifest or index points at.
import Foundation

/// A reference to content by media type, digest and size.
///
///     let config = Descriptor(mediaType: MediaType.ociConfig, content: configBytes)
///     config.digest       // sha256 of configBytes
///     config.size         // configBytes.count
public struct Descriptor: Codable, Sendable, Hashable {
    public var mediaType: String
    public var digest: Digest
    /// Size in bytes of the content; never negative (checked when decoding).
    public var size: Int64
    /// The platform, on the entries of an index.
    public var platform: Platform?
    public var annotations: [String: String]?
    /// The artifact type of an artifact manifest this descriptor points at (referrers).
    public var artifactType: String?
    /// Alternate locations of the content (foreign layers).
    public var urls: [String]?

    public init(mediaType: String, digest: Digest, size: Int64, platform: Platform? = nil,
                annotations: [String: String]? = nil, artifactType: String? = nil, urls: [String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
        self.annotations = annotations
        self.artifactType = artifactType
        self.urls = urls
    }

    /// The descriptor of `content`: its SHA-256 digest and its byte count.
    public init(mediaType: String, content: Data, platform: Platform? = nil, annotations: [String: String]? = nil,
                artifactType: String? = nil) {
        self.init(mediaType: mediaType, digest: .sha256(of: content), size: Int64(content.count), platform: platform,
                  annotations: annotations, artifactType: artifactType)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mediaType = try container.decode(String.self, forKey: .mediaType)
        digest = try container.decode(Digest.self, forKey: .digest)
        size = try container.decode(Int64.self, forKey: .size)
        guard size >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .size, in: container, debugDescription: "a size must not be negative (it is \(size))")
        }
        platform = try container.decodeIfPresent(Platform.self, forKey: .platform)
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations)
        artifactType = try container.decodeIfPresent(String.self, forKey: .artifactType)
        urls = try container.decodeIfPresent([String].self, forKey: .urls)
    }

    enum CodingKeys: String, CodingKey {
        case mediaType, digest, size, platform, annotations, artifactType, urls
    }
}
