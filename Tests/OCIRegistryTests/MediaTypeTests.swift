import Foundation
import OCIRegistry
import Testing

@Suite struct MediaTypeTests {
    @Test func spellsTheSpecMediaTypes() {
        #expect(MediaType.ociManifest == "application/vnd.oci.image.manifest.v1+json")
        #expect(MediaType.ociIndex == "application/vnd.oci.image.index.v1+json")
        #expect(MediaType.dockerManifest == "application/vnd.docker.distribution.manifest.v2+json")
        #expect(MediaType.dockerManifestList == "application/vnd.docker.distribution.manifest.list.v2+json")
        #expect(MediaType.ociConfig == "application/vnd.oci.image.config.v1+json")
        #expect(MediaType.dockerConfig == "application/vnd.docker.container.image.v1+json")
        #expect(MediaType.ociLayerGzip == "application/vnd.oci.image.layer.v1.tar+gzip")
        #expect(MediaType.dockerLayerGzip == "application/vnd.docker.image.rootfs.diff.tar.gzip")
        #expect(MediaType.ociEmpty == "application/vnd.oci.empty.v1+json")
    }

    @Test func acceptsEveryManifestAndIndexTypeOnce() {
        #expect(Set(MediaType.manifestAccept) == [MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest, MediaType.dockerManifestList])
        #expect(MediaType.manifestAccept.count == 4)
    }

    @Test func tellsIndexesFromManifestsIgnoringParametersAndCase() {
        #expect(MediaType.isIndex(MediaType.ociIndex))
        #expect(MediaType.isIndex(MediaType.dockerManifestList))
        #expect(MediaType.isIndex("Application/VND.oci.image.index.v1+json ; charset=utf-8"))
        #expect(!MediaType.isIndex(MediaType.ociManifest))
        #expect(MediaType.isManifest(MediaType.ociManifest))
        #expect(MediaType.isManifest(" application/vnd.docker.distribution.manifest.v2+json; charset=utf-8"))
        #expect(!MediaType.isManifest(MediaType.dockerManifestList))
        #expect(!MediaType.isManifest(MediaType.dockerManifestV1Signed))
        #expect(!MediaType.isManifest(MediaType.ociConfig) && !MediaType.isIndex(MediaType.ociConfig))
        #expect(!MediaType.isManifest("") && !MediaType.isIndex(""))
        #expect(MediaType.essence("text/plain;q=1") == "text/plain")
    }
}

@Suite struct PlatformTests {
    @Test(arguments: [("linux/amd64", "linux", "amd64", nil), ("linux/arm64", "linux", "arm64", nil),
                      ("linux/arm/v7", "linux", "arm", "v7"), ("linux/arm64/v8", "linux", "arm64", "v8")] as [(String, String, String, String?)])
    func parsesAndPrintsOSArchitectureVariant(text: String, os: String, architecture: String, variant: String?) throws {
        let platform = try Platform(parsing: text)
        #expect(platform.os == os)
        #expect(platform.architecture == architecture)
        #expect(platform.variant == variant)
        #expect(platform.description == text)
        #expect(platform == Platform(architecture: architecture, os: os, variant: variant))
    }

    @Test(arguments: ["", "linux", "amd64", "linux/", "/amd64", "linux//v7", "linux/arm/v7/x", "Linux/AMD64", "linux/amd 64", "linux/amd64\n"])
    func refusesWhatIsNotAPlatform(text: String) {
        #expect {
            try Platform(parsing: text)
        } throws: { error in
            let error = error as? RegistryError
            return error?.code == .invalidPlatform && error?.message.contains("os/architecture") == true
        }
    }

    @Test func codesOSVersionAndFeaturesWithDottedKeys() throws {
        let platform = Platform(architecture: "amd64", os: "windows", osVersion: "10.0.17763.1040", osFeatures: ["win32k"])
        let json = String(decoding: try canonicalJSON(platform), as: UTF8.self)
        #expect(json == #"{"architecture":"amd64","os":"windows","os.features":["win32k"],"os.version":"10.0.17763.1040"}"#)
        #expect(try JSONDecoder().decode(Platform.self, from: Data(json.utf8)) == platform)
    }
}
