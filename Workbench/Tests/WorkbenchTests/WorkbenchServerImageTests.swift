// The workbench image says what the product facts say, target by target: each Containerfile (base, arguments,
// environment, packages, the install step, Standard's R, Python, Jupyter, drivers and TinyTeX, the startup
// plumbing, ports and command), the install and startup scripts, the configuration files, supervisord, and
// the goss checks rendered for every target as the test container would render them.
import Bakery
import BakeryYAML
import Foundation
import Testing
import TestSupport
import WorkbenchImages
#if canImport(Glibc)
import Glibc
#endif

@Suite("Workbench server image")
struct WorkbenchServerImageTests {
    static let imageName = "workbench"
    static let bundledQuarto = "/lib/rstudio-server/bin/quarto/bin/quarto"
    static let supervisordCommand = "/usr/bin/supervisord -c /etc/supervisor/supervisord.conf"

    static func folders() throws -> [WorkbenchFolder] {
        let folders = try WorkbenchProject.folders(image: imageName)
        #expect(!folders.isEmpty, "Workbench/bakery.yaml has no version of \(imageName)")
        return folders
    }

    static func version(_ folder: WorkbenchFolder) throws -> ImageVersion {
        try #require(folder.version, "\(folder) is a matrix folder; \(imageName) has versions only")
    }

    /// The one version of a dependency (R, python) a version folder declares.
    static func dependency(_ name: DependencyName, of folder: WorkbenchFolder) throws -> [String] {
        try version(folder).dependencies.first { $0.dependency == name }?.versions ?? []
    }

    static let standardPackages = ["build-essential", "libc6", "libclang-dev", "libpq5", "libssl-dev", "libsqlite3-0",
                                   "libxkbcommon-x11-0", "lsb-release", "psmisc", "rrdtool", "sudo", "supervisor"]

    /// The optional list of products.md §6.2 (Standard only); Ubuntu 22.04 names FreeType's headers libfreetype6-dev.
    static func optionalPackages(osVersion: String) -> [String] {
        ["cmake", "default-jdk", "gdal-bin", "gdb", "git", "gsfonts", "imagemagick", "libapparmor1", "libcairo2-dev",
         "libcurl4-openssl-dev", "libedit2", "libfontconfig1-dev", osVersion == "22.04" ? "libfreetype6-dev" : "libfreetype-dev",
         "libfribidi-dev", "libgdal-dev", "libgeos-dev", "libgl1-mesa-dev", "libglpk-dev", "libglu1-mesa-dev", "libharfbuzz-dev",
         "libicu-dev", "libjpeg-dev", "libmagick++-dev", "libmysqlclient-dev", "libnode-dev", "libpng-dev", "libproj-dev",
         "libsodium-dev", "libsqlite3-dev", "libssh2-1-dev", "libtiff-dev", "libudunits2-dev", "libxml2-dev", "make",
         "oddjob-mkhomedir", "python3", "strace", "sssd", "tcl", "tk", "tk-dev", "tk-table", "unixodbc-dev", "zlib1g-dev", "xz-utils"]
    }

    // MARK: Containerfile reading

    /// Every instruction of a Containerfile (the shared reader, `Containerfile`), FROMs included.
    static func instructions(_ text: String) throws -> [Containerfile.Instruction] {
        try Containerfile(parsing: text, name: "Containerfile").instructions
    }

    /// `NAME=value` declarations of ARG or ENV instructions, in order (duplicates kept).
    static func declarations(_ keyword: String, in instructions: [Containerfile.Instruction]) -> [(name: String, value: String?)] {
        instructions.filter { $0.keyword == keyword }.flatMap { instruction in
            instruction.arguments.split(separator: " ").map { word -> (String, String?) in
                let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : nil)
            }
        }
    }

    /// The index of the first instruction whose text contains `needle`.
    static func index(of needle: String, in instructions: [Containerfile.Instruction]) -> Int? {
        instructions.firstIndex { $0.description.contains(needle) }
    }

    // MARK: versions

    /// Every version folder is a Workbench release (the module's grammar) in the folder of its stream, with the
    /// one R and one Python version the image's constraints (latest) give.
    @Test func everyVersionIsAReleaseInTheFolderOfItsStream() throws {
        let folders = try Self.folders()
        #expect(folders.map(\.relativePath).sorted() == ["workbench/2025.09", "workbench/2026.01", "workbench/2026.04"])
        for folder in folders {
            let name = try Self.version(folder).name
            let version = try #require(WorkbenchVersion(name), "\(folder): '\(name)' is not a Workbench version: \(WorkbenchVersion.problem(with: name) ?? "")")
            #expect(version.isRelease, "\(folder): \(name) is a channel build")
            #expect(version.pro != nil, "\(folder): \(name) is not a Pro build")
            #expect(folder.relativePath == "workbench/\(version.stream)", "\(folder): \(name) belongs in workbench/\(version.stream)")
            #expect(try Self.dependency(.R, of: folder).count == 1, "\(folder): one R version")
            #expect(try Self.dependency(.python, of: folder).count == 1, "\(folder): one Python version")
            #expect(Set(folder.os.map(\.name)) == ["Ubuntu 22.04", "Ubuntu 24.04"], "\(folder): \(folder.os.map(\.name))")
        }
    }

    /// The template and version folders hold the files of the published repository (shared/reference/workbench/
    /// tree.txt), so the recorded `ci matrix --changed-files-from` runs name the same files.
    @Test func theFilesAreThoseOfThePublishedTree() throws {
        let tree = try String(contentsOf: WorkbenchProject.reference.appendingPathComponent("tree.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let image = WorkbenchProject.root.appendingPathComponent(Self.imageName)
        let versions = try Self.folders().map { String($0.relativePath.dropFirst("workbench/".count)) }
        for folder in ["template"] + versions {
            let expected = Set(tree.filter { $0.hasPrefix("workbench/\(folder)/") }.map { String($0.dropFirst("workbench/\(folder)/".count)) })
            let present = Set(ImageProjectChecks.files(below: image.appendingPathComponent(folder)).keys)
            #expect(!expected.isEmpty, "the published tree has no workbench/\(folder)")
            #expect(present == expected, "workbench/\(folder): missing \(expected.subtracting(present).sorted()), extra \(present.subtracting(expected).sorted())")
        }
        #expect(tree.contains("workbench/scripts/wait-for-it.sh"))
        let script = image.appendingPathComponent("scripts/wait-for-it.sh")
        let mode = (try FileManager.default.attributesOfItem(atPath: script.path)[.posixPermissions] as? Int) ?? 0
        #expect(mode & 0o777 == 0o755, "workbench/scripts/wait-for-it.sh has mode \(String(mode & 0o777, radix: 8))")
    }

    // MARK: Containerfiles

    /// What every Containerfile must say, from products.md §6.2, target by target.
    @Test func everyContainerfileFollowsTheProductFacts() throws {
        var checked = 0
        for folder in try Self.folders() {
            let version = try Self.version(folder)
            let r = try Self.dependency(.R, of: folder)
            let python = try Self.dependency(.python, of: folder)
            for (file, os, variant) in folder.containerfiles {
                let target = "\(folder)/\(file)"
                let text = try folder.text(file)
                let all = try Self.instructions(text)
                let standard = try #require(variant).name == "Standard"
                let osVersion = os.buildOS.version
                let base = "docker.io/library/ubuntu:\(osVersion)"
                checked += 1

                // Stages: Standard builds Python with uv first; the final stage is Ubuntu with its base-name label.
                let froms = all.filter { $0.keyword == "FROM" }.map(\.arguments)
                #expect(froms == (standard ? ["ghcr.io/astral-sh/uv:debian-slim AS python-builder", base] : [base]), "\(target): \(froms)")
                let finalStart = try #require(all.lastIndex { $0.keyword == "FROM" })
                let final = Array(all[finalStart...])
                #expect(final.dropFirst().first?.description == "LABEL org.opencontainers.image.base.name=\"\(base)\"", "\(target)")
                for pythonVersion in python {
                    #expect(all.contains { $0.description == "RUN uv python install \(pythonVersion)" } == standard, "\(target): Python \(pythonVersion) is built for Standard only")
                }

                // Build arguments (each declared once) and the environment's defaults.
                let args = Self.declarations("ARG", in: final)
                #expect(Set(args.map(\.name)).count == args.count, "\(target): an ARG is declared twice: \(args.map(\.name))")
                let expectedArgs: [String: String] = [
                    "DEBIAN_FRONTEND": "noninteractive", "BUILDARCH": "amd64", "TARGETARCH": "${BUILDARCH}",
                    "WORKBENCH_VERSION": "\"\(version.name)\"", "RSTUDIO_INSTALL_NO_LICENSE_INITIALIZATION": "1",
                ]
                #expect(Dictionary(args.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 }) == expectedArgs, "\(target): \(args)")
                let env = Dictionary(Self.declarations("ENV", in: final).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
                let expectedEnv: [String: String] = [
                    "STARTUP_DEBUG_MODE": "0", "PWB_LICENSE": "\"\"", "PWB_LICENSE_SERVER": "\"\"", "PWB_TESTUSER": "\"\"",
                    "PWB_TESTUSER_PASSWD": "\"\"", "PWB_TESTUSER_UID": "\"\"", "PWB_LAUNCHER": "true", "PWB_LAUNCHER_TIMEOUT": "10",
                    "DIAGNOSTIC_DIR": "/var/log/rstudio", "DIAGNOSTIC_ENABLE": "false", "DIAGNOSTIC_ONLY": "false",
                ]
                for (name, value) in expectedEnv {
                    #expect(env[name] == value, "\(target): ENV \(name) is \(env[name] ?? "missing"), expected \(value)")
                }
                #expect(!env.keys.contains { $0.hasPrefix("RSW_") || $0.hasPrefix("RSP_") }, "\(target): the image sets the PWB_* names only")
                #expect(final.contains { $0.description == "SHELL [\"/bin/bash\", \"-euo\", \"pipefail\", \"-c\"]" }, "\(target)")

                // Setup: Posit's pro repository (rstudio-server, rstudio-drivers); the open one serves R (Standard).
                let setup = try #require(final.first { $0.keyword == "RUN" && $0.arguments.contains("apt-get upgrade") }, "\(target): no apt setup")
                #expect(setup.arguments.contains("https://dl.posit.co/public/pro/setup.deb.sh"), "\(target)")
                #expect(setup.arguments.contains("https://dl.posit.co/public/open/setup.deb.sh") == standard, "\(target)")

                // Package lists: the first for both variants, the optional one for Standard only.
                let lists = "\(folder.relativePath)/deps/ubuntu-\(osVersion)"
                #expect(final.contains { $0.description == "COPY \(lists)_packages.txt /tmp/packages.txt" }, "\(target)")
                #expect(final.contains { $0.description == "COPY \(lists)_optional_packages.txt /tmp/optional_packages.txt" } == standard, "\(target)")
                #expect(final.contains { $0.keyword == "RUN" && $0.arguments.contains("xargs -r apt-get install") && $0.arguments.contains("/tmp/packages.txt") }, "\(target)")
                #expect(final.contains { $0.keyword == "RUN" && $0.arguments.contains("/tmp/optional_packages.txt | xargs") } == standard, "\(target)")

                // wait-for-it is ours, copied from the image folder (never fetched).
                #expect(final.contains { $0.description == "COPY --chmod=0755 workbench/scripts/wait-for-it.sh /usr/local/bin/wait-for-it.sh" }, "\(target)")
                #expect(!text.contains("raw.githubusercontent.com"), "\(target)")

                // Workbench: the version's install script (releases name no DOWNLOAD_URL), and its bundled Quarto.
                #expect(final.contains { $0.description == "COPY --chmod=0755 \(folder.relativePath)/scripts/install_workbench.sh /tmp/install_workbench.sh" }, "\(target)")
                let install = try #require(final.first { $0.keyword == "RUN" && $0.arguments.contains("/tmp/install_workbench.sh") }, "\(target): the install script is not run")
                #expect(install.arguments.hasPrefix("/tmp/install_workbench.sh &&"), "\(target): \(install)")
                #expect(!text.contains("DOWNLOAD_URL"), "\(target): releases install from the apt repository")
                #expect(final.contains { $0.keyword == "RUN" && $0.arguments.contains("ln -s \(Self.bundledQuarto) /usr/local/bin/quarto") }, "\(target)")

                // Standard: R, Python, Jupyter with a kernel per Python, the Pro Drivers (on both Ubuntu releases).
                for rVersion in r {
                    #expect(text.contains("r-\(rVersion)") == standard, "\(target): R \(rVersion) is Standard's")
                }
                #expect(final.contains { $0.description == "COPY --from=python-builder /opt/python /opt/python" } == standard, "\(target)")
                let jupyter = final.first { $0.arguments.contains("-m venv /opt/python/jupyter") }
                #expect((jupyter != nil) == standard, "\(target): Jupyter is Standard's")
                if let jupyter {
                    #expect(jupyter.arguments.hasPrefix("/opt/python/\(python.first ?? "")/bin/python -m venv /opt/python/jupyter"), "\(target): \(jupyter)")
                    for package in ["\"jupyterlab<5\"", "notebook", "\"pwb_jupyterlab<2\""] {
                        #expect(jupyter.arguments.contains(package), "\(target): \(package)")
                    }
                    #expect(jupyter.arguments.contains("ln -s /opt/python/jupyter/bin/jupyter /usr/local/bin/jupyter"), "\(target)")
                }
                for pythonVersion in python {
                    let kernel = final.first { $0.arguments.contains("/opt/python/\(pythonVersion)/bin/python -m ipykernel install") }
                    #expect((kernel != nil) == standard, "\(target): the Python \(pythonVersion) kernel is Standard's")
                    if let kernel {
                        #expect(kernel.arguments.contains("/opt/python/\(pythonVersion)/bin/pip install"), "\(target)")
                        #expect(kernel.arguments.contains("--name python\(pythonVersion) --display-name \"Python \(pythonVersion)\""), "\(target)")
                        // System-wide, where goss looks and every user's Jupyter finds it (a --user kernel is root's only).
                        #expect(kernel.arguments.contains("-m ipykernel install --prefix=/usr/local --name"), "\(target): \(kernel)")
                        #expect(!kernel.arguments.contains("--user"), "\(target): \(kernel)")
                    }
                }
                let drivers = final.first { $0.keyword == "RUN" && $0.arguments.contains("rstudio-drivers") && !$0.arguments.contains("setup.deb.sh") }
                #expect((drivers != nil) == standard, "\(target): the Pro Drivers are Standard's")
                if let drivers {
                    #expect(drivers.arguments.contains("apt-get update"), "\(target): the drivers' step updates apt's lists first")
                    #expect(drivers.arguments.contains("cp /opt/rstudio-drivers/odbcinst.ini.sample /etc/odbcinst.ini"), "\(target): the drivers are registered")
                    #expect(!drivers.arguments.contains("TARGETARCH"), "\(target): the drivers are installed on every architecture")
                }

                // Startup plumbing and configuration files.
                let path = folder.relativePath
                for copy in ["COPY --chmod=0775 \(path)/scripts/startup.sh /usr/local/bin/startup.sh",
                             "COPY \(path)/startup/launcher/ /startup/launcher/", "COPY \(path)/startup/base/ /startup/base/",
                             "COPY \(path)/startup/supervisord.conf /etc/supervisor/supervisord.conf",
                             "COPY \(path)/conf/jupyter/ \(path)/conf/launcher/ \(path)/conf/rstudio/ \(path)/conf/positron/ \(path)/conf/vscode/ /etc/rstudio/"] {
                    #expect(final.contains { $0.description == copy }, "\(target): \(copy)")
                }
                #expect(final.contains { $0.description == "COPY \(path)/startup/user-provisioning/ /startup/user-provisioning/" } == standard, "\(target)")
                #expect(final.contains { $0.description == "COPY --chmod=0600 \(path)/conf/sssd/sssd.conf /etc/sssd/sssd.conf" } == standard, "\(target)")
                let configure = try #require(final.first { $0.arguments.contains("/var/lib/rstudio-server/monitor/log") }, "\(target): no configuration step")
                #expect(configure.arguments.contains("chown rstudio-server:rstudio-server /var/lib/rstudio-server/monitor/log"), "\(target)")
                #expect(configure.arguments.contains("mkdir -p /startup/custom/ /startup/user-provisioning/"), "\(target)")
                #expect(configure.arguments.contains("echo \"session required pam_mkhomedir.so skel=/etc/skel umask=0077\" >> /etc/pam.d/common-session"), "\(target)")
                let codename = try #require(os.buildOS.codename, "\(target): no codename for \(os.name)")
                let p3m = "https://p3m.dev/cran/__linux__/\(codename)/latest"
                #expect(configure.arguments.contains("printf 'RSPM=%s\\nCRAN=%s\\n' \"\(p3m)\" \"\(p3m)\" > /etc/rstudio/repos.conf"), "\(target): \(configure)")

                // Standard: TinyTeX for the bundled Quarto, in /opt, with the GitHub token as a build secret.
                let tinytex = final.first { $0.arguments.contains("install tinytex") }
                #expect((tinytex != nil) == standard, "\(target): TinyTeX is Standard's")
                if let tinytex {
                    #expect(tinytex.arguments.hasPrefix("--mount=type=secret,id=github_token,required=false "), "\(target): \(tinytex)")
                    #expect(tinytex.arguments.contains("HOME=\"/opt\" CI=true \(Self.bundledQuarto) install tinytex --no-prompt --update-path"), "\(target): \(tinytex)")
                }

                // Order: the package lists before Workbench (their system groups come first: the gid rule of the
                // goss checks); the configuration after it (rstudio-server must exist); TinyTeX after Quarto came.
                let packagesAt = Self.index(of: "/tmp/packages.txt | xargs", in: final) ?? -1
                let installAt = Self.index(of: "/tmp/install_workbench.sh &&", in: final) ?? -1
                let configureAt = Self.index(of: "chown rstudio-server:rstudio-server", in: final) ?? -1
                #expect(packagesAt >= 0 && packagesAt < installAt && installAt < configureAt, "\(target): packages \(packagesAt), install \(installAt), configure \(configureAt)")
                if let tinytexAt = Self.index(of: "install tinytex", in: final) { #expect(installAt < tinytexAt, "\(target)") }
                if let driversAt = Self.index(of: "rstudio-drivers &&", in: final) { #expect(packagesAt < driversAt, "\(target)") }

                // Ports, command; supervisord runs as root, so no USER; nothing else Workbench does not declare.
                let exposed = final.filter { $0.keyword == "EXPOSE" }.map(\.arguments)
                #expect(exposed == ["\(WorkbenchProject.serverPort)/tcp", "\(WorkbenchProject.launcherPort)/tcp"], "\(target): \(exposed)")
                #expect(final.last?.description == "CMD [\"/usr/bin/supervisord\", \"-c\", \"/etc/supervisor/supervisord.conf\"]", "\(target)")
                for keyword in ["USER", "VOLUME", "HEALTHCHECK", "ENTRYPOINT"] {
                    #expect(!all.contains { $0.keyword == keyword }, "\(target): \(keyword) is not part of the image")
                }
            }
        }
        #expect(checked == 12, "3 versions × 2 Ubuntu releases × 2 variants")
    }

    /// bakery starts Standard images for goss the way they run (supervisord, 15 s to come up) and tests Minimal
    /// ones at rest; the command is the Containerfile's CMD.
    @Test func gossStartsStandardImagesWithSupervisord() throws {
        let image = try WorkbenchProject.image(Self.imageName)
        #expect(image.variants.map(\.name) == ["Standard", "Minimal"])
        #expect(image.variants.map(\.extension) == ["std", "min"])
        #expect(image.buildSecrets.map(\.id) == ["github_token"], "TinyTeX's secret mount needs the github_token secret")
        for variant in image.variants {
            let options = ToolOptions.effective(tool: .goss, image: image.options, variant: variant.options)
            if variant.name == "Standard" {
                guard case .goss(let goss)? = options else {
                    Issue.record("Standard has no goss options")
                    continue
                }
                #expect(goss.wait == 15)
                #expect(goss.command == Self.supervisordCommand)
            } else if case .goss(let goss)? = options {
                #expect(goss.command == GossOptions().command && goss.wait == 0, "Minimal is tested at rest: \(goss)")
            }
        }
        let folder = try #require(try Self.folders().first)
        let cmd = try Self.instructions(try folder.text(folder.containerfiles[0].file)).last
        #expect(cmd?.description == "CMD [\"" + Self.supervisordCommand.split(separator: " ").joined(separator: "\", \"") + "\"]")
    }

    // MARK: package lists

    /// The lists are the products' (Ubuntu 22.04's FreeType headers named for 22.04), one package a line, and
    /// share no package (goss would see a duplicate key).
    @Test func thePackageListsAreTheProducts() throws {
        for folder in try Self.folders() {
            for os in folder.os {
                let osVersion = os.buildOS.version
                let packages = try WorkbenchProject.lines(folder, "deps/ubuntu-\(osVersion)_packages.txt")
                let optional = try WorkbenchProject.lines(folder, "deps/ubuntu-\(osVersion)_optional_packages.txt")
                #expect(packages == Self.standardPackages, "\(folder) \(os.name): \(packages)")
                #expect(optional == Self.optionalPackages(osVersion: osVersion), "\(folder) \(os.name): \(optional)")
                #expect(Set(packages).isDisjoint(with: optional), "\(folder) \(os.name): \(Set(packages).intersection(optional))")
                for line in packages + optional {
                    #expect(line.range(of: "^[a-z0-9][a-z0-9+.-]+$", options: .regularExpression) != nil, "\(folder) \(os.name): '\(line)'")
                }
            }
        }
    }

    // MARK: install script

    /// Releases come from Posit's apt repository at exactly the folder's version, and the script checks what it
    /// installed; the maintainer script is patched as products.md §6.2 says.
    @Test func theInstallScriptPinsTheReleaseAndPatchesTheMaintainerScript() throws {
        for folder in try Self.folders() {
            let name = try Self.version(folder).name
            let script = try folder.text("scripts/install_workbench.sh")
            #expect(script.hasPrefix("#!/bin/bash\n"), "\(folder)")
            #expect(script.contains("\nset -euo pipefail\n"), "\(folder)")
            #expect(script.contains("apt-get download \"rstudio-server=\(name)\""), "\(folder): rstudio-server=\(name) is not pinned")
            #expect(script.contains("if [ \"$installed\" != \"\(name)\" ]; then"), "\(folder): the installed version is not checked")
            #expect(!script.contains("${DOWNLOAD_URL") && !script.contains("curl "), "\(folder): releases are not downloaded by URL")
            #expect(script.contains("dpkg-deb --field \"$deb\" Depends"), "\(folder): the package's dependencies come first")
            #expect(script.contains("dpkg --unpack \"$deb\""), "\(folder)")
            #expect(script.contains("dpkg --configure \"$package\""), "\(folder)")
            #expect(script.contains("\npackage=rstudio-server\n"), "\(folder)")
            for command in ["rstudio-server force-suspend-all", "systemctl enable rstudio-server\\.service", "systemctl enable rstudio-launcher\\.service",
                            "RSTUDIO_INSTALL_NO_LICENSE_INITIALIZATION"] {
                #expect(script.contains(command), "\(folder): \(command) is not patched")
            }
            #expect(script.hasSuffix("apt-get clean -yqq && \\\nrm -rf /var/lib/apt/lists/*\n"), "\(folder): apt's lists are left behind")
        }
    }

    /// The patch, run on a maintainer script shaped like the package's: the service commands become no-ops in
    /// valid shell, the license initialisation block goes (with the blocks nested in it, one-line ones too),
    /// everything else stays. A block that never ends stops the install and leaves the script as it was.
    @Test func theMaintainerScriptPatchKeepsAValidScript() throws {
        let folder = try #require(try Self.folders().first)
        let script = try folder.text("scripts/install_workbench.sh")
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("sed -i -E ") }, "no sed patch in the install script")
        let end = try #require(lines.firstIndex { $0 == "cat \"$workdir/postinst\" > \"$postinst\"" }, "the patched script is not written back")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wb-postinst-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let postinst = scratch.appendingPathComponent("rstudio-server.postinst")
        let patch = scratch.appendingPathComponent("patch.sh")
        try Data((["set -euo pipefail", "postinst=\(postinst.path)", "workdir=\(scratch.path)"] + lines[start...end]).joined(separator: "\n").utf8).write(to: patch)

        try Data("""
            #!/bin/sh
            set -e
            if [ -d /run/systemd/system ]; then
                systemctl enable rstudio-server.service
                systemctl enable rstudio-launcher.service
            fi
            if [ -x /usr/sbin/rstudio-server ]; then
              rstudio-server force-suspend-all
            fi
            if [ "$RSTUDIO_INSTALL_NO_LICENSE_INITIALIZATION" != "1" ]; then
                if [ -d /var/lib/.local ]; then echo "license state"; fi
                if [ -x /usr/lib/rstudio-server/bin/license-manager ]; then
                    /usr/lib/rstudio-server/bin/license-manager initialize
                fi
            fi
            echo "configured"
            exit 0

            """.utf8).write(to: postinst)
        let result = try BakeryBinary.execute("/bin/bash", [patch.path], in: scratch)
        #expect(result.status == 0, "\(result.stderr)")
        let patched = try String(contentsOf: postinst, encoding: .utf8)
        #expect(!patched.contains("license-manager initialize") && !patched.contains("RSTUDIO_INSTALL_NO_LICENSE_INITIALIZATION")
                && !patched.contains("license state"), "\(patched)")
        for command in ["systemctl enable rstudio-server.service", "systemctl enable rstudio-launcher.service", "rstudio-server force-suspend-all"] {
            let line = patched.split(separator: "\n").first { $0.contains(command) }.map(String.init) ?? ""
            #expect(line.trimmingCharacters(in: .whitespaces).hasPrefix(": #"), "\(command) still runs: '\(line)'")
        }
        #expect(patched.hasSuffix("fi\necho \"configured\"\nexit 0\n"), "the script after the license block is cut:\n\(patched)")
        let run = try BakeryBinary.execute("/bin/sh", [postinst.path], in: scratch)
        #expect(run.status == 0 && run.stdout == "configured\n", "\(run.stdout)\(run.stderr)")

        let unclosed = """
            #!/bin/sh
            if [ "$RSTUDIO_INSTALL_NO_LICENSE_INITIALIZATION" != "1" ]; then
                /usr/lib/rstudio-server/bin/license-manager initialize
            echo "configured"

            """
        try Data(unclosed.utf8).write(to: postinst)
        let refused = try BakeryBinary.execute("/bin/bash", [patch.path], in: scratch)
        #expect(refused.status != 0 && refused.stderr.contains("does not end"), "\(refused.status) \(refused.stderr)")
        #expect(try String(contentsOf: postinst, encoding: .utf8) == unclosed, "a refused patch changed the maintainer script")
    }

    // MARK: development builds

    /// Development builds are rendered at build time: render the templates as bakery would for a daily build, with
    /// the `$TARGETARCH` URL bakery gives multi-platform OSes (the module's amd64 URL generalised); the URL
    /// reaches the install script, which downloads it instead of pinning a release, and lints clean.
    @Test(arguments: ["Standard", "Minimal"])
    func aDevelopmentBuildInstallsTheChannelPackage(variant: String) throws {
        let version = try #require(WorkbenchVersion("2026.05.0-daily+123.pro1"))
        let os = BuildOS.identify("Ubuntu 24.04")
        let url = try version.downloadURL(os: os, architecture: "amd64").replacingOccurrences(of: "amd64", with: "$TARGETARCH")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wb-dev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let values = scratch.appendingPathComponent("values.json")
        let json: JSONValue = .object([
            ("Image", .object([
                ("Name", .string(Self.imageName)), ("DisplayName", .string("Posit Workbench")),
                ("Version", .string(version.description)), ("IsDevelopmentVersion", .bool(true)), ("Variant", .string(variant)),
                ("OS", .object([("Name", .string(os.name)), ("Family", .string(os.family.rawValue)),
                                ("Version", .string(os.version)), ("Codename", .string(os.codename ?? ""))])),
                ("DownloadURL", .string(url)),
            ])),
            ("Path", .object([("Base", .string(".")), ("Image", .string(Self.imageName)), ("Version", .string("workbench/.dev-2026.05.0-daily+123.pro1"))])),
            ("Dependencies", .object([("R", .array([.string("4.5.3")])), ("python", .array([.string("3.14.4")]))])),
        ])
        try Data(json.text(JSONValue.Style(indent: 2, asciiOnly: false)).utf8).write(to: values)
        func render(_ template: String) throws -> String {
            let path = WorkbenchProject.root.appendingPathComponent("\(Self.imageName)/template/\(template)").path
            let result = try BakeryBinary.run(["render", path, "--values-file", values.path, "--normalize"], in: WorkbenchProject.repository)
            #expect(result.status == 0, "\(template): \(result.stderr)")
            return result.stdout
        }
        let containerfile = try render("Containerfile.ubuntu2404.jinja2")
        let install = try #require(try Self.instructions(containerfile).first { $0.arguments.contains("/tmp/install_workbench.sh &&") })
        #expect(install.arguments.hasPrefix("DOWNLOAD_URL=\"\(url)\" /tmp/install_workbench.sh &&"), "\(install)")
        for architecture in WorkbenchVersion.architectures {
            #expect(url.replacingOccurrences(of: "$TARGETARCH", with: architecture) == (try version.downloadURL(os: os, architecture: architecture)), "\(architecture)")
        }
        #expect(containerfile.contains("ARG WORKBENCH_VERSION=\"\(version)\""))
        #expect(containerfile.contains("install tinytex") == (variant == "Standard"))

        let script = try render("scripts/install_workbench.sh.jinja2")
        #expect(script.contains("\"${DOWNLOAD_URL:?a development build needs DOWNLOAD_URL}\""), "\(script)")
        #expect(!script.contains("apt-get download") && !script.contains("$installed"), "\(script)")
        #expect(script.contains("dpkg --unpack \"$deb\""), "\(script)")
        if let shellcheck = ExternalTool.locate("shellcheck") {
            let file = scratch.appendingPathComponent("install_workbench.sh")
            try Data(script.utf8).write(to: file)
            let lint = try BakeryBinary.execute(shellcheck, ["--severity=style", "--shell=bash", file.path], in: scratch)
            #expect(lint.status == 0, "\(lint.stdout)")
        }

        // goss for the build: no release version to compare, the new code-server path (2026.05 ≥ 2024.07).
        let directory = scratch.appendingPathComponent("version")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("deps"), withIntermediateDirectories: true)
        for list in ["ubuntu-24.04_packages.txt", "ubuntu-24.04_optional_packages.txt"] {
            try Data(try render("deps/\(list).jinja2").utf8).write(to: directory.appendingPathComponent("deps/\(list)"))
        }
        let goss = try WorkbenchProject.renderGoss(try render("test/goss.yaml.jinja2"), name: "dev goss.yaml", directory: directory, env: [
            "IMAGE_VARIANT": variant, "IMAGE_OS_NAME": "ubuntu", "IMAGE_OS_VERSION": "24.04", "IMAGE_OS_CODENAME": "noble",
        ])
        #expect(goss["package"]?["rstudio-server"]?["installed"]?.scalar == "true")
        #expect(goss["package"]?["rstudio-server"]?["versions"] == nil, "a channel build's package version is not its name")
        #expect(goss.scalar(at: "file", "/usr/lib/rstudio-server/bin/pwb-code-server/bin/code-server", "exists") == "true")
        #expect(goss.list(at: "command", "rstudio-server version", "stdout") == ["\(version) Workbench"])
    }

    // MARK: configuration

    /// `key=value` lines of a configuration file by section (`""` before the first `[section]`); `#`/`;` comments skipped.
    static func settings(_ text: String, comment: Character = "#") -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        var section = ""
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.first == comment { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                result[section, default: [:]] = [:]
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            result[section, default: [:]][parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    /// rserver.conf, launcher.conf and friends hold the keys of products.md §6.2, and agree with each other: the
    /// launcher Workbench calls is the one that listens, and sessions call back on Workbench's port.
    @Test func theConfigurationFilesHaveTheProductKeys() throws {
        for folder in try Self.folders() {
            let rserver = Self.settings(try folder.text("conf/rstudio/rserver.conf"))[""] ?? [:]
            #expect(rserver == [
                "server-health-check-enabled": "1", "admin-enabled": "1", "www-port": "\(WorkbenchProject.serverPort)",
                "server-project-sharing": "0", "auth-pam-sessions-enabled": "1", "launcher-address": "127.0.0.1",
                "launcher-port": "\(WorkbenchProject.launcherPort)", "launcher-sessions-enabled": "1", "launcher-default-cluster": "Local",
                "launcher-sessions-callback-address": "http://127.0.0.1:\(WorkbenchProject.serverPort)",
            ], "\(folder): rserver.conf \(rserver)")
            let launcher = Self.settings(try folder.text("conf/launcher/launcher.conf"))
            #expect(launcher["server"] == [
                "address": "127.0.0.1", "port": "\(WorkbenchProject.launcherPort)", "server-user": "rstudio-server",
                "admin-group": "rstudio-server", "authorization-enabled": "1", "thread-pool-size": "4", "enable-debug-logging": "1",
            ], "\(folder): launcher.conf [server] \(launcher["server"] ?? [:])")
            #expect(launcher["cluster"] == ["name": "Local", "type": "Local"], "\(folder): launcher.conf [cluster]")
            #expect(launcher["cluster"]?["name"] == rserver["launcher-default-cluster"], "\(folder): Workbench's default cluster is the launcher's")
            #expect(launcher["server"]?["address"] == rserver["launcher-address"] && launcher["server"]?["port"] == rserver["launcher-port"],
                    "\(folder): Workbench calls the launcher where it listens")
            #expect(Self.settings(try folder.text("conf/launcher/launcher.local.conf"))[""] == ["unprivileged": "1"], "\(folder)")
            #expect(Self.settings(try folder.text("conf/rstudio/rserver-float.conf"))[""] == ["server-license-type": "remote"], "\(folder)")
            #expect(Self.settings(try folder.text("conf/rstudio/logging.conf"))["*"] == ["logger-type": "stderr", "log-level": "info"], "\(folder)")
            let jupyter = Self.settings(try folder.text("conf/jupyter/jupyter.conf"))[""] ?? [:]
            #expect(jupyter == ["labs-enabled": "1", "default-session-cluster": "Local"], "\(folder): jupyter.conf \(jupyter)")
            #expect(Self.settings(try folder.text("conf/vscode/vscode.conf"))[""] == ["enabled": "1", "args": "--verbose --host=0.0.0.0"], "\(folder)")
            #expect(try WorkbenchProject.lines(folder, "conf/vscode/vscode.extensions.conf") ==
                    ["quarto.quarto", "REditorSupport.r", "ms-python.python", "posit.shiny", "ms-toolsai.jupyter"], "\(folder)")
            #expect(try WorkbenchProject.lines(folder, "conf/positron/positron.extensions.conf") == ["posit.shiny", "posit.publisher"], "\(folder)")

            let launcherEnv = try folder.text("conf/launcher/launcher-env")
            #expect(launcherEnv.contains("JobType: session\nEnvironment: LANG=en_US.UTF-8\n  LANGUAGE=en_US.UTF-8\n  LC_ALL=en_US.UTF-8\n"), "\(folder): \(launcherEnv)")
            #expect(launcherEnv.contains("JobType: any\nEnvironment: PATH=/opt/python/default/bin:$PATH\n"), "\(folder): \(launcherEnv)")

            for (file, extra) in [("conf/vscode/vscode-user-settings.json", [String: JSONValue]()),
                                  ("conf/positron/positron-user-settings.json", ["quarto.path": .string(Self.bundledQuarto)])] {
                let settings = try #require(JSONValue.parse(try folder.text(file)), "\(folder)/\(file) is not JSON")
                #expect(settings["extensions.autoUpdate"] == .bool(false) && settings["extensions.autoCheckUpdates"] == .bool(false), "\(folder)/\(file)")
                #expect(settings["terminal.integrated.defaultProfile.linux"] == .string("bash"), "\(folder)/\(file)")
                for (key, value) in extra { #expect(settings[key] == value, "\(folder)/\(file): \(key)") }
            }

            let sssd = Self.settings(try folder.text("conf/sssd/sssd.conf"))
            #expect(sssd["sssd"] == ["config_file_version": "2", "domains": "placeholder"], "\(folder): sssd.conf \(sssd)")
            #expect(sssd["domain/placeholder"] == ["id_provider": "none", "auth_provider": "none", "chpass_provider": "none", "sudo_provider": "none"], "\(folder)")
        }
    }

    /// supervisord runs in the foreground as root, logs to the container's output, ends the container when a
    /// program stops, and includes the folders the Containerfile fills; each program is the one the facts name.
    @Test func supervisordRunsTheProductsPrograms() throws {
        for folder in try Self.folders() {
            let text = try folder.text("startup/supervisord.conf")
            let conf = Self.settings(text, comment: ";")
            #expect(conf["supervisord"]?["nodaemon"] == "true" && conf["supervisord"]?["user"] == "root", "\(folder)")
            #expect(conf["supervisord"]?["logfile"] == "/dev/stdout" && conf["supervisord"]?["logfile_maxbytes"] == "0", "\(folder)")
            #expect(conf["supervisord"]?["pidfile"] == "/var/run/supervisord.pid", "\(folder)")
            #expect(conf["unix_http_server"] == ["file": "/var/run/supervisor.sock", "chmod": "0700"], "\(folder)")
            #expect(conf["supervisorctl"]?["serverurl"] == "unix:///var/run/supervisor.sock", "\(folder)")
            #expect(conf["rpcinterface:supervisor"] != nil, "\(folder)")
            #expect(conf["include"]?["files"] == "/startup/base/*.conf /startup/launcher/*.conf /startup/user-provisioning/*.conf /startup/custom/*.conf", "\(folder)")
            let monitor = try #require(conf["eventlistener:process-monitor"], "\(folder): no process monitor")
            #expect(Set((monitor["events"] ?? "").split(separator: ",").map(String.init)) ==
                    ["PROCESS_STATE_STOPPED", "PROCESS_STATE_EXITED", "PROCESS_STATE_FATAL"], "\(folder)")
            #expect(monitor["command"]?.contains("kill -QUIT \"$PPID\"") == true, "\(folder): the monitor does not stop supervisord")
            try Self.expectTheMonitorStopsItsParent(try #require(monitor["command"]), folder: folder)
            // supervisord cuts a value at " ;" (an inline comment) and expands "%(…)s".
            for (section, values) in conf {
                for (key, value) in values {
                    #expect(!value.contains(" ;") && !value.contains("%"), "\(folder): [\(section)] \(key)=\(value)")
                }
            }

            let programs: [(file: String, name: String, command: String)] = [
                ("startup/base/rstudio-workbench.conf", "rstudio-workbench", "/usr/local/bin/startup.sh"),
                ("startup/launcher/rstudio-launcher.conf", "rstudio-launcher", "/usr/lib/rstudio-server/bin/rstudio-launcher"),
                ("startup/user-provisioning/sssd.conf", "sssd", "/usr/sbin/sssd -i -c /etc/sssd/sssd.conf --logger=stderr"),
            ]
            let includes = (conf["include"]?["files"] ?? "").split(separator: " ").map(String.init)
            for program in programs {
                let settings = Self.settings(try folder.text(program.file), comment: ";")
                #expect(Array(settings.keys) == ["program:\(program.name)"], "\(folder)/\(program.file): \(settings.keys)")
                let values = settings["program:\(program.name)"] ?? [:]
                #expect(values["command"] == program.command, "\(folder)/\(program.file)")
                #expect(values["autorestart"] == "false" && values["numprocs"] == "1", "\(folder)/\(program.file)")
                #expect(values["stdout_logfile"] == "/dev/stdout" && values["stdout_logfile_maxbytes"] == "0", "\(folder)/\(program.file)")
                #expect(values["stderr_logfile"] == "/dev/stderr" && values["stderr_logfile_maxbytes"] == "0", "\(folder)/\(program.file)")
                let directory = "/" + program.file.split(separator: "/").dropLast().joined(separator: "/") + "/*.conf"
                #expect(includes.contains(directory), "\(folder): supervisord does not include \(directory)")
            }
        }
    }

    /// The process monitor, run as supervisord runs an event listener (its parent reading "READY" on its
    /// stdout, then writing an event header to its stdin): it says READY before anything else, waits for the
    /// event, then sends its parent SIGQUIT. Without READY supervisord never sends it an event.
    static func expectTheMonitorStopsItsParent(_ command: String, folder: WorkbenchFolder) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wb-monitor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let header = "ver:3.0 server:supervisor serial:7 pool:process-monitor poolserial:7 eventname:PROCESS_STATE_EXITED len:0\n"
        try Data(header.utf8).write(to: scratch.appendingPathComponent("event"))
        let parent = """
            trap 'echo "supervisord got SIGQUIT"; exit 0' QUIT
            \(command) < event > listener.out &
            wait $!
            sleep 2
            echo "supervisord was not stopped"
            """
        let result = try BakeryBinary.execute("/bin/bash", ["-c", parent], in: scratch)
        #expect(result.stdout == "supervisord got SIGQUIT\n", "\(folder): \(result.stdout)\(result.stderr)")
        let said = (try? String(contentsOf: scratch.appendingPathComponent("listener.out"), encoding: .utf8)) ?? ""
        #expect(said == "READY\n", "\(folder): the monitor wrote '\(said)' to supervisord (the protocol wants READY and a newline)")
    }

    /// startup.sh follows the license pattern of products.md §13 and starts Workbench as §6.2 says.
    @Test func theStartupScriptHandlesLicenseUserLauncherAndDiagnostics() throws {
        for folder in try Self.folders() {
            let script = try folder.text("scripts/startup.sh")
            #expect(script.hasPrefix("#!/bin/bash\n"), "\(folder)")
            for fallback in ["PWB_LICENSE=${PWB_LICENSE:-${RSW_LICENSE:-${RSP_LICENSE:-}}}",
                             "PWB_LICENSE_SERVER=${PWB_LICENSE_SERVER:-${RSW_LICENSE_SERVER:-${RSP_LICENSE_SERVER:-}}}",
                             "PWB_TESTUSER=${PWB_TESTUSER:-${RSW_TESTUSER:-}}", "PWB_TESTUSER_UID=${PWB_TESTUSER_UID:-${RSW_TESTUSER_UID:-10000}}",
                             "PWB_LAUNCHER=${RSW_LAUNCHER:-${PWB_LAUNCHER:-true}}"] {
                #expect(script.contains(fallback), "\(folder): \(fallback)")
            }
            // Key, then server, then file; the secrets leave the environment before the server starts.
            let key = script.range(of: "\"$license_manager\" activate \"$PWB_LICENSE\"")
            let server = script.range(of: "\"$license_manager\" license-server \"$PWB_LICENSE_SERVER\"")
            let file = script.range(of: "elif [ -f \"$license_file\" ]; then")
            let unset = script.range(of: "unset PWB_LICENSE PWB_LICENSE_SERVER RSW_LICENSE RSW_LICENSE_SERVER RSP_LICENSE RSP_LICENSE_SERVER")
            let rserver = script.range(of: "/usr/lib/rstudio-server/bin/rserver --server-daemonize 0 1>&2\n")
            if let key, let server, let file, let unset, let rserver {
                #expect(key.lowerBound < server.lowerBound && server.lowerBound < file.lowerBound && file.lowerBound < unset.lowerBound
                        && unset.lowerBound < rserver.lowerBound, "\(folder): the license steps are out of order")
                #expect(rserver.upperBound == script.endIndex, "\(folder): rserver is not the last step")
            } else {
                Issue.record("\(folder): key \(key != nil), server \(server != nil), file \(file != nil), unset \(unset != nil), rserver \(rserver != nil)")
            }
            #expect(script.contains("license_file=/etc/rstudio-server/license.lic"), "\(folder)")
            #expect(!script.contains("exec "), "\(folder): the server must not replace the shell (the EXIT trap would not run)")
            #expect(script.contains("trap on_exit EXIT"), "\(folder)")
            #expect(script.contains("rstudio-server stop"), "\(folder)")
            #expect(script.contains("for attempt in 1 2 3; do\n        if \"$license_manager\" deactivate"), "\(folder): deactivation is retried")
            #expect(script.contains("/var/lib/.local"), "\(folder)")
            #expect(script.contains("useradd -m -s /bin/bash -u \"$PWB_TESTUSER_UID\" -U \"$PWB_TESTUSER\""), "\(folder)")
            #expect(script.contains("| chpasswd"), "\(folder)")
            #expect(script.contains("/usr/local/bin/wait-for-it.sh \"localhost:$launcher_port\" -t \"$PWB_LAUNCHER_TIMEOUT\""), "\(folder)")
            #expect(script.contains("launcher_port=\(WorkbenchProject.launcherPort)\n"), "\(folder)")
            #expect(script.contains("verify=(rstudio-server verify-installation)"), "\(folder)")
            #expect(script.contains("tee \"$diagnostic_dir/verify.log\""), "\(folder)")
        }
    }

    /// startup.sh, run in bash with the commands it calls replaced by stubs that record their arguments (rserver
    /// also its environment): the order of license, test user, launcher and server; what the EXIT trap does;
    /// the older variable names; the secrets kept out of rserver's environment and out of the debug trace.
    @Test func theStartupScriptRunsAsTheFactsSay() throws {
        let folder = try #require(try Self.folders().last)
        let run = try StartupRun(script: try folder.text("scripts/startup.sh"))
        defer { run.remove() }
        let key = "KEY-1234-SECRET", password = "pw-SECRET"
        let waits = "wait-for-it.sh localhost:\(WorkbenchProject.launcherPort) -t 10", rserver = "rserver --server-daemonize 0"

        // A key: activated first, deactivated after the server stopped; gone from the server's environment.
        var result = try run(["PWB_LICENSE": key])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.calls == ["license-manager activate \(key)", waits, rserver, "rstudio-server stop", "license-manager deactivate"], "\(result.calls)")
        #expect(!result.serverEnvironment.contains(key) && !result.serverEnvironment.contains("PWB_LICENSE"), "\(result.serverEnvironment)")

        // A license server under its oldest name; a key wins over a server; a file alone is used as it is.
        result = try run(["RSP_LICENSE_SERVER": "licenses.example.com:8989"])
        #expect(result.calls == ["license-manager license-server licenses.example.com:8989", waits, rserver, "rstudio-server stop",
                                 "license-manager deactivate"], "\(result.calls)")
        #expect(!result.serverEnvironment.contains("licenses.example.com"), "\(result.serverEnvironment)")
        result = try run(["RSW_LICENSE": key, "PWB_LICENSE_SERVER": "licenses.example.com"])
        #expect(result.calls.first == "license-manager activate \(key)" && !result.calls.contains { $0.contains("license-server") }, "\(result.calls)")
        result = try run([:], licenseFile: true)
        #expect(result.calls == [waits, rserver, "rstudio-server stop"], "\(result.calls)")
        #expect(result.stdout.contains("Using the license file"), "\(result.stdout)")

        // Deactivation is tried three times.
        result = try run(["PWB_LICENSE": key, "DEACTIVATE_STATUS": "1"])
        #expect(result.calls.filter { $0 == "license-manager deactivate" }.count == 3, "\(result.calls)")

        // The test user: created with uid 10000 (or the one given) and the password; not when the uid is taken.
        result = try run(["PWB_TESTUSER": "alice", "PWB_TESTUSER_PASSWD": password])
        #expect(result.calls.prefix(2) == ["useradd -m -s /bin/bash -u 10000 -U alice", "chpasswd alice:\(password)"], "\(result.calls)")
        #expect(!result.serverEnvironment.contains(password), "the password reached rserver's environment")
        result = try run(["RSW_TESTUSER": "bob", "RSW_TESTUSER_PASSWD": password, "RSW_TESTUSER_UID": "2000"])
        #expect(result.calls.first == "useradd -m -s /bin/bash -u 2000 -U bob", "\(result.calls)")
        #expect(!result.serverEnvironment.contains(password), "the password reached rserver's environment")
        result = try run(["PWB_TESTUSER": "alice", "PWB_TESTUSER_PASSWD": password, "TAKEN_UIDS": "10000"])
        #expect(!result.calls.contains { $0.hasPrefix("useradd") || $0.hasPrefix("chpasswd") }, "\(result.calls)")

        // The launcher: a launcher that never listens stops the start (the trap still deactivates); PWB_LAUNCHER=false
        // or the older RSW_LAUNCHER=false skips the wait; the timeout is passed on.
        result = try run(["PWB_LICENSE": key, "WAIT_STATUS": "1"])
        #expect(result.status == 1 && !result.calls.contains(rserver), "\(result.status) \(result.calls)")
        #expect(result.calls.suffix(2) == ["rstudio-server stop", "license-manager deactivate"], "\(result.calls)")
        for off in [["PWB_LAUNCHER": "false"], ["RSW_LAUNCHER": "false"]] {
            #expect(try run(off).calls == [rserver, "rstudio-server stop"], "\(off)")
        }
        #expect(try run(["PWB_LAUNCHER_TIMEOUT": "45"]).calls.first == "wait-for-it.sh localhost:\(WorkbenchProject.launcherPort) -t 45")

        // Diagnostics only: verify-installation for the test user, no server.
        result = try run(["PWB_TESTUSER": "alice", "DIAGNOSTIC_ENABLE": "true", "DIAGNOSTIC_ONLY": "true"])
        #expect(result.status == 0 && result.calls.contains("rstudio-server verify-installation --verify-user=alice") && !result.calls.contains(rserver),
                "\(result.calls)")

        // rserver's exit status is the script's; the trap runs.
        result = try run(["RSERVER_STATUS": "3"])
        #expect(result.status == 3 && result.calls.last == "rstudio-server stop", "\(result.status) \(result.calls)")

        // STARTUP_DEBUG_MODE=1 traces the script, but neither the key nor the password.
        result = try run(["STARTUP_DEBUG_MODE": "1", "PWB_LICENSE": key, "PWB_TESTUSER": "alice", "PWB_TESTUSER_PASSWD": password])
        #expect(result.status == 0 && result.stderr.contains("+ /"), "no trace: \(result.stderr)")
        #expect(!result.stderr.contains(key) && !result.stderr.contains(password) && !result.stdout.contains(key) && !result.stdout.contains(password),
                "a secret is in the output:\n\(result.stdout)\(result.stderr)")
    }

    /// A scratch copy of startup.sh whose absolute paths point at stubs in a scratch folder; each run starts from
    /// the image's environment (the Containerfile's ENV) plus the given variables, and the stubs' knobs:
    /// DEACTIVATE_STATUS, WAIT_STATUS, RSERVER_STATUS, TAKEN_UIDS.
    struct StartupRun {
        struct Outcome {
            var status: Int32
            var stdout: String
            var stderr: String
            /// Every stubbed call, as `name arg arg…` (chpasswd with its input).
            var calls: [String]
            /// `env` as rserver saw it.
            var serverEnvironment: String
        }

        let directory: URL
        var bin: URL { directory.appendingPathComponent("bin") }

        /// The script's paths and the stubs that stand in for them.
        static let paths = ["/usr/lib/rstudio-server/bin/license-manager": "bin/license-manager", "/usr/local/bin/wait-for-it.sh": "bin/wait-for-it.sh",
                            "/usr/lib/rstudio-server/bin/rserver": "bin/rserver", "/etc/rstudio-server/license.lic": "license.lic",
                            "/var/lib/.local": "local"]

        init(script: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-startup-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("bin"), withIntermediateDirectories: true)
            var text = script
            for (path, stub) in Self.paths {
                try #require(text.contains(path), "startup.sh no longer names \(path)")
                text = text.replacingOccurrences(of: path, with: directory.appendingPathComponent(stub).path)
            }
            try Data(text.utf8).write(to: directory.appendingPathComponent("startup.sh"))
            let log = directory.appendingPathComponent("calls").path
            let record = "printf '%s\\n' \"$(basename \"$0\") $*\" >> '\(log)'"
            let stubs: [String: String] = [
                "license-manager": "\(record)\nif [ \"$1\" = deactivate ]; then exit \"${DEACTIVATE_STATUS:-0}\"; fi",
                "wait-for-it.sh": "\(record)\nexit \"${WAIT_STATUS:-0}\"",
                "rserver": "\(record)\nenv > '\(directory.appendingPathComponent("rserver.env").path)'\nexit \"${RSERVER_STATUS:-0}\"",
                "rstudio-server": record,
                "useradd": record,
                "chpasswd": "read -r line\nprintf 'chpasswd %s\\n' \"$line\" >> '\(log)'",
                "getent": "for uid in ${TAKEN_UIDS:-}; do if [ \"$2\" = \"$uid\" ]; then echo \"someone:x:$uid:$uid::/home/someone:/bin/sh\"; exit 0; fi; done\nexit 2",
                "id": "exit 1",
                "sleep": ":",
            ]
            for (name, body) in stubs {
                // Through a close-on-exec descriptor: a child another test starts meanwhile must not inherit the
                // file open for writing, or running the stub fails with "Text file busy" (exit 126).
                try ChildProcess.writeExecutable("#!/bin/bash\n\(body)\n", to: directory.appendingPathComponent("bin/\(name)"))
            }
        }

        func callAsFunction(_ variables: [String: String], licenseFile: Bool = false) throws -> Outcome {
            for file in ["calls", "rserver.env", "license.lic"] { try? FileManager.default.removeItem(at: directory.appendingPathComponent(file)) }
            if licenseFile { try Data("license\n".utf8).write(to: directory.appendingPathComponent("license.lic")) }
            // The Containerfile's ENV, then the run's own.
            var environment = ["STARTUP_DEBUG_MODE": "0", "PWB_LICENSE": "", "PWB_LICENSE_SERVER": "", "PWB_TESTUSER": "", "PWB_TESTUSER_PASSWD": "",
                               "PWB_TESTUSER_UID": "", "PWB_LAUNCHER": "true", "PWB_LAUNCHER_TIMEOUT": "10",
                               "DIAGNOSTIC_DIR": directory.appendingPathComponent("diagnostics").path, "DIAGNOSTIC_ENABLE": "false", "DIAGNOSTIC_ONLY": "false"]
            environment.merge(variables) { $1 }
            environment["PATH"] = "\(bin.path):/usr/bin:/bin"
            let arguments = ["-i"] + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + ["/bin/bash", directory.appendingPathComponent("startup.sh").path]
            let result = try BakeryBinary.execute("/usr/bin/env", arguments, in: directory)
            func read(_ name: String) -> String { (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? "" }
            return Outcome(status: result.status, stdout: result.stdout, stderr: result.stderr,
                           calls: read("calls").split(separator: "\n").map(String.init), serverEnvironment: read("rserver.env"))
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// Our wait-for-it.sh, run: 0 when the port accepts (and then the command's status), 1 when the time runs out
    /// (without running the command), 2 for a wrong command line.
    @Test func waitForItWaitsForThePortAndRunsTheCommand() throws {
        let script = WorkbenchProject.root.appendingPathComponent("\(Self.imageName)/scripts/wait-for-it.sh").path
        let listener = try LoopbackListener()
        let closed = try LoopbackListener()
        let closedPort = closed.port
        closed.close()
        let cwd = FileManager.default.temporaryDirectory
        func run(_ arguments: [String]) throws -> BakeryBinary.Result {
            try BakeryBinary.execute("/bin/bash", [script] + arguments, in: cwd)
        }
        let open = try run(["127.0.0.1:\(listener.port)", "-t", "5"])
        #expect(open.status == 0, "\(open.stdout)\(open.stderr)")
        #expect(open.stdout.contains("127.0.0.1:\(listener.port) is available"), "\(open.stdout)")
        let quiet = try run(["127.0.0.1:\(listener.port)", "-q", "--", "sh", "-c", "echo ran; exit 7"])
        #expect(quiet.status == 7 && quiet.stdout == "ran\n", "\(quiet.status) \(quiet.stdout)\(quiet.stderr)")
        let started = Date()
        let timeout = try run(["127.0.0.1:\(closedPort)", "-t", "1", "--", "echo", "ran"])
        #expect(timeout.status == 1, "\(timeout.stdout)\(timeout.stderr)")
        #expect(!timeout.stdout.contains("ran"), "the command ran although the port never accepted")
        #expect(timeout.stderr.contains("did not accept a connection within 1 seconds"), "\(timeout.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
        for bad in [["localhost"], ["localhost:99999"], ["localhost:1", "-t", "soon"], [], ["-x", "localhost:1"]] {
            let result = try run(bad)
            #expect(result.status == 2, "\(bad): \(result.status)")
            #expect(result.stderr.contains("usage: wait-for-it.sh HOST:PORT"), "\(bad): \(result.stderr)")
        }
    }

    // MARK: goss

    /// The goss file rendered for every target (each platform) checks what products.md §6.3 lists, with the
    /// Standard/Minimal skip logic and the gid rule of Standard on Ubuntu 24.04.
    @Test func gossChecksTheProductFactsForEveryTarget() throws {
        var rendered = 0
        let folders = try Self.folders()
        for folder in folders {
            for (_, os, variant) in folder.containerfiles {
                let variant = try #require(variant)
                for platform in os.platforms.map(\.rawValue) {
                    let env = WorkbenchProject.gossEnvironment(folder: folder, os: os, variant: variant, platform: platform)
                    let goss = try WorkbenchProject.renderGoss(folder, env: env)
                    rendered += 1
                    try checkGoss(goss, folder: folder, os: os, variant: variant, target: "\(folder) \(os.name) \(variant.name) \(platform)")
                }
            }
        }
        #expect(rendered == folders.reduce(0) { total, folder in total + folder.os.reduce(0) { $0 + $1.platforms.count * 2 } })
        #expect(rendered >= 12)
    }

    func checkGoss(_ goss: YAMLNode, folder: WorkbenchFolder, os: ImageVersionOS, variant: ImageVariant, target: String) throws {
        let version = try Self.version(folder)
        let workbench = try #require(WorkbenchVersion(version.name))
        let standard = variant.name == "Standard"
        let skip = standard ? "false" : "true"
        let osVersion = os.buildOS.version

        // The service account: uid 999; its group 997 on Standard Ubuntu 24.04 (the optional packages' system
        // groups are created first), 999 elsewhere.
        let gid = standard && osVersion == "24.04" ? "997" : "999"
        #expect(goss.scalar(at: "user", "rstudio-server", "exists") == "true", "\(target)")
        #expect(goss.scalar(at: "user", "rstudio-server", "uid") == "999", "\(target)")
        #expect(goss.scalar(at: "user", "rstudio-server", "gid") == gid, "\(target): user gid")
        #expect(goss.list(at: "user", "rstudio-server", "groups") == ["rstudio-server"], "\(target)")
        #expect(goss.scalar(at: "group", "rstudio-server", "gid") == gid, "\(target): group gid")

        // Packages: Workbench at the release's version, R (Standard), and every line of the lists the variant installs.
        #expect(goss.scalar(at: "package", "rstudio-server", "installed") == "true", "\(target)")
        #expect(goss.list(at: "package", "rstudio-server", "versions") == [version.name], "\(target)")
        for r in try Self.dependency(.R, of: folder) {
            #expect(goss.scalar(at: "package", "r-\(r)", "installed") == "true", "\(target): r-\(r)")
            #expect(goss.scalar(at: "package", "r-\(r)", "skip") == skip, "\(target): r-\(r) is checked for Standard only")
        }
        #expect(goss.scalar(at: "package", "rstudio-drivers", "skip") == skip, "\(target)")
        for package in try WorkbenchProject.lines(folder, "deps/ubuntu-\(osVersion)_packages.txt") {
            #expect(goss.scalar(at: "package", package, "installed") == "true", "\(target): package \(package)")
            #expect(goss.scalar(at: "package", package, "skip") == nil, "\(target): package \(package) is always checked")
        }
        for package in try WorkbenchProject.lines(folder, "deps/ubuntu-\(osVersion)_optional_packages.txt") {
            #expect(goss.scalar(at: "package", package, "installed") == (standard ? "true" : nil), "\(target): optional package \(package)")
        }

        // Ports and processes of the running server (Standard; Minimal is tested at rest).
        let ports = goss["port"]?.pairs.compactMap(\.key.scalar) ?? []
        #expect(ports == ["tcp:\(WorkbenchProject.serverPort)", "tcp:\(WorkbenchProject.launcherPort)"], "\(target): \(ports)")
        #expect(goss.list(at: "port", "tcp:\(WorkbenchProject.serverPort)", "ip") == ["0.0.0.0"], "\(target)")
        #expect(goss.list(at: "port", "tcp:\(WorkbenchProject.launcherPort)", "ip") == ["127.0.0.1"], "\(target)")
        for port in ports {
            #expect(goss.scalar(at: "port", port, "listening") == "true", "\(target): \(port)")
            #expect(goss.scalar(at: "port", port, "skip") == skip, "\(target): \(port) is checked for Standard only")
        }
        let processes = goss["process"]?.pairs.compactMap(\.key.scalar) ?? []
        #expect(processes == ["rserver", "rstudio-launche"], "\(target): \(processes) (names are cut at 15 characters)")
        for process in processes {
            #expect(goss.scalar(at: "process", process, "running") == "true" && goss.scalar(at: "process", process, "skip") == skip, "\(target): \(process)")
        }

        // Files.
        #expect(goss.scalar(at: "file", "/etc/rstudio-server/license.lic", "exists") == "false", "\(target): no license in the image")
        for path in ["/usr/lib/rstudio-server", "/usr/lib/rstudio-server/bin/rserver", "/usr/lib/rstudio-server/bin/rstudio-server",
                     "/usr/lib/rstudio-server/bin/rstudio-launcher", "/etc/supervisor/supervisord.conf", "/etc/rstudio/rserver.conf",
                     "/etc/rstudio/launcher.conf", "/usr/local/bin/wait-for-it.sh"] {
            #expect(goss.scalar(at: "file", path, "exists") == "true", "\(target): \(path)")
        }
        let renamed = (workbench.year, workbench.month) >= (2024, 7)
        let codeServer = "/usr/lib/rstudio-server/bin/\(renamed ? "pwb-code-server" : "code-server")/bin/code-server"
        #expect(goss.scalar(at: "file", codeServer, "exists") == "true", "\(target): \(codeServer)")
        #expect(goss.scalar(at: "file", "/var/lib/rstudio-server/monitor/log", "owner") == "rstudio-server", "\(target)")
        #expect(goss.scalar(at: "file", "/var/lib/rstudio-server/monitor/log", "group") == "rstudio-server", "\(target)")
        #expect(goss.scalar(at: "file", "/usr/local/bin/startup.sh", "mode") == "0775", "\(target)")
        #expect(goss.list(at: "file", "/etc/rstudio/vscode.conf", "contents") == ["enabled=1"], "\(target)")
        #expect(goss.list(at: "file", "/etc/pam.d/common-session", "contents") == ["session required pam_mkhomedir.so skel=/etc/skel umask=0077"], "\(target)")
        #expect(goss.list(at: "file", "/etc/rstudio/rserver.conf", "contents")?.contains("/^www-port=\(WorkbenchProject.serverPort)$/") == true, "\(target)")
        #expect(goss.list(at: "file", "/etc/rstudio/rserver.conf", "contents")?.contains("/^launcher-port=\(WorkbenchProject.launcherPort)$/") == true, "\(target)")
        #expect(goss.list(at: "file", "/etc/rstudio/launcher.conf", "contents")?.contains("/^port=\(WorkbenchProject.launcherPort)$/") == true, "\(target)")
        let codename = try #require(os.buildOS.codename)
        let p3m = "https://p3m.dev/cran/__linux__/\(codename)/latest"
        #expect(goss.list(at: "file", "/etc/rstudio/repos.conf", "contents") == ["RSPM=\(p3m)", "CRAN=\(p3m)"], "\(target)")
        #expect(goss.scalar(at: "file", "/etc/sssd/sssd.conf", "mode") == "0600", "\(target)")
        #expect(goss.scalar(at: "file", "/etc/sssd/sssd.conf", "owner") == "root" && goss.scalar(at: "file", "/etc/sssd/sssd.conf", "group") == "root", "\(target)")
        #expect(goss.scalar(at: "file", "/etc/sssd/sssd.conf", "skip") == skip, "\(target): sssd.conf is checked for Standard only")
        #expect(goss.scalar(at: "file", "/usr/local/bin/quarto", "linked-to") == Self.bundledQuarto, "\(target)")
        for path in ["/var/lib/rstudio-launcher/Local/jobs/buildkitsystem", "/var/lib/rstudio-launcher/Local/jobs/buildkitsandbox"] {
            #expect(goss.scalar(at: "file", path, "exists") == "false" && goss.scalar(at: "file", path, "skip") == nil, "\(target): \(path)")
        }
        // Standard-only files are absent from Minimal images.
        var standardFiles = ["/etc/odbcinst.ini", "/opt/python/jupyter/bin/jupyter", "/usr/local/bin/jupyter", "/opt/python/default",
                             "/startup/user-provisioning/sssd.conf"]
        standardFiles += try Self.dependency(.R, of: folder).map { "/opt/R/\($0)/bin/R" }
        standardFiles += try Self.dependency(.python, of: folder).flatMap { ["/opt/python/\($0)/bin/python", "/usr/local/share/jupyter/kernels/python\($0)/kernel.json"] }
        for path in standardFiles {
            #expect(goss.scalar(at: "file", path, "exists") == (standard ? "true" : "false"), "\(target): \(path)")
        }
        if standard {
            #expect(goss.scalar(at: "file", "/usr/local/bin/jupyter", "linked-to") == "/opt/python/jupyter/bin/jupyter", "\(target)")
        }
        // No baked secrets: checked on Minimal images, which are tested before Workbench ever ran.
        for path in ["/etc/rstudio/launcher.pem", "/etc/rstudio/launcher.pub", "/etc/rstudio/secure-cookie-key",
                     "/var/lib/rstudio-server/secure-cookie-key", "/etc/rstudio/session-rpc-key",
                     "/var/lib/rstudio-server/session-rpc-key", "/var/lib/rstudio-server/rstudio.sqlite"] {
            #expect(goss.scalar(at: "file", path, "exists") == "false", "\(target): \(path)")
            #expect(goss.scalar(at: "file", path, "skip") == (standard ? "true" : "false"), "\(target): \(path) is checked on Minimal")
        }

        // Commands.
        func command(_ name: String, _ key: String) -> String? { goss.scalar(at: "command", name, key) }
        #expect(command("rstudio-server can write the monitor log", "exec")?.contains("touch /var/lib/rstudio-server/monitor/log/rstudio-server.log") == true, "\(target)")
        #expect(command("rstudio-server can write the monitor log", "exec")?.hasPrefix("su -s /bin/sh rstudio-server -c ") == true, "\(target)")
        #expect(command("root can write the server log", "exec") == "touch /var/log/rstudio-server.log", "\(target)")
        #expect(goss.list(at: "command", "rstudio-server version", "stdout") == ["\(version.name) Workbench"], "\(target)")
        #expect(goss.list(at: "command", "which openssl", "stdout") == ["/usr/bin/openssl"], "\(target)")
        #expect(command("quarto check", "exec") == "/usr/local/bin/quarto check --quiet" && command("quarto check", "timeout") == "120000", "\(target)")
        #expect(command("quarto check", "skip") == nil, "\(target): Quarto is bundled with every image")
        for r in try Self.dependency(.R, of: folder) {
            #expect(goss.list(at: "command", "R \(r) --version", "stdout") == ["R version \(r)"] && command("R \(r) --version", "skip") == skip, "\(target)")
        }
        let python = try Self.dependency(.python, of: folder)
        for version in python {
            #expect(goss.list(at: "command", "python \(version) --version", "stdout") == ["Python \(version)"] && command("python \(version) --version", "skip") == skip, "\(target)")
        }
        let first = python.first ?? ""
        #expect(goss.list(at: "command", "jupyter runs on python \(first)", "stdout") == ["Python \(first)"], "\(target): the Jupyter venv's Python")
        #expect(command("jupyter runs on python \(first)", "skip") == skip, "\(target)")
        let notebook = "jupyter runs an empty notebook"
        #expect(command(notebook, "exec")?.contains("| /usr/local/bin/jupyter nbconvert --to notebook --execute") == true, "\(target)")
        #expect(command(notebook, "exec")?.contains("--ExecutePreprocessor.kernel_name=python\(first) --stdin --stdout") == true, "\(target)")
        #expect(command(notebook, "timeout") == "60000" && command(notebook, "skip") == skip, "\(target)")
        #expect(command("tinytex is installed", "exec") == "HOME='/opt' /usr/local/bin/quarto list tools", "\(target)")
        #expect(command("tinytex is installed", "skip") == skip, "\(target)")
    }
}

/// A TCP socket listening on 127.0.0.1 at a port the kernel picks; connections wait in its backlog.
final class LoopbackListener: @unchecked Sendable {
    private(set) var descriptor: Int32
    let port: Int

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init() throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = descriptor
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 16) == 0 else {
            Glibc.close(fd)
            throw Failure(description: "bind/listen on 127.0.0.1: errno \(errno)")
        }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard named == 0 else {
            Glibc.close(fd)
            throw Failure(description: "getsockname: errno \(errno)")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
    }

    deinit { close() }
}
