import Foundation
import TestSupport
import Testing

/// The container lab works: its registry serves the Debian stand-in as docker.io/library/ubuntu (through
/// the lab's registries.conf), and buildah, with the lab's environment only, builds from it, pushes to
/// the lab registry, and podman runs the result. What later engine tests stand on.
extension LabSuites {
@Suite("Container lab", .serialized, .enabled(if: ContainerLab.shouldRun))
struct ContainerLabTests {
    @Test func servesTheStandInAsUbuntuAndDebian() async throws {
        let lab = try await ContainerLab.shared()
        #expect(lab.registry.hasPrefix("127.0.0.1:"))
        #expect(lab.environment["BAKERY_LAB_REGISTRY"] == lab.registry)
        #expect(lab.environment["BAKERY_LAB_DIR"] == lab.directory.path)
        let containersConf = try String(contentsOfFile: try #require(lab.environment["CONTAINERS_CONF"]), encoding: .utf8)
        #expect(containersConf.contains("runtime = \"runc\""))
        #expect(containersConf.contains("\"nofile=20000:20000\", \"nproc=32768:32768\""))

        #expect(try await lab.tags(repository: "library/ubuntu") == ["22.04", "24.04"])
        #expect(try await lab.tags(repository: "\(lab.registry)/library/debian") == ["bookworm"])
        #expect(try await lab.tags(repository: "never/pushed") == [])

        // One image behind every name, and the docker.io names resolve to the lab.
        let digest = try await lab.manifestDigest(reference: "\(lab.registry)/library/ubuntu:24.04")
        #expect(digest.hasPrefix("sha256:") && digest.count == 71)
        for reference in ["\(lab.registry)/library/ubuntu:22.04", "\(lab.registry)/library/debian:bookworm",
                          "docker.io/library/ubuntu:24.04", "docker://docker.io/library/ubuntu:22.04", "docker.io/library/debian:bookworm"] {
            #expect(try await lab.manifestDigest(reference: reference) == digest, "\(reference)")
        }
        // It is the rootfs this checkout cached, and it imported from a tarball.
        #expect(try await lab.labels(reference: "docker.io/library/ubuntu:24.04")[ContainerLab.rootfsDigestLabel] == lab.rootfsDigest)
        #expect(lab.rootfsDigest.count == 64)
        #expect(try await lab.history(reference: "docker.io/library/ubuntu:24.04").count == 1)
    }

    @Test func buildsFromUbuntuAndPushesToTheLab() async throws {
        let lab = try await ContainerLab.shared()
        let id = String(UUID().uuidString.lowercased().prefix(12))
        let base = "docker.io/library/ubuntu:24.04"
        let local = "localhost/bakery-lab-check:\(id)"
        let pushed = "\(lab.registry)/bakery-test/lab-check:\(id)"
        let context = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-lab-check-\(id)")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try """
        FROM \(base)
        LABEL org.example.lab-check="\(id)"
        RUN echo ok > /ok && . /etc/os-release && echo "$ID $VERSION_CODENAME" > /os

        """.write(to: context.appendingPathComponent("Containerfile"), atomically: true, encoding: .utf8)

        // The base is pulled through the lab even when the store already has one by that name; afterwards
        // the name points where it did before (or goes, when it was not there).
        let previousBase = try await lab.localImageID(base)
        var failure: (any Error)?
        do {
            try await buildPushAndCheck(lab, id: id, local: local, pushed: pushed, context: context)
        } catch {
            failure = error
        }
        try? await lab.removeLocalImages([local, pushed])
        if let previousBase {
            _ = try? await lab.run("podman", ["tag", previousBase, base])
        } else {
            try? await lab.removeLocalImages([base])
        }
        try? FileManager.default.removeItem(at: context)
        if let failure { throw failure }
    }

    private func buildPushAndCheck(_ lab: ContainerLab, id: String, local: String, pushed: String, context: URL) async throws {
        let build = try await lab.run("buildah", ["build", "--pull=always", "-t", local, "-f", "Containerfile", "."], in: context)
        try #require(build.status == 0, "buildah build failed:\n\(build.stdout)\(build.stderr)")
        let digestFile = context.appendingPathComponent("digest")
        let push = try await lab.run("buildah", ["push", "--digestfile", digestFile.path, local, "docker://\(pushed)"])
        try #require(push.status == 0, "buildah push failed:\n\(push.stderr)")
        let pushedDigest = try String(contentsOf: digestFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        #expect(try await lab.tags(repository: "bakery-test/lab-check") == [id])
        #expect(try await lab.manifestDigest(reference: pushed) == pushedDigest)
        let labels = try await lab.labels(reference: pushed)
        #expect(labels["org.example.lab-check"] == id)
        // Built on the stand-in: its label came along with the base.
        #expect(labels[ContainerLab.rootfsDigestLabel] == lab.rootfsDigest)
        let history = try await lab.history(reference: pushed)
        #expect(history.count == 3)
        #expect(history.last?.contains("echo ok > /ok") == true, "\(history)")

        // podman pulls what was pushed and runs it with the lab's containers.conf (runc, capped ulimits).
        let run = try await lab.run("podman", ["run", "--rm", "--pull=always", "--network=none", pushed, "cat", "/ok", "/os"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "ok\ndebian bookworm\n")
    }
}
} // extension LabSuites
