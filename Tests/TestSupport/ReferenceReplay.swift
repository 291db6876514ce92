// Replaying posit-bakery's recorded runs (a reference folder's cases.tsv) with our bakery: the runs, how to
// start each one as the reference was started, and the comparison of stdout and exit code with the golden.
import Bakery
import Foundation

/// One recorded run of a reference folder's `cases.tsv`.
public struct ReferenceCase: Sendable, CustomStringConvertible {
    public var project: String
    public var slug: String
    /// The bakery arguments as recorded; `<CONTEXT>` stands for the project folder.
    public var argv: String
    public var exitCode: Int32
    /// A file of the reference folder given on stdin.
    public var stdin: String?
    public var description: String { "\(project) \(slug)" }
}

/// Reads, starts and judges recorded runs; shared by the parity suite (synthetic trees) and the product
/// suites (the real product folders).
public enum ReferenceReplay {
    /// The runs of `folder/cases.tsv` (project named after the folder) whose argv `include` accepts.
    public static func cases(in folder: URL, including include: (String) -> Bool = { _ in true }) -> [ReferenceCase] {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("cases.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line -> ReferenceCase? in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= 3, include(columns[1]) else { return nil }
            return ReferenceCase(project: folder.lastPathComponent, slug: columns[0], argv: columns[1], exitCode: Int32(columns[2]) ?? -1,
                                 stdin: columns.count > 3 && !columns[3].isEmpty ? columns[3] : nil)
        }
    }

    /// Commands outside what the replays cover: project management (create/update/remove) and `ci readme`.
    public static func covered(_ argv: String) -> Bool {
        let first = argv.split(separator: " ").first.map(String.init) ?? ""
        return !["create", "update", "remove"].contains(first)
    }

    /// Splits a recorded argv: `--image-os Ubuntu 24.04` took the rest up to the next option as one value.
    public static func arguments(_ argv: String, context: String) -> [String] {
        let parts = argv.replacingOccurrences(of: "<CONTEXT>", with: context).split(separator: " ").map(String.init)
        var out: [String] = []
        var i = 0
        while i < parts.count {
            out.append(parts[i])
            if ["--image-os", "--image-variant"].contains(parts[i]) {
                var j = i + 1
                var value: [String] = []
                while j < parts.count, !parts[j].hasPrefix("--") { value.append(parts[j]); j += 1 }
                out.append(value.joined(separator: " "))
                i = j
            } else {
                i += 1
            }
        }
        return out
    }

    /// A cache folder that is never created: offline runs find nothing in it.
    public static let emptyCache = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-parity-empty-cache-\(UUID().uuidString)")

    /// The command put in front of bakery to give the run the reference's environment: GITHUB_TOKEN set only
    /// where the reference had it (buildSecrets then appear in the plan), no BAKERY_BASE_REF, and the
    /// recorded stdin file (read from `inputs`, the folder holding it).
    public static func prefix(for run: ReferenceCase, inputs: URL) -> [String] {
        // The reference runs were recorded offline: no version document could be read, so every development
        // version and dependency constraint went unresolved. Ours read none either (offline, an empty cache, no
        // mirror, no pinned build), whatever the machine or its cache holds. (env takes its -u options first.)
        var prefix = ["/usr/bin/env", "-u", "BAKERY_SOURCES_MIRROR", "-u", "BAKERY_DEV_SPEC"]
            + (run.slug == "build-plan.github-token-set" ? ["GITHUB_TOKEN=secret"] : ["-u", "GITHUB_TOKEN", "-u", "BAKERY_BASE_REF"])
            + ["BAKERY_OFFLINE=1", "BAKERY_CACHE_DIR=\(emptyCache.path)"]
        if let stdin = run.stdin {
            prefix = ["/bin/sh", "-c", "exec \"$0\" \"$@\" < \(inputs.appendingPathComponent(stdin).path)"] + prefix
        }
        return prefix
    }

    /// The runs where posit-bakery crashed on `--image-variant` because the project has an image without
    /// variants (its stderr ends in an AttributeError). We keep such images' targets with a warning instead.
    public static let variantCrashes: Set<String> = [
        "01-basic-image/build-plan.image-variant-Standard", "01-basic-image/get-tags.image-variant-Standard",
        "02-multiple-images-and-versions/build-plan.image-variant-Standard", "02-multiple-images-and-versions/get-tags.image-variant-Standard",
        "05-images-with-managed-dependencies/build-plan.image-variant-Standard", "05-images-with-managed-dependencies/get-tags.image-variant-Standard",
        "connect/build-plan.image-variant-Minimal", "connect/build-plan.image-variant-Standard",
        "connect/get-tags.image-variant-Minimal", "connect/get-tags.image-variant-Standard",
        "derived-connect-matrix-explicit/build-plan.image-variant-base", "derived-connect-matrix-explicit/build-plan.image-variant-pro",
        "derived-connect-matrix-explicit/get-tags.image-variant-base", "derived-connect-matrix-explicit/get-tags.image-variant-pro",
        "workbench/build-plan.image-variant-Minimal", "workbench/build-plan.image-variant-Standard",
        "workbench/get-tags.image-variant-Minimal", "workbench/get-tags.image-variant-Standard",
    ]

    /// Whether the run is one where our output deliberately differs (see `variantCrashes`).
    public static func isVariantCrash(_ run: ReferenceCase) -> Bool { variantCrashes.contains("\(run.project)/\(run.slug)") }

    /// What is wrong with our `result` for `run` against the golden in `golden` (the reference folder): the
    /// exit code, then stdout (JSON canonicalised, text normalised); empty when they match. The golden of
    /// `goldenSlug` is used when given (e.g. the full matrix for a base-ref our repository cannot diff against).
    public static func problems(_ result: BakeryBinary.Result, for run: ReferenceCase, golden: URL, context: String,
                                goldenSlug: String? = nil, exitCode: Int32? = nil) -> [String] {
        var problems: [String] = []
        let slug = goldenSlug ?? run.slug
        let expectedExit = exitCode ?? run.exitCode
        if result.status != expectedExit {
            problems.append("\(run): exit \(result.status), the reference's \(expectedExit): \(result.stderr.suffix(600))")
        }
        if let expected = try? String(contentsOf: golden.appendingPathComponent("\(slug).json"), encoding: .utf8) {
            guard let got = ReferenceNormalization.canonicalJSON(result.stdout, context: context) else {
                return problems + ["\(run): stdout is not JSON: \(result.stdout.prefix(300)) — stderr: \(result.stderr.suffix(300))"]
            }
            if got != expected { problems.append("\(run): stdout differs from \(slug).json") }
        } else if let expected = try? String(contentsOf: golden.appendingPathComponent("\(slug).txt"), encoding: .utf8) {
            if ReferenceNormalization.normalizeText(result.stdout, context: context) != expected {
                problems.append("\(run): stdout differs from \(slug).txt")
            }
        } else {
            problems.append("\(run): no golden stdout (\(slug).json or .txt)")
        }
        return problems
    }
}
