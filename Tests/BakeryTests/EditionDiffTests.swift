@testable import Bakery
import Foundation
import Testing

/// `create version --diff-against`: unified diffs as Python's difflib writes them, in a Markdown block.
@Suite("Edition diff")
struct EditionDiffTests {
    @Test func unifiedDiffMatchesDifflib() {
        let a = "FROM ubuntu:22.04\nARG A=1\nRUN one\nRUN two\nRUN three\nRUN four\nRUN five\nRUN six\nRUN seven\nRUN eight\nCMD x\n"
        let b = "FROM ubuntu:24.04\nARG A=1\nRUN one\nRUN two\nRUN three\nRUN four\nRUN five\nRUN six\nRUN seven\nRUN eight\nRUN nine\nCMD y\n"
        // Expected texts produced by Python's difflib.unified_diff on the same input.
        #expect(EditionDiff.unified(a, b, path: "Containerfile") ==
            "--- a/Containerfile\n+++ b/Containerfile\n@@ -1,4 +1,4 @@\n-FROM ubuntu:22.04\n+FROM ubuntu:24.04\n ARG A=1\n RUN one\n RUN two\n@@ -8,4 +8,5 @@\n RUN six\n RUN seven\n RUN eight\n-CMD x\n+RUN nine\n+CMD y\n")
        #expect(EditionDiff.unified("", "x\ny\n", path: "new.txt") == "--- a/new.txt\n+++ b/new.txt\n@@ -0,0 +1,2 @@\n+x\n+y\n")
        #expect(EditionDiff.unified("x\ny\n", "x\n", path: "f") == "--- a/f\n+++ b/f\n@@ -1,2 +1 @@\n x\n-y\n")
    }

    @Test func markdownBlock() {
        let same = EditionDiff.markdown(image: "app", old: ["a": Data("x\n".utf8)], new: ["a": Data("x\n".utf8)])
        #expect(same == "<details open><summary><code>app</code></summary>\n\n_No differences from previous edition._\n\n</details>")
        let changed = EditionDiff.markdown(image: "app", old: ["a.txt": Data("```\nx\n".utf8), "bin": Data([0, 1])],
                                           new: ["a.txt": Data("```\ny\n".utf8), "bin": Data([0, 2])])
        #expect(changed.contains("<details open><summary><code>a.txt</code></summary>\n\n````diff\n--- a/a.txt\n+++ b/a.txt\n"))
        #expect(changed.contains("<details open><summary><code>bin</code></summary>\n\n_Binary file changed._"))
        let big = EditionDiff.markdown(image: "app", old: [:], new: (0..<30).reduce(into: [String: Data]()) {
            $0["f\($1)"] = Data(String(repeating: "line\n", count: 200).utf8)
        })
        #expect(big.contains("Diff too large to display in full (30 files changed):\n\n- `f0` (added)"))
    }
}
