import Foundation
import TestSupport
import Testing

/// `bakery update files`: rendering templates into version folders, all or nothing.
@Suite("bakery update files")
struct UpdateFilesTests {
    static let config = """
    repository:
      url: github.com/example/render
    images:
      - name: app
        displayName: App
        variants:
          - name: Standard
            extension: std
            primary: true
          - name: Minimal
            extension: min
        versions:
          - name: "2.0.0"
            subpath: "2.0"
            latest: true
            dependencies:
              - dependency: python
                versions: ["3.13.7", "3.12.11"]
            values:
              channel: stable
            os:
              - name: Ubuntu 24.04
                primary: true
              - name: Rocky Linux 9
                extension: rocky9
          - name: "1.0.0"
            subpath: "1.0"
            os:
              - name: Ubuntu 22.04

    """

    static func project(templates: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-update-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try config.write(to: dir.appendingPathComponent("bakery.yaml"), atomically: true, encoding: .utf8)
        for (path, text) in templates {
            let url = dir.appendingPathComponent("app/template/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    static let templates = [
        "Containerfile.ubuntu2404.jinja2": "{%- import \"python.j2\" as python -%}\nFROM {{ Image.OS.Name }}:{{ Image.OS.Version }}  \n# {{ Image.Variant }} {{ Image.Version }} {{ Path.Version }}\n{{ python.get_version_directory(Dependencies.python.0) }}\n\n\n",
        "Containerfile.ubuntu2204.jinja2": "FROM ubuntu:22.04 # {{ Image.Variant }}\n",
        "Containerfile.rocky9.jinja2": "FROM rockylinux:9 # {{ Image.OS.Family }}\n",
        "conf/app.conf.j2": "channel={{ channel | default('none') }}\n",
        "scripts/run.sh": "#!/bin/sh\necho {{ not rendered }}\n",
        "test/goss.yaml.jinja": "file: {{ Dependencies.python | default([]) | join(',') }}\n",
    ]

    @Test func rendersEveryFileWithTheFanOutAndNormalisation() throws {
        let dir = try Self.project(templates: Self.templates)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BakeryBinary.run(["update", "files", "--all"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("✅ Files updated successfully"))
        func read(_ p: String) -> String? { try? String(contentsOf: dir.appendingPathComponent(p), encoding: .utf8) }
        #expect(read("app/2.0/Containerfile.ubuntu2404.std") == "FROM ubuntu:24.04\n# Standard 2.0.0 app/2.0\n/opt/python/3.13.7\n")
        #expect(read("app/2.0/Containerfile.ubuntu2404.min") == "FROM ubuntu:24.04\n# Minimal 2.0.0 app/2.0\n/opt/python/3.13.7\n")
        #expect(read("app/2.0/Containerfile.rocky9.std") == "FROM rockylinux:9 # rhel\n")
        // No Ubuntu 22.04 in 2.0.0: that Containerfile is skipped; 1.0.0 has only Ubuntu 22.04.
        #expect(read("app/2.0/Containerfile.ubuntu2204.std") == nil)
        #expect(read("app/1.0/Containerfile.ubuntu2204.min") == "FROM ubuntu:22.04 # Minimal\n")
        #expect(read("app/1.0/Containerfile.ubuntu2404.std") == nil)
        // .j2 and .jinja are stripped too (posit-bakery keeps them: quirk 12).
        #expect(read("app/2.0/conf/app.conf") == "channel=stable\n")
        #expect(read("app/1.0/conf/app.conf") == "channel=none\n")
        #expect(read("app/2.0/test/goss.yaml") == "file: 3.13.7,3.12.11\n")
        #expect(read("app/2.0/scripts/run.sh") == "#!/bin/sh\necho {{ not rendered }}\n")
    }

    @Test func scopeAndTemplatePatterns() throws {
        let dir = try Self.project(templates: Self.templates)
        defer { try? FileManager.default.removeItem(at: dir) }
        let none = try BakeryBinary.run(["update", "files"], in: dir)
        #expect(none.status == 1)
        #expect(none.stderr.contains("No scope specified"))
        let scoped = try BakeryBinary.run(["update", "files", "--image-version", "1.0", "--template-pattern", "conf/"], in: dir)
        #expect(scoped.status == 0, "\(scoped.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("app/1.0/conf/app.conf").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("app/1.0/Containerfile.ubuntu2204.std").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("app/2.0").path))
    }

    @Test func aFailingTemplateChangesNothingAndSaysWhere() throws {
        var templates = Self.templates
        templates["broken.txt.jinja2"] = "ok\n{{ nope }}\n"
        let dir = try Self.project(templates: templates)
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = BakeryBinary.snapshot(dir)
        let result = try BakeryBinary.run(["update", "files", "--all"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("Error rendering template app/template/broken.txt.jinja2, line 2: 'nope' is undefined\n  - Image: app\n  - Version: 2.0.0\n  - Destination: app/2.0/broken.txt"))
        #expect(result.stderr.contains("2 template(s) returned errors"))
        #expect(result.stderr.contains("❌ Update failed"))
        #expect(BakeryBinary.snapshot(dir) == before)
    }

    @Test func anUnwritableFolderChangesNothing() throws {
        let dir = try Self.project(templates: Self.templates)
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.appendingPathComponent("app/2.0").path)
            try? FileManager.default.removeItem(at: dir)
        }
        #expect(try BakeryBinary.run(["update", "files", "--all"], in: dir).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.appendingPathComponent("app/2.0").path)
        try "FROM changed\n".write(to: dir.appendingPathComponent("app/template/Containerfile.ubuntu2204.jinja2"), atomically: true, encoding: .utf8)
        let before = BakeryBinary.snapshot(dir)
        // Run as an unprivileged user so the permission applies (root writes anywhere).
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), getuid() == 0 else { return }
        _ = try BakeryBinary.shell("chmod -R a+rwX \(dir.path) && chmod 555 \(dir.path)/app/2.0", in: dir)
        let snapshot = BakeryBinary.snapshot(dir)
        let result = try BakeryBinary.execute("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", BakeryBinary.path, "update", "files", "--all"], in: dir)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("not writable") || result.stderr.contains("Update failed"))
        #expect(BakeryBinary.snapshot(dir) == snapshot)
        _ = before
    }
}
