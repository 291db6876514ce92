import Bakery
import Testing

/// Validation rules of the model, one behaviour per test.
@Suite struct ValidationTests {
    func errors(_ images: String, strict: Bool = false) -> [String] {
        do {
            _ = try Fixtures.load(yaml: Fixtures.header + images, strict: strict)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func allProblemsAreReportedInDocumentOrder() {
        let found = errors("""
          - name: a
            versions:
              - name: 1.0
              - name: "2.0"
                latest: sometimes
          - name: b
            subpath: ../b
        """)
        #expect(found.count == 3)
        #expect(found[0].hasPrefix("bakery.yaml:9:15: images[0].versions[0].name: expected a string"))
        #expect(found[1].hasPrefix("bakery.yaml:11:17: images[0].versions[1].latest:"))
        #expect(found[2].hasPrefix("bakery.yaml:13:14: images[1].subpath:"))
    }

    @Test func unknownKeysWarnWithASuggestionAndStrictMakesThemErrors() throws {
        let yaml = "  - name: a\n    versoins: []\n"
        let loaded = try Fixtures.load(yaml: Fixtures.header + yaml)
        let warning = try #require(loaded.warnings.first { $0.code == .unknownKey })
        #expect(warning.description == "bakery.yaml:8:5: warning: images[0].versoins: unknown key 'versoins' in image is ignored (did you mean 'versions'?)")
        #expect(errors(yaml, strict: true).contains { $0.contains("unknown key 'versoins'") })
    }

    @Test func twoLatestVersionsWarn() throws {
        let loaded = try Fixtures.load(yaml: Fixtures.header + "  - name: a\n    versions:\n      - {name: 1.0.0, latest: true}\n      - {name: 0.9.0, latest: true}\n")
        #expect(loaded.warnings.contains { $0.message.contains("2 versions marked latest") && $0.location?.line == 10 })
    }

    @Test func versionConstraintRules() {
        func constraint(_ body: String) -> [String] {
            errors("  - name: a\n    dependencyConstraints:\n      - dependency: R\n        constraint: \(body)\n    versions: [{name: 1.0.0}]\n")
        }
        #expect(constraint("{latest: true}").isEmpty)
        #expect(constraint("{max: 4.4, count: 1}").isEmpty)  // numbers are accepted for bounds
        #expect(constraint("{count: 2}").first?.contains("must specify 'latest' or 'max'") == true)
        #expect(constraint("{latest: true, max: '4'}").first?.contains("both 'latest' and 'max'") == true)
        #expect(constraint("{latest: true, min: '4.1', count: 2}").first?.contains("'count' with both 'latest' and 'min'") == true)
        #expect(constraint("{max: '4.4', min: '4.1', count: 2}").first?.contains("'count' with both 'max' and 'min'") == true)
        #expect(constraint("{max: '4.1', min: '4.3'}").first?.contains("greater than 'max'") == true)
        #expect(constraint("{latest: true, count: 0}").first?.contains("greater than 0") == true)
        #expect(constraint("{latest: true, flavour: x}").first?.contains("unknown key 'flavour'") == true)
    }

    @Test func prereleaseIsOnlyForQuartoAndPositron() {
        let base = "  - name: a\n    dependencyConstraints:\n      - {dependency: %@, constraint: {latest: true}, prerelease: true}\n    versions: [{name: 1.0.0}]\n"
        #expect(errors(base.replacingOccurrences(of: "%@", with: "quarto")).isEmpty)
        #expect(errors(base.replacingOccurrences(of: "%@", with: "python")).first?.contains("'prerelease' is not available for python") == true)
    }

    @Test func dependencyVersionStringsSplitOnCommas() throws {
        let loaded = try Fixtures.load(yaml: Fixtures.header + "  - name: a\n    versions:\n      - name: 1.0.0\n        dependencies:\n          - {dependency: python, version: '3.13.1, 3.12.9'}\n")
        #expect(loaded.config.images[0].versions[0].dependencies[0].versions == ["3.13.1", "3.12.9"])
    }

    @Test func registriesAreDeduplicatedAndSorted() throws {
        let yaml = """
        repository: {url: example.com/x}
        registries:
          - {host: quay.io}
          - {host: docker.io, namespace: b}
          - {host: quay.io}
        images: []
        """
        let loaded = try Fixtures.load(yaml: yaml)
        #expect(loaded.config.registries.map(\.baseURL) == ["docker.io/b", "quay.io"])
        #expect(loaded.warnings.contains { $0.code == .duplicate && $0.location?.line == 5 })
    }

    @Test func effectiveRegistriesPreferOverrideThenExtraThenInherited() {
        let global = [Registry(host: "docker.io", namespace: "posit"), Registry(host: "ghcr.io", namespace: "posit-dev")]
        let extra = [Registry(host: "quay.io")]
        #expect(Registry.effective(override: [], extra: extra, inherited: global).map(\.baseURL) == ["quay.io", "docker.io/posit", "ghcr.io/posit-dev"])
        #expect(Registry.effective(override: extra, extra: [], inherited: global) == extra)
        // A Registry with a repository is a different entry from the plain one.
        let renamed = Registry(host: "docker.io", namespace: "posit", repository: "other")
        #expect(Registry.effective(override: [], extra: [renamed], inherited: global).count == 3)
    }

    @Test func duplicateOSesAreDroppedWithAWarning() throws {
        let loaded = try Fixtures.load(yaml: Fixtures.header + "  - name: a\n    versions:\n      - name: 1.0.0\n        os: [{name: Ubuntu 24.04, primary: true}, {name: Ubuntu 24.04}]\n")
        #expect(loaded.config.images[0].versions[0].os.count == 1)
        #expect(loaded.warnings.contains { $0.message == "duplicate OS defined in config for image version '1.0.0': Ubuntu 24.04" })
    }

    @Test func variantOptionsMergeOverImageOptions() throws {
        let loaded = try Fixtures.load(yaml: Fixtures.header + """
          - name: a
            options:
              - {tool: goss, wait: 5, command: "run-it"}
              - {tool: hadolint, ignored: []}
            variants:
              - name: Standard
                options:
                  - {tool: goss, wait: 30}
              - name: Minimal
            versions: [{name: 1.0.0}]
        """)
        let image = loaded.config.images[0]
        guard case .goss(let std)? = ToolOptions.effective(tool: .goss, image: image.options, variant: image.variants[0].options),
              case .goss(let min)? = ToolOptions.effective(tool: .goss, image: image.options, variant: image.variants[1].options),
              case .hadolint(let lint)? = ToolOptions.effective(tool: .hadolint, image: image.options, variant: nil) else {
            Issue.record("options missing")
            return
        }
        #expect(std.wait == 30 && std.command == "run-it")
        #expect(min.wait == 5 && min.command == "run-it")
        #expect(lint.effectiveIgnored.isEmpty)
        #expect(HadolintOptions().effectiveIgnored == ["DL3008", "DL3018", "DL3033", "DL3037", "DL3041"])
        #expect(image.variants[1].options.count == Tool.allCases.count)
    }

    @Test func devVersionSources() throws {
        let loaded = try Fixtures.load(yaml: Fixtures.header + """
          - name: a
            devVersions:
              - {sourceType: channel, product: workbench, channel: preview}
              - {sourceType: dependency, dependency: positron, prerelease: true, channel: daily}
              - {sourceType: channel, product: connect, channel: preview}
        """)
        let dev = loaded.config.images[0].devVersions
        #expect(dev[0].source == .channel(product: .workbench, channel: .preview))
        #expect(dev[1].source == .dependency(.positron, prerelease: true, channel: .daily))
        #expect(loaded.warnings.contains { $0.message.contains("connect publishes no 'preview' channel") })
    }

    @Test func matrixValuesAcceptStringsAndLists() throws {
        let loaded = try Fixtures.load(yaml: Fixtures.header + "  - name: a\n    matrix:\n      values: {flavor: [a, b], base: x}\n")
        let matrix = try #require(loaded.config.images[0].matrix)
        #expect(matrix.values.map(\.key) == ["flavor", "base"])
        #expect(matrix.values[0].value == .list(["a", "b"]))
        #expect(matrix.namePattern == "base{{ Values.base }}-flavor{{ Values.flavor }}")
    }

    @Test func everyRepeatedNamePointsAtItsOwnEntryEvenAfterAFailedOne() {
        let found = errors("""
          - name: a
            versions:
              - name: 1.0
              - name: "2.0"
              - name: "2.0"
              - name: "2.0"
        """)
        #expect(found.count == 3)
        #expect(found[1].hasPrefix("bakery.yaml:11:9: images[0].versions[2]: duplicate version '2.0'"))
        #expect(found[1].hasSuffix("the first is images[0].versions[1])"))
        #expect(found[2].hasPrefix("bakery.yaml:12:9: images[0].versions[3]: duplicate version '2.0'"))
    }

    @Test func imagesThatShareAFolderAreRejected() {
        let found = errors("  - name: a\n    subpath: same\n    versions: [{name: '1'}]\n  - name: b\n    subpath: same\n    versions: [{name: '1'}]\n")
        #expect(found.first?.contains("images[1].subpath: image 'b' and image 'a' share the folder 'same'") == true)
    }
}
