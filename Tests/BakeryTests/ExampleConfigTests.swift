import Bakery
import Foundation
import Testing
import TestSupport

/// The published example and product configs load with the reference's defaults and derivations.
@Suite struct ExampleConfigTests {
    /// Every example config: the tutorials in Examples/ and the product configs in Tests/Fixtures/examples.
    static let all = ExampleProjects.names

    @Test func allTwelveReferenceConfigsAreHere() {
        #expect(Self.all.count == 12)
    }

    @Test(arguments: all)
    func everyExampleValidates(_ name: String) throws {
        let loaded = try Fixtures.load(name)
        #expect(!loaded.config.images.isEmpty)
        #expect(!loaded.diagnostics.contains { $0.severity == .error })
    }

    @Test func connectRepositoryIsNormalised() throws {
        let config = try Fixtures.load("connect").config
        #expect(config.repository.url.text == "https://github.com/posit-dev/images-connect")
        #expect(config.repository.vendor == "Posit Software, PBC")
        #expect(config.repository.maintainer.description == "Posit Docker Team <docker@posit.co>")
        #expect(config.repository.authors.map(\.description) == ["Ben Schwedler <ben@posit.co>", "Ian H. Pittwood <ian.pittwood@posit.co>"])
        #expect(config.registries.map(\.baseURL) == ["docker.io/posit", "ghcr.io/posit-dev"])
    }

    @Test func connectImagesVariantsAndVersions() throws {
        let config = try Fixtures.load("connect").config
        #expect(config.images.map(\.name) == ["connect", "connect-content", "connect-content-init"])
        let connect = try #require(config.image(named: "connect"))
        #expect(connect.displayName == "Posit Connect")
        #expect(connect.subpath == "connect")
        #expect(connect.documentationURL?.text == "https://docs.posit.co/connect/")
        #expect(connect.description?.hasPrefix("A containerized image of Posit Connect (PCT), which organizes") == true)
        #expect(connect.description?.contains("\n") == false)
        #expect(connect.variants.map(\.extension) == ["std", "min"])
        #expect(connect.variants.map(\.primary) == [true, false])
        #expect(connect.versions.count == 10)
        #expect(connect.versions.filter(\.latest).map(\.name) == ["2026.03.1"])
        let latest = connect.versions[0]
        #expect(latest.subpath == "2026.03")
        // OSes are sorted by name; the primary flag stays where it was set.
        #expect(latest.os.map(\.name) == ["Ubuntu 22.04", "Ubuntu 24.04"])
        #expect(latest.primaryOS?.name == "Ubuntu 24.04")
        #expect(latest.dependencies.map(\.dependency) == [.R, .python, .quarto])
        #expect(latest.dependencies.map(\.versions) == [["4.5.3"], ["3.14.3"], ["1.9.36"]])
        // A single OS becomes primary.
        #expect(connect.versions.last?.os.map(\.primary) == [true])
        #expect(connect.tagPatterns == TagPattern.defaultPatterns)
    }

    @Test func connectGossOptionsAndDevVersions() throws {
        let connect = try #require(try Fixtures.load("connect").config.image(named: "connect"))
        guard case .goss(let goss)? = ToolOptions.effective(tool: .goss, image: connect.options, variant: connect.variants[0].options) else {
            Issue.record("no goss options")
            return
        }
        #expect(goss.wait == 20)
        #expect(goss.runtimeOptions == "--privileged")
        #expect(goss.timeout == 900)
        let dev = try #require(connect.devVersions.first)
        #expect(dev.source == .channel(product: .connect, channel: .daily))
        #expect(dev.usesLegacyStreamKey)
        #expect(dev.os.map(\.name) == ["Ubuntu 22.04", "Ubuntu 24.04"])
        #expect(dev.os[1].platforms == [.amd64, .arm64])
        #expect(dev.overrideRegistries == [Registry(host: "ghcr.io", namespace: "posit-dev", repository: "connect-preview")])
        let warnings = try Fixtures.load("connect").warnings
        #expect(warnings.count == 2)
        #expect(warnings.allSatisfy { $0.code == .deprecated && $0.location?.line != nil })
    }

    @Test func connectContentMatrix() throws {
        let image = try #require(try Fixtures.load("connect").config.image(named: "connect-content"))
        let matrix = try #require(image.matrix)
        #expect(matrix.namePattern == "R{{ Dependencies.R }}-python{{ Dependencies.python }}")
        #expect(matrix.subpath == "matrix")
        #expect(matrix.dependencyConstraints.map(\.dependency) == [.R, .python, .quarto])
        #expect(matrix.dependencyConstraints[0].constraint == VersionConstraint(latest: true, max: nil, min: "4.3"))
        #expect(matrix.dependencyConstraints[2].constraint.count == 1)
        #expect(matrix.os.first { $0.primary }?.name == "Ubuntu 24.04")
        #expect(image.tagPatterns == TagPattern.defaultMatrixPatterns)
        #expect(image.variants.map(\.tagDisplayName) == ["base", "pro"])
    }

    @Test func matrixDefaultNamePatternJoinsDependenciesConstraintsAndSortedValues() throws {
        let matrix = try #require(try Fixtures.load("06-matrix-images").config.images[0].matrix)
        #expect(matrix.namePattern == "R{{ Dependencies.R }}-python{{ Dependencies.python }}-quarto{{ Dependencies.quarto }}")
        #expect(ImageMatrix.defaultNamePattern(dependencies: [.python], constraints: [.R], valueKeys: ["z", "a"])
                == "python{{ Dependencies.python }}-R{{ Dependencies.R }}-a{{ Values.a }}-z{{ Values.z }}")
    }

    @Test func workbenchSecretsAndExplicitDependencyLists() throws {
        let config = try Fixtures.load("workbench").config
        let workbench = try #require(config.image(named: "workbench"))
        #expect(workbench.buildSecrets == [BuildSecret(id: "github_token", envVar: "GITHUB_TOKEN")])
        #expect(workbench.versions.first?.name == "2026.04.0+526.pro2")
        let managed = try Fixtures.load("05-images-with-managed-dependencies").config.images[0]
        #expect(managed.versions[0].dependencies[1].versions == ["3.14.3", "3.13.12"])
        #expect(managed.dependencyConstraints[1].constraint == VersionConstraint(latest: true, count: 2))
    }

    @Test func basicImageDefaults() throws {
        let image = try Fixtures.load("01-basic-image").config.images[0]
        #expect(image.displayName == "Example Image")
        #expect(image.variants.isEmpty)
        #expect(image.versions[0].os.isEmpty)
        let warnings = try Fixtures.load("01-basic-image").warnings.map(\.message)
        #expect(warnings == ["no OSes defined for image version '1.0.0'", "no OS marked as primary for image version '1.0.0'"])
    }

    @Test func bakeryYmlIsFoundWhenThereIsNoBakeryYaml() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let yaml = Data("repository: {url: example.com/x}\nimages: []\n".utf8)
        try yaml.write(to: dir.appendingPathComponent("bakery.yml"))
        let loaded = try ConfigLoader.load(context: dir)
        #expect(loaded.file.lastPathComponent == "bakery.yml")
        try yaml.write(to: dir.appendingPathComponent("bakery.yaml"))
        #expect(try ConfigLoader.load(context: dir).file.lastPathComponent == "bakery.yaml")
    }

    @Test func aMissingConfigSaysHowToStart() {
        let error = #expect(throws: BakeryError.self) { try ConfigLoader.load(context: URL(fileURLWithPath: "/")) }
        #expect(error?.code == .configNotFound)
        #expect(error?.hint?.contains("bakery create project") == true)
    }
}
