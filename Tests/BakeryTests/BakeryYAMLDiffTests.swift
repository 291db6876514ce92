import Bakery
import Testing

/// The semantic bakery.yaml diff reads the config as validation does: a dependency's single
/// `version:` is its one-value list (the alias validation accepts), left-out and empty constraints are
/// the same, and an old text whose images or versions are not lists rebuilds everything.
@Suite("Semantic bakery.yaml diff")
struct BakeryYAMLDiffTests {
    static func matrixConfig(_ dependencies: String, constraints: String = "") -> String {
        """
        repository:
          url: "github.com/example/images"
        images:
          - name: test-matrix
            matrix:
        \(constraints)      dependencies:
        \(dependencies)
              os:
                - name: "Ubuntu 24.04"
                  primary: true

        """
    }

    /// A matrix dependency may name one version (`version: x`) instead of a list. Bumping it adds a
    /// value to that axis: the matrix's latest slice rebuilds. It was read as an empty axis on both
    /// sides, so the bump selected nothing and CI skipped the new version.
    @Test func bumpingASingleVersionDependencyRebuildsTheMatrix() {
        let old = Self.matrixConfig("""
                    - dependency: R
                      versions: ["4.5.2"]
                    - dependency: quarto
                      version: "1.8.27"
            """)
        let new = old.replacingOccurrences(of: #"version: "1.8.27""#, with: #"version: "1.9.0""#)
        #expect(BakeryYAMLDiff.change(old: old, new: new).images?["test-matrix"]?.matrixLatest == true)
        // Removing the single value (the axis keeps its name, now with another spelling) is no addition.
        let asList = old.replacingOccurrences(of: #"version: "1.8.27""#, with: #"versions: ["1.8.27"]"#)
        #expect(BakeryYAMLDiff.change(old: old, new: asList).images?.isEmpty == true)
    }

    /// `dependencyConstraints` left out and written as an empty list say the same thing.
    @Test func absentAndEmptyConstraintsAreTheSame() {
        let old = Self.matrixConfig("""
                    - dependency: R
                      versions: ["4.5.2"]
            """)
        let new = Self.matrixConfig("""
                    - dependency: R
                      versions: ["4.5.2"]
            """, constraints: "      dependencyConstraints: []\n")
        #expect(BakeryYAMLDiff.change(old: old, new: new).images?.isEmpty == true)
    }

    /// An old text whose `images` is missing, or whose versions are not a list, is not understood
    /// confidently: a full rebuild, never a silent narrowing.
    @Test func anOldTextOfAnUnexpectedShapeRebuildsEverything() {
        let new = """
            repository:
              url: "github.com/example/images"
            images:
              - name: app
                versions:
                  - name: "1.0"

            """
        let noImages = "repository:\n  url: \"github.com/example/images\"\n"
        #expect(BakeryYAMLDiff.change(old: noImages, new: new) == .full)
        let versionsNotAList = new.replacingOccurrences(of: "versions:\n      - name: \"1.0\"", with: "versions: \"1.0\"")
        #expect(versionsNotAList != new)
        #expect(BakeryYAMLDiff.change(old: versionsNotAList, new: new) == .full)
    }
}
