import Bakery
import Foundation
import TestSupport
import Testing

/// `bakery get versions` as a user runs it, reading the fixture documents from a mirror folder.
@Suite("bakery get versions")
struct GetVersionsCommandTests {
    static let documents = BakeryBinary.fixtures.appendingPathComponent("version-sources").path
    static let here = BakeryBinary.repositoryRoot

    /// Runs `bakery get versions` with an empty cache of its own, so the machine's cache never answers.
    static func run(_ arguments: [String]) throws -> BakeryBinary.Result {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("get-versions-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        return try BakeryBinary.run(["get", "versions"] + arguments, in: here, prefix: ["/usr/bin/env", "BAKERY_CACHE_DIR=\(cache.path)"])
    }

    @Test func printsTheAvailableVersionsNewestFirstOneALine() throws {
        let r = try Self.run(["R", "--documents", Self.documents])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").prefix(4) == ["4.5.1", "4.5.0", "4.4.3", "4.4.2"])
        #expect(r.stdout.split(separator: "\n").count == 16)
        #expect(!r.stdout.contains("devel"))
        #expect(r.stderr.isEmpty)
    }

    @Test func aConstraintPrintsWhatItSelects() throws {
        let r = try Self.run(["R", "--constraint", #"{"latest": true, "count": 2}"#, "--documents", Self.documents])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "4.5.1\n4.4.3\n")
        let max = try Self.run(["R", "--constraint", #"{"max": "4.4.1", "count": 2}"#, "--documents", Self.documents])
        #expect(max.stdout == "4.4.1\n4.3.3\n")
    }

    @Test func prereleaseAddsQuartosPreRelease() throws {
        let without = try Self.run(["quarto", "--documents", Self.documents])
        let with = try Self.run(["quarto", "--prerelease", "--documents", Self.documents])
        #expect(without.stdout.hasPrefix("1.8.25\nv1.7.34\n"))
        #expect(with.stdout.hasPrefix("1.9.12\n1.8.25\n"))
    }

    @Test func jsonHasTheAvailableAndTheSelectedVersions() throws {
        let r = try Self.run(["positron", "--prerelease", "--constraint", #"{"latest": true}"#, "--format", "json", "--documents", Self.documents])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(JSONValue.parse(r.stdout))
        #expect(json["dependency"] == .string("positron"))
        #expect(json["prerelease"] == .bool(true))
        #expect(json["selected"] == .array([.string("2025.11.0-37")]))
        #expect(json["constraint"] == .object([("latest", .bool(true)), ("count", .int(1))]))
        guard case .array(let available)? = json["available"] else { Issue.record("no available list: \(r.stdout)"); return }
        #expect(available.count == 8)
        #expect(available.contains(.string("v2025.10.0-199")))
    }

    @Test func aConstraintSelectingNothingPrintsNothingAndWarns() throws {
        let r = try Self.run(["python", "--constraint", #"{"latest": true, "min": "4"}"#, "--documents", Self.documents])
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("selects none of the 7 available python versions"))
    }

    @Test("bad input is a clear error with a non-zero exit", arguments: [
        (["r", "--documents", "DOCS"], "did you mean 'R'"),
        (["node", "--documents", "DOCS"], "supported: python, R, quarto, positron"),
        (["R", "--prerelease", "--documents", "DOCS"], "--prerelease is not available for R"),
        (["R", "--constraint", #"{"count": 2}"#, "--documents", "DOCS"], "must specify 'latest' or 'max'"),
        (["R", "--constraint", #"{"latest": true, "max": "4"}"#, "--documents", "DOCS"], "both 'latest' and 'max'"),
        (["R", "--constraint", "[1, 2]", "--documents", "DOCS"], "is not a JSON object"),
        (["R", "--constraint", #"{"latest": true, "colour": "red"}"#, "--documents", "DOCS"], "colour"),
        // Without --documents the documents come over HTTP; offline with an empty cache that names what is missing.
        (["R", "--offline"], "https://cdn.posit.co/r/versions.json"),
        (["R", "--documents", "/nonexistent-bakery-mirror"], "is not a folder"),
        (["R", "--documents", "Tests"], "has no document for https://cdn.posit.co/r/versions.json"),
    ])
    func badInput(_ arguments: [String], _ expected: String) throws {
        let r = try Self.run(arguments.map { $0 == "DOCS" ? Self.documents : $0 })
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains(expected), "\(r.stderr)")
    }

    @Test func theCommandIsListedUnderGet() throws {
        let r = try BakeryBinary.run(["get", "--help"], in: Self.here)
        #expect(r.stdout.contains("versions"))
    }
}
