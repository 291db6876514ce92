// Image manifests and indexes (image-spec `manifest.md`, `image-index.md`; Docker schema 2 manifests and manifest
// lists share the shape), decoded with errors that name the field, and encoded canonically.
// Fields the spec adds later (or a descriptor's `data`) are accepted and dropped: re-encoding a fetched document
// gives other bytes, so a document copied between registries must be sent as the bytes that were fetched.
import Foundation

/// A single-platform image: a config and its layers (OCI image manifest or Docker schema 2 manifest).
///
///     let manifest = try ImageManifest.decode(bytes)
///     manifest.layers.map(\.digest)
///     let data = try canonicalJSON(manifest)      // sorted keys: the same bytes, the same digest, every time
public struct ImageManifest: Codable, Sendable, Hashable {
    /// Always 2 (schema 1 is refused when decoding).
    public var schemaVersion: Int
    /// `MediaType.ociManifest` or `MediaType.dockerManifest`; optional in OCI documents.
    public var mediaType: String?
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    /// The manifest this one refers to (referrers API).
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociManifest, artifactType: String? = nil, config: Descriptor,
                layers: [Descriptor], subject: Descriptor? = nil, annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
    }

    /// Decodes a manifest, ignoring fields it does not know; refuses an index, schema 1 and malformed documents
    /// with a `.invalidDocument` error that names the field at fault.
    public static func decode(_ data: Data) throws(RegistryError) -> ImageManifest {
        let declared = DocumentDecoding.declaredMediaType(data)
        if let declared, MediaType.isIndex(declared) {
            throw RegistryError(.invalidDocument, "the document is an index ('\(declared.prefix(100))'), not a manifest: decode it as ImageIndex")
        }
        let manifest = try DocumentDecoding.decode(ImageManifest.self, from: data, kind: "manifest")
        if let mediaType = manifest.mediaType, !MediaType.isManifest(mediaType) {
            let hint = MediaType.isIndex(mediaType) ? " (an index: decode it as ImageIndex)" : ""
            throw RegistryError(.invalidDocument, "the manifest's mediaType is '\(mediaType.prefix(100))'\(hint), not \(MediaType.ociManifest) or \(MediaType.dockerManifest)")
        }
        return manifest
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try DocumentDecoding.schemaVersion(in: container, key: .schemaVersion)
        mediaType = try container.decodeIfPresent(String.self, forKey: .mediaType)
        artifactType = try container.decodeIfPresent(String.self, forKey: .artifactType)
        config = try container.decode(Descriptor.self, forKey: .config)
        layers = try container.decode([Descriptor].self, forKey: .layers)
        subject = try container.decodeIfPresent(Descriptor.self, forKey: .subject)
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations)
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, mediaType, artifactType, config, layers, subject, annotations
    }
}

/// A multi-platform image: descriptors of manifests, each with its platform (OCI image index or Docker manifest list).
///
///     let index = try ImageIndex.decode(bytes)
///     index.manifests.first { $0.platform == Platform(architecture: "arm64", os: "linux") }
///     let data = try canonicalJSON(index)
public struct ImageIndex: Codable, Sendable, Hashable {
    /// Always 2.
    public var schemaVersion: Int
    /// `MediaType.ociIndex` or `MediaType.dockerManifestList`; optional in OCI documents.
    public var mediaType: String?
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociIndex, artifactType: String? = nil, manifests: [Descriptor],
                subject: Descriptor? = nil, annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.manifests = manifests
        self.subject = subject
        self.annotations = annotations
    }

    /// Decodes an index, ignoring fields it does not know; refuses a manifest and malformed documents with a
    /// `.invalidDocument` error that names the field at fault.
    public static func decode(_ data: Data) throws(RegistryError) -> ImageIndex {
        let declared = DocumentDecoding.declaredMediaType(data)
        if let declared, MediaType.isManifest(declared) {
            throw RegistryError(.invalidDocument, "the document is a manifest ('\(declared.prefix(100))'), not an index: decode it as ImageManifest")
        }
        let index = try DocumentDecoding.decode(ImageIndex.self, from: data, kind: "index")
        if let mediaType = index.mediaType, !MediaType.isIndex(mediaType) {
            let hint = MediaType.isManifest(mediaType) ? " (a manifest: decode it as ImageManifest)" : ""
            throw RegistryError(.invalidDocument, "the index's mediaType is '\(mediaType.prefix(100))'\(hint), not \(MediaType.ociIndex) or \(MediaType.dockerManifestList)")
        }
        return index
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try DocumentDecoding.schemaVersion(in: container, key: .schemaVersion)
        mediaType = try container.decodeIfPresent(String.self, forKey: .mediaType)
        artifactType = try container.decodeIfPresent(String.self, forKey: .artifactType)
        manifests = try container.decode([Descriptor].self, forKey: .manifests)
        subject = try container.decodeIfPresent(Descriptor.self, forKey: .subject)
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations)
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, mediaType, artifactType, manifests, subject, annotations
    }
}

/// The canonical bytes of a document: JSON with sorted keys, no whitespace and `/` unescaped, so encoding the
/// same value always gives the same bytes and therefore the same digest.
public func canonicalJSON<T: Encodable>(_ value: T) throws(RegistryError) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do { return try encoder.encode(value) } catch {
        throw RegistryError(.invalidDocument, "cannot encode \(T.self) as JSON: \(error)")
    }
}

/// Turns `DecodingError`s into messages that name the document and the field (`layers[2].digest`).
enum DocumentDecoding {
    private struct Declared: Decodable { var mediaType: String? }

    /// The top-level `mediaType`, when the document is a JSON object with a string there; nil otherwise.
    static func declaredMediaType(_ data: Data) -> String? {
        (try? JSONDecoder().decode(Declared.self, from: data))?.mediaType
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, kind: String) throws(RegistryError) -> T {
        do { return try JSONDecoder().decode(T.self, from: data) } catch let error as DecodingError {
            throw RegistryError(.invalidDocument, "the \(kind) is not valid: \(describe(error))")
        } catch {
            throw RegistryError(.invalidDocument, "the \(kind) is not valid: \(error)")
        }
    }

    static func schemaVersion<Key: CodingKey>(in container: KeyedDecodingContainer<Key>, key: Key) throws -> Int {
        let version = try container.decode(Int.self, forKey: key)
        guard version == 2 else {
            let hint = version == 1 ? " (Docker schema 1 is obsolete; re-push the image with a current client)" : ""
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "schemaVersion is \(version), expected 2\(hint)")
        }
        return version
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "the field '\(path(context.codingPath + [key]))' is missing"
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return "it should be a JSON object" }
            return "the field '\(path(context.codingPath))' should be \(expected(type))"
        case .valueNotFound(let type, let context):
            return "the field '\(path(context.codingPath))' is null; it should be \(expected(type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "it is not JSON (\(context.debugDescription))" }
            return "the field '\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return text.isEmpty ? "(top level)" : text
    }

    private static func expected(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type: return "an integer"
        case is [String: String].Type: return "an object of strings"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
            if name.hasPrefix("Dictionary") || name.hasPrefix("KeyedDecodingContainer") { return "an object" }
            return name
        }
    }
}
