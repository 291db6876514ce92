// `--dev-spec` and BAKERY_DEV_SPEC as a user passes them: a malformed spec is a usage error before any work, a
// channel conflicting with --dev-channel fails the run, and a file:// mirror folder serves the documents.
import Bakery
import Foundation
import Testing
import TestSupport

@Suite("--dev-spec")
struct DevSpecOptionTests {
    static let connect = BakeryBinary.repositoryRoot.appendingPathComponent("Connect")
    static let mirror = "BAKERY_SOURCES_MIRROR=file://" + BakeryBinary.fixtures.appendingPathComponent("version-sources").path

    static func run(_ arguments: [String], _ environment: [String] = []) throws -> BakeryBinary.Result {
        try BakeryBinary.run(["get", "tags", "--dev-versions", "only"] + arguments, in: connect,
                             prefix: ["/usr/bin/env", "-u", "BAKERY_DEV_SPEC", "-u", "BAKERY_OFFLINE", mirror] + environment)
    }

    @Test(arguments: [["--dev-spec", #"{"version": "2026.5"}"#], ["--dev-spec", "daily"]])
    func aMalformedSpecIsAUsageError(arguments: [String]) throws {
        let r = try Self.run(arguments)
        #expect(r.status == 2)
        #expect(r.stderr.contains("Invalid value for '--dev-spec' (env var: 'BAKERY_DEV_SPEC'): "), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func theEnvironmentVariableIsReadLikeTheOption() throws {
        let bad = try Self.run([], [#"BAKERY_DEV_SPEC={"channel": "daily"}"#])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("at least one of 'version' or 'release_branch' must be set"))
        let conflict = try Self.run(["--dev-channel", "release"], [#"BAKERY_DEV_SPEC={"version": "2026.05.0", "channel": "daily"}"#])
        #expect(conflict.status == 1)
        #expect(conflict.stderr.contains("Conflicting channels: --dev-spec has channel 'daily' but --dev-channel is 'release'."), "\(conflict.stderr)")
    }

    @Test func withoutASpecTheFolderMirrorGivesTheDailyBuild() throws {
        let r = try Self.run(["--image-name", "connect-content-init"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ghcr.io/posit-dev/connect-content-init-preview:daily"))
        let missing = try BakeryBinary.run(["get", "tags", "--dev-versions", "only"], in: Self.connect,
                                           prefix: ["/usr/bin/env", "BAKERY_SOURCES_MIRROR=file:///nonexistent-bakery-mirror"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("BAKERY_SOURCES_MIRROR: '/nonexistent-bakery-mirror' is not a folder"), "\(missing.stderr)")
    }
}
