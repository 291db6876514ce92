import Foundation
import OCIRegistry
import Testing

/// Documents shaped as registries serve them (buildah, docker, GHCR), with fields this client does not model.
enum Documents {
    static let config = Digest.sha256(of: Data("config".utf8))
    static let layer1 = Digest.sha256(of: Data("layer1".utf8))
    static let layer2 = Digest.sha256(of: Data("layer2".utf8))
    static let amd64 = Digest.sha256(of: Data("amd64".utf8))
    static let arm64 = Digest.sha256(of: Data("arm64".utf8))
    static let attestation = Digest.sha256(of: Data("attest".utf8))

    static let ociManifest = """
    {
      "schemaVersion": 2,
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "config": {
        "mediaType": "application/vnd.oci.image.config.v1+json",
        "digest": "\(config)",
        "size": 2297
      },
      "layers": [
        {
          "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
          "digest": "\(layer1)",
          "size": 29536677,
          "data": "ignored",
          "x-unknown": {"nested": [1, 2, 3]}
        },
        {
          "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
          "digest": "\(layer2)",
          "size": 1520
        }
      ],
      "annotations": {
        "org.opencontainers.image.created": "2026-04-01T12:00:00Z",
        "org.opencontainers.image.source": "https://github.com/posit-dev/images-workbench"
      },
      "futureField": true
    }
    """

    static let dockerManifest = """
    {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
     "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"\(config)"},
     "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32654,"digest":"\(layer1)"},
               {"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip","size":16724,"digest":"\(layer2)",
                "urls":["https://example.com/layer.tar.gz"]}]}
    """

    static let ociIndex = """
    {
      "schemaVersion": 2,
      "mediaType": "application/vnd.oci.image.index.v1+json",
      "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "\(amd64)", "size": 1013,
         "platform": {"architecture": "amd64", "os": "linux"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "\(arm64)", "size": 1013,
         "platform": {"architecture": "arm64", "os": "linux", "variant": "v8", "features": ["sse4"]}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "\(attestation)", "size": 839,
         "annotations": {"vnd.docker.reference.digest": "\(amd64)", "vnd.docker.reference.type": "attestation-manifest"},
         "platform": {"architecture": "unknown", "os": "unknown"}}
      ],
      "annotations": {"org.opencontainers.image.version": "2026.04.0"}
    }
    """

    static let dockerManifestList = """
    {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
      {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":528,"digest":"\(amd64)","platform":{"architecture":"amd64","os":"linux"}},
      {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":528,"digest":"\(arm64)","platform":{"architecture":"arm","os":"linux","variant":"v7"}}]}
    """
}

@Suite struct ManifestTests {
    @Test func decodesAnOCIManifestIgnoringUnknownFields() throws {
        let manifest = try ImageManifest.decode(Data(Documents.ociManifest.utf8))
        #expect(manifest.schemaVersion == 2)
        #expect(manifest.mediaType == MediaType.ociManifest)
        #expect(manifest.config == Descriptor(mediaType: MediaType.ociConfig, digest: Documents.config, size: 2297))
        #expect(manifest.layers.map(\.digest) == [Documents.layer1, Documents.layer2])
        #expect(manifest.layers[0].size == 29_536_677)
        #expect(manifest.annotations?["org.opencontainers.image.source"] == "https://github.com/posit-dev/images-workbench")
        #expect(manifest.subject == nil)
    }

    @Test func decodesADockerSchema2Manifest() throws {
        let manifest = try ImageManifest.decode(Data(Documents.dockerManifest.utf8))
        #expect(manifest.mediaType == MediaType.dockerManifest)
        #expect(manifest.config.mediaType == MediaType.dockerConfig)
        #expect(manifest.layers[1].mediaType == MediaType.dockerForeignLayerGzip)
        #expect(manifest.layers[1].urls == ["https://example.com/layer.tar.gz"])
    }

    @Test func decodesAnOCIIndexWithPlatformsAndAttestations() throws {
        let index = try ImageIndex.decode(Data(Documents.ociIndex.utf8))
        #expect(index.mediaType == MediaType.ociIndex)
        #expect(index.manifests.count == 3)
        #expect(index.manifests[0].platform == Platform(architecture: "amd64", os: "linux"))
        #expect(index.manifests[1].platform?.description == "linux/arm64/v8")
        #expect(index.manifests[2].annotations?["vnd.docker.reference.type"] == "attestation-manifest")
        #expect(index.annotations == ["org.opencontainers.image.version": "2026.04.0"])
    }

    @Test func decodesADockerManifestList() throws {
        let index = try ImageIndex.decode(Data(Documents.dockerManifestList.utf8))
        #expect(index.mediaType == MediaType.dockerManifestList)
        #expect(index.manifests.map { $0.platform?.description } == ["linux/amd64", "linux/arm/v7"])
        #expect(index.manifests.allSatisfy { $0.mediaType == MediaType.dockerManifest })
    }

    @Test func decodesDocumentsWithoutAMediaType() throws {
        let manifest = """
        {"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"\(Digest.sha256(of: Data("{}".utf8)))","size":2},"layers":[]}
        """
        #expect(try ImageManifest.decode(Data(manifest.utf8)).mediaType == nil)
        let index = #"{"schemaVersion":2,"manifests":[]}"#
        #expect(try ImageIndex.decode(Data(index.utf8)).manifests.isEmpty)
    }

    @Test func refusesAnIndexDecodedAsAManifestAndTheReverse() {
        expectInvalid(containing: "decode it as ImageIndex") {
            _ = try ImageManifest.decode(Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","config":{"mediaType":"a","digest":"\#(Documents.config)","size":1},"layers":[]}"#.utf8))
        }
        expectInvalid(containing: "decode it as ImageIndex") { _ = try ImageManifest.decode(Data(Documents.ociIndex.utf8)) }
        expectInvalid(containing: "decode it as ImageManifest") { _ = try ImageIndex.decode(Data(Documents.dockerManifest.utf8)) }
        expectInvalid(containing: "'config' is missing") { _ = try ImageManifest.decode(Data(#"{"schemaVersion":2,"manifests":[]}"#.utf8)) }
        expectInvalid(containing: "decode it as ImageManifest") {
            _ = try ImageIndex.decode(Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","manifests":[]}"#.utf8))
        }
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        ("[]", "it should be a JSON object"),
        (#"{"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]}"#, "schema 1"),
        (#"{"schemaVersion":"2","config":{},"layers":[]}"#, "'schemaVersion' should be an integer"),
        (#"{"schemaVersion":2,"layers":[]}"#, "'config' is missing"),
        (#"{"schemaVersion":2,"config":{"mediaType":"x","size":1},"layers":[]}"#, "'config.digest' is missing"),
        (#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:abc","size":1},"layers":[]}"#, "'config.digest'"),
        (#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"DIGEST","size":-1},"layers":[]}"#, "'config.size': a size must not be negative"),
        (#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"DIGEST","size":1},"layers":[{"mediaType":"x","digest":"DIGEST","size":"big"}]}"#, "'layers[0].size' should be an integer"),
        (#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"DIGEST","size":1},"layers":{}}"#, "'layers' should be an array"),
        (#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"DIGEST","size":1},"layers":[],"annotations":{"a":1}}"#, "'annotations.a' should be a string"),
        (#"{"schemaVersion":2,"config":{"mediaType":null,"digest":"DIGEST","size":1},"layers":[]}"#, "'config.mediaType' is null"),
    ])
    func saysWhatIsWrongWithAMalformedManifest(document: String, expected: String) {
        let data = Data(document.replacingOccurrences(of: "DIGEST", with: Documents.config.description).utf8)
        expectInvalid(containing: expected) { _ = try ImageManifest.decode(data) }
    }

    @Test func saysWhichIndexEntryIsMalformed() {
        let document = #"{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"\#(Documents.amd64)","size":1},{"mediaType":"x","size":1}]}"#
        expectInvalid(containing: "'manifests[1].digest' is missing") { _ = try ImageIndex.decode(Data(document.utf8)) }
    }

    @Test func encodesCanonicallyWithSortedKeysAndUnescapedSlashes() throws {
        let manifest = try ImageManifest.decode(Data(Documents.dockerManifest.utf8))
        let text = String(decoding: try canonicalJSON(manifest), as: UTF8.self)
        #expect(text == """
        {"config":{"digest":"\(Documents.config)","mediaType":"application/vnd.docker.container.image.v1+json","size":7023},\
        "layers":[{"digest":"\(Documents.layer1)","mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32654},\
        {"digest":"\(Documents.layer2)","mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip","size":16724,\
        "urls":["https://example.com/layer.tar.gz"]}],\
        "mediaType":"application/vnd.docker.distribution.manifest.v2+json","schemaVersion":2}
        """)
        #expect(!text.contains(#"\/"#))
    }

    @Test func encodesTheSameBytesEveryTime() throws {
        let index = try ImageIndex.decode(Data(Documents.ociIndex.utf8))
        var annotated = index
        annotated.annotations = Dictionary(uniqueKeysWithValues: (0..<50).map { ("org.example.key\($0)", "value/\($0)") })
        let first = try canonicalJSON(annotated)
        for _ in 0..<20 {
            #expect(try canonicalJSON(annotated) == first)
        }
        // Dictionaries built in another order encode alike.
        var reordered = index
        reordered.annotations = Dictionary(uniqueKeysWithValues: (0..<50).reversed().map { ("org.example.key\($0)", "value/\($0)") })
        #expect(Digest.sha256(of: try canonicalJSON(reordered)) == Digest.sha256(of: first))
    }

    @Test func roundTripsThroughCanonicalBytes() throws {
        let index = try ImageIndex.decode(Data(Documents.ociIndex.utf8))
        let bytes = try canonicalJSON(index)
        let again = try ImageIndex.decode(bytes)
        #expect(again == index)
        #expect(try canonicalJSON(again) == bytes)
        let manifest = try ImageManifest.decode(Data(Documents.ociManifest.utf8))
        #expect(try ImageManifest.decode(try canonicalJSON(manifest)) == manifest)
    }

    @Test func omitsAbsentOptionalFields() throws {
        let empty = Data("{}".utf8)
        let manifest = ImageManifest(artifactType: "application/vnd.example+type",
                                     config: Descriptor(mediaType: MediaType.ociEmpty, content: empty), layers: [])
        let text = String(decoding: try canonicalJSON(manifest), as: UTF8.self)
        #expect(text == #"{"artifactType":"application/vnd.example+type","config":{"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","mediaType":"application/vnd.oci.empty.v1+json","size":2},"layers":[],"mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2}"#)
    }

    @Test func describesContentByDigestAndSize() {
        let content = Data("layer1".utf8)
        let descriptor = Descriptor(mediaType: MediaType.ociLayerGzip, content: content, platform: Platform(architecture: "arm64", os: "linux"))
        #expect(descriptor.digest == Documents.layer1)
        #expect(descriptor.size == 6)
        #expect(descriptor.platform?.description == "linux/arm64")
    }

    @Test func carriesSubjectAndArtifactTypeForReferrers() throws {
        let subject = Descriptor(mediaType: MediaType.ociManifest, digest: Documents.amd64, size: 1013)
        let index = ImageIndex(artifactType: "application/vnd.example.sbom", manifests: [], subject: subject)
        let decoded = try ImageIndex.decode(try canonicalJSON(index))
        #expect(decoded.subject == subject)
        #expect(decoded.artifactType == "application/vnd.example.sbom")
    }

    private func expectInvalid(containing expected: String, sourceLocation: SourceLocation = #_sourceLocation,
                               _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an invalidDocument error containing \(expected)", sourceLocation: sourceLocation)
        } catch let error as RegistryError {
            #expect(error.code == .invalidDocument, sourceLocation: sourceLocation)
            #expect(error.message.contains(expected), "\(error.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }
}
