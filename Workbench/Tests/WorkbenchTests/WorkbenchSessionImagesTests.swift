// Product facts of the three session images, target by target: workbench-session (the R × Python × Quarto
// matrix sessions run in), workbench-session-init (the session components of one Workbench version) and
// workbench-positron-init (Positron's server, docs and init binary). The Containerfiles say what products.md
// §7–§9 say, the download steps fetch exactly the URLs `WorkbenchImages` gives (run in bash with the download
// tools replaced by stubs), and the goss files check the packages, paths and modes of each target.
import Bakery
import BakeryYAML
import Foundation
import Testing
import TestSupport
import WorkbenchImages

@Suite("Workbench session images")
struct WorkbenchSessionImagesTests {
    static let session = "workbench-session"
    static let sessionInit = "workbench-session-init"
    static let positronInit = "workbench-positron-init"
    static let shell = "SHELL [\"/bin/bash\", \"-euo\", \"pipefail\", \"-c\"]"

    /// products.md §7.2: the system packages of the session image (both OSes; the Pro Drivers are installed on
    /// their own, never from the list).
    static let sessionPackages = ["ca-certificates", "curl", "git", "krb5-user", "libpq-dev", "libuser", "libuser1-dev",
                                  "rrdtool", "subversion", "xz-utils"]
    /// products.md §7.2 step 9: the extensions VS Code and Positron sessions install (the R extension pinned).
    static let vscodeExtensions = ["quarto.quarto", "REditorSupport.r@2.8.2", "ms-python.python", "posit.shiny", "ms-toolsai.jupyter"]
    static let positronExtensions = ["posit.shiny", "posit.publisher"]

    /// products.md §8.3: what the session components tarball holds, every entry mode 0755.
    static let sessionComponentFiles = ["session-init", "git-credential-pwb", "pwb-supervisor", "r-ldpath", "shared-run",
                                        "jupyter-session-run", "positron-session-run", "rsession-run", "vscode-session-run"].map { "bin/\($0)" }
    static let sessionComponentDirectories = ["bin/jammy", "bin/noble", "bin/opensuse15", "bin/rhel8", "bin/rhel9", "bin/postback", "bin/quarto",
                                              "bin/positron-server", "bin/pwb-code-server", "R", "resources", "www", "www-symbolmaps", "extras"]

    static func folder(_ image: String) throws -> WorkbenchFolder {
        try #require(try WorkbenchProject.folders(image: image).first, "Workbench/bakery.yaml has no folder for \(image)")
    }

    static func containerfile(_ folder: WorkbenchFolder, _ file: String) throws -> Containerfile {
        try Containerfile(parsing: try folder.text(file), name: "\(folder)/\(file)")
    }

    // MARK: workbench-session

    /// products.md §7.2: a uv stage builds the Python of the PYTHON_VERSION build arg; the session stage starts
    /// from plain Ubuntu, declares R_VERSION, PYTHON_VERSION and QUARTO_VERSION without defaults (bakery gives
    /// them per matrix row) and uses them for every path: no version is written into the file.
    @Test func sessionContainerfilesTakeRPythonAndQuartoAsBuildArgs() throws {
        let folder = try Self.folder(Self.session)
        #expect(folder.isMatrix)
        #expect(Set(folder.os.map(\.buildOS.version)) == ["22.04", "24.04"])
        for (file, os, _) in folder.containerfiles {
            let target = "\(folder)/\(file)"
            let containerfile = try Self.containerfile(folder, file)
            try #require(containerfile.stages.count == 2, "\(target): a Python build stage and the session stage")
            let builder = containerfile.stages[0], final = containerfile.stages[1]
            #expect(builder.base == "ghcr.io/astral-sh/uv:debian-slim" && builder.name == "python-builder", "\(target)")
            #expect(builder.arguments == ["PYTHON_VERSION": nil], "\(target)")
            #expect(builder.runs.contains { $0.contains("uv python install $PYTHON_VERSION") }, "\(target)")
            #expect(builder.runs.contains { $0.contains("/opt/python/$PYTHON_VERSION") }, "\(target): the arch-neutral path")
            Self.expectUbuntuFinalStage(final, version: os.buildOS.version, target: target)
            #expect(final.argumentNames == ["DEBIAN_FRONTEND", "BUILDARCH", "TARGETARCH", "R_VERSION", "PYTHON_VERSION", "QUARTO_VERSION"], "\(target)")
            for name in ["R_VERSION", "PYTHON_VERSION", "QUARTO_VERSION"] {
                #expect(final.arguments[name] == .some(nil), "\(target): \(name) has a default")
            }
            #expect(final.arguments["TARGETARCH"] == "${BUILDARCH}", "\(target)")
            #expect(final.first("SHELL").map { "SHELL \($0)" } == Self.shell, "\(target)")
            let text = try folder.text(file)
            let pinned = text.matches(of: /\/opt\/(R|python|quarto)\/\d[^\s\/]*/).map { String($0.output.0) }
            #expect(pinned.isEmpty, "\(target): versions written into the file: \(pinned)")
            for version in WorkbenchProject.matrixRow.values {
                #expect(!text.contains(version), "\(target): \(version) is a matrix row's, not the template's")
            }
            #expect(final.runs.contains { $0.contains("apt-get install") && $0.contains("r-$R_VERSION") }, "\(target): R of the build arg")
            #expect(final.instructions.contains { $0.keyword == "COPY" && $0.arguments == "--from=python-builder /opt/python /opt/python" }, "\(target)")
            #expect(final.instructions.contains {
                $0.keyword == "COPY" && $0.arguments == "\(folder)/deps/ubuntu-\(os.buildOS.version)_packages.txt /tmp/ubuntu-\(os.buildOS.version)_packages.txt"
            }, "\(target): the package list goss reads is the one the image installs")
        }
    }

    /// products.md §7.2 steps 4–9: the Jupyter venv on the session's Python with its kernel, R, Quarto under
    /// /opt/quarto/<version> linked from /usr/local/bin, TinyTeX under /opt with the GitHub token as a secret,
    /// the Pro Drivers configured for unixODBC the same way on both OSes (§13: the 22.04 original skipped
    /// odbcinst.ini), and the extension confs in /etc/rstudio.
    @Test func sessionContainerfilesInstallJupyterQuartoTinyTeXAndTheProDrivers() throws {
        let folder = try Self.folder(Self.session)
        for (file, _, _) in folder.containerfiles {
            let target = "\(folder)/\(file)"
            let runs = try Self.containerfile(folder, file).stages.last?.runs ?? []
            func step(_ needle: String) -> String? { runs.first { $0.contains(needle) } }
            let jupyter = step("-m venv /opt/python/jupyter") ?? ""
            #expect(jupyter.hasPrefix("/opt/python/$PYTHON_VERSION/bin/python -m venv /opt/python/jupyter"), "\(target): \(jupyter)")
            for piece in ["\"jupyterlab<5\"", "notebook", "\"pwb_jupyterlab<2\"", "ln -s /opt/python/jupyter/bin/jupyter /usr/local/bin/jupyter"] {
                #expect(jupyter.contains(piece), "\(target): the Jupyter step lacks \(piece)")
            }
            let kernel = step("ipykernel install") ?? ""
            #expect(kernel.contains("/opt/python/$PYTHON_VERSION/bin/pip install"), "\(target): ipykernel goes into the session's Python")
            #expect(kernel.contains("--prefix=/usr/local") && kernel.contains("--name \"python$PYTHON_VERSION\""), "\(target): \(kernel)")

            let quarto = step("quarto-cli/releases") ?? ""
            let url = "https://github.com/quarto-dev/quarto-cli/releases/download/v$QUARTO_VERSION/quarto-$QUARTO_VERSION-linux-${TARGETARCH}.tar.gz"
            #expect(quarto.contains("\"\(url)\""), "\(target): \(quarto)")
            #expect(quarto.contains("-C /opt/quarto/$QUARTO_VERSION --strip-components=1"), "\(target)")
            #expect(quarto.contains("ln -s /opt/quarto/$QUARTO_VERSION/bin/quarto /usr/local/bin/quarto"), "\(target)")

            let tinytex = step("install tinytex") ?? ""
            #expect(tinytex.hasPrefix("--mount=type=secret,id=github_token,required=false "), "\(target): \(tinytex)")
            #expect(tinytex.contains("HOME=\"/opt\"") && tinytex.contains("/opt/quarto/$QUARTO_VERSION/bin/quarto install tinytex")
                    && tinytex.contains("--update-path"), "\(target): \(tinytex)")

            let setup = runs.first ?? ""
            #expect(setup.contains("https://dl.posit.co/public/pro/setup.deb.sh"), "\(target): the Pro Drivers come from Posit's pro repository")
            let drivers = step("rstudio-drivers") ?? ""
            #expect(drivers.hasPrefix("apt-get update"), "\(target): the drivers step updates the package lists first")
            #expect(drivers.contains("cp /opt/rstudio-drivers/odbcinst.ini.sample /etc/odbcinst.ini"), "\(target): the drivers are not configured")
            #expect(!drivers.contains("TARGETARCH"), "\(target): the drivers are published for both architectures")

            let copies = try Self.containerfile(folder, file).stages.last?.all("COPY") ?? []
            #expect(copies.contains("\(folder)/conf/vscode.extensions.conf \(folder)/conf/positron.extensions.conf /etc/rstudio/"), "\(target): \(copies)")
        }
    }

    /// products.md §7.2 step 10: sessions listen on 8788; the image starts nothing of its own (the launcher runs
    /// the session components the init container brings) and runs as root.
    @Test func sessionContainerfilesExposeTheSessionPortAndStartNothing() throws {
        let folder = try Self.folder(Self.session)
        for (file, _, _) in folder.containerfiles {
            let target = "\(folder)/\(file)"
            let containerfile = try Self.containerfile(folder, file)
            #expect(containerfile.all("EXPOSE") == ["\(WorkbenchProject.sessionPort)/tcp"], "\(target)")
            for keyword in ["CMD", "ENTRYPOINT", "USER", "VOLUME", "HEALTHCHECK"] {
                #expect(containerfile.all(keyword).isEmpty, "\(target): \(keyword) \(containerfile.all(keyword))")
            }
        }
    }

    /// products.md §7.2 step 3 and §13: one package list for both OSes, without rstudio-drivers (installed and
    /// configured on its own); the extension confs list exactly the published extensions.
    @Test func sessionPackageListsAndExtensionConfsAreThePublishedOnes() throws {
        let folder = try Self.folder(Self.session)
        for os in folder.os {
            let file = "deps/\(os.buildOS.name)-\(os.buildOS.version)_packages.txt"
            #expect(try WorkbenchProject.lines(folder, file) == Self.sessionPackages, "\(folder)/\(file)")
        }
        #expect(try WorkbenchProject.lines(folder, "conf/vscode.extensions.conf") == Self.vscodeExtensions)
        #expect(try WorkbenchProject.lines(folder, "conf/positron.extensions.conf") == Self.positronExtensions)
    }

    /// The session's goss file, for every target and platform, with the matrix row's build args: every listed
    /// package, the drivers and R's package installed; R, Python and Quarto where the build args put them;
    /// Jupyter on that Python with its kernel; the confs holding their extensions; nothing listening at rest.
    @Test func sessionGossChecksThePackagesAndThePathsOfTheBuildArgs() throws {
        let folder = try Self.folder(Self.session)
        let (r, python, quarto) = (WorkbenchProject.matrixRow["R_VERSION"]!, WorkbenchProject.matrixRow["PYTHON_VERSION"]!,
                                   WorkbenchProject.matrixRow["QUARTO_VERSION"]!)
        var rendered = 0
        for (_, os, variant) in folder.containerfiles {
            for platform in os.platforms.map(\.rawValue) {
                let target = "\(folder) \(os.name) \(platform)"
                let env = WorkbenchProject.gossEnvironment(folder: folder, os: os, variant: variant, platform: platform)
                let goss = try WorkbenchProject.renderGoss(folder, env: env)
                rendered += 1
                let packages = try WorkbenchProject.lines(folder, "deps/ubuntu-\(os.buildOS.version)_packages.txt") + ["rstudio-drivers", "r-\(r)"]
                #expect(Set(goss["package"]?.pairs.compactMap(\.key.scalar) ?? []) == Set(packages), "\(target)")
                for package in packages {
                    #expect(goss.scalar(at: "package", package, "installed") == "true", "\(target): package \(package)")
                }
                for (name, path) in [("python", "/opt/python/\(python)"), ("R", "/opt/R/\(r)"), ("quarto", "/opt/quarto/\(quarto)")] {
                    #expect(goss.scalar(at: "file", name, "path") == path, "\(target): \(name)")
                    #expect(goss.scalar(at: "file", name, "filetype") == "directory", "\(target): \(name)")
                }
                for binary in ["/opt/R/\(r)/bin/R", "/opt/python/\(python)/bin/python", "/opt/quarto/\(quarto)/bin/quarto", "/opt/python/jupyter/bin/jupyter"] {
                    #expect(goss.scalar(at: "file", binary, "exists") == "true", "\(target): \(binary)")
                }
                #expect(goss.scalar(at: "file", "/usr/local/bin/quarto", "linked-to") == "/opt/quarto/\(quarto)/bin/quarto", "\(target)")
                #expect(goss.scalar(at: "file", "/usr/local/bin/jupyter", "linked-to") == "/opt/python/jupyter/bin/jupyter", "\(target)")
                #expect(goss.list(at: "file", "/usr/local/share/jupyter/kernels/python\(python)/kernel.json", "contents")
                        == ["/opt/python/\(python)/bin/python", "Python \(python)"], "\(target): the kernel of the session's Python")
                #expect(goss.list(at: "file", "/etc/odbcinst.ini", "contents") == ["/PostgreSQL|MySQL|SQLServer/"], "\(target)")
                #expect(goss.list(at: "file", "/etc/rstudio/vscode.extensions.conf", "contents") == Self.vscodeExtensions, "\(target)")
                #expect(goss.list(at: "file", "/etc/rstudio/positron.extensions.conf", "contents") == Self.positronExtensions, "\(target)")

                #expect(goss.scalar(at: "command", "R --version", "exec") == "/opt/R/\(r)/bin/R --version", "\(target)")
                #expect(goss.list(at: "command", "R --version", "stdout") == ["R version \(r)"], "\(target)")
                #expect(goss.list(at: "command", "python --version", "stdout") == ["Python \(python)"], "\(target)")
                #expect(goss.scalar(at: "command", "jupyter runs on the session's Python", "exec") == "/opt/python/jupyter/bin/python --version", "\(target)")
                #expect(goss.list(at: "command", "jupyter runs on the session's Python", "stdout") == ["Python \(python)"], "\(target)")
                let notebook = "jupyter executes a notebook with the session's kernel"
                #expect(goss.scalar(at: "command", notebook, "exec")?.hasSuffix("--ExecutePreprocessor.kernel_name=python\(python)") == true, "\(target)")
                #expect(goss.scalar(at: "command", notebook, "timeout") == "60000", "\(target)")
                #expect(goss.scalar(at: "command", "quarto check", "exec") == "/usr/local/bin/quarto check --quiet", "\(target)")
                #expect(goss.scalar(at: "command", "tinytex is installed under /opt", "exec") == "HOME='/opt' /usr/local/bin/quarto list tools", "\(target)")
                #expect(goss.list(at: "command", "tinytex is installed under /opt", "stderr") == ["/tinytex\\s+Up to date/"], "\(target)")
                for kind in ["port", "process", "service", "user"] {
                    #expect(goss[kind] == nil, "\(target): the session image runs nothing at rest, yet goss checks \(kind)")
                }
            }
        }
        #expect(rendered == folder.os.reduce(0) { $0 + $1.platforms.count })
        #expect(rendered == 3, "Ubuntu 24.04 on amd64 and arm64, Ubuntu 22.04 on amd64")
    }

    // MARK: workbench-session-init

    /// products.md §8.1–8.2: one folder per Workbench release (named after its stream), Ubuntu 24.04 only; a
    /// builder stage, and a final stage holding nothing but the components and the session-init command.
    @Test func sessionInitContainerfilesCopyTheComponentsIntoAPlainUbuntu() throws {
        let folders = try WorkbenchProject.folders(image: Self.sessionInit)
        #expect(folders.map(\.relativePath) == ["2026.04", "2026.01", "2025.09"].map { "\(Self.sessionInit)/\($0)" })
        for folder in folders {
            let version = try #require(WorkbenchVersion(folder.version?.name ?? ""), "\(folder): not a Workbench version")
            #expect(version.isRelease && folder.version?.subpath == version.stream, "\(folder): \(version)")
            #expect(folder.os.map(\.name) == ["Ubuntu 24.04"], "\(folder)")
            for (file, os, _) in folder.containerfiles {
                let target = "\(folder)/\(file)"
                let containerfile = try Self.containerfile(folder, file)
                try #require(containerfile.stages.count == 2, "\(target)")
                let builder = containerfile.stages[0], final = containerfile.stages[1]
                #expect(builder.base == "docker.io/library/ubuntu:24.04" && builder.name == "builder", "\(target)")
                #expect(builder.argumentNames == ["DEBIAN_FRONTEND", "BUILDARCH", "TARGETARCH"], "\(target)")
                #expect(builder.arguments["TARGETARCH"] == "${BUILDARCH}", "\(target)")
                #expect(builder.first("SHELL").map { "SHELL \($0)" } == Self.shell, "\(target)")
                Self.expectUbuntuFinalStage(final, version: os.buildOS.version, target: target)
                #expect(final.instructions.map { "\($0.keyword) \($0.arguments)" } == [
                    "LABEL org.opencontainers.image.base.name=\"docker.io/library/ubuntu:24.04\"",
                    "COPY --from=builder /opt/session-components /opt/session-components",
                    "CMD [\"/opt/session-components/bin/session-init\"]",
                ], "\(target): no ENV, USER, EXPOSE or ENTRYPOINT")
                #expect(!(try folder.text(file)).contains("DownloadURL"), "\(target)")
            }
        }
    }

    /// For each release and each TARGETARCH, the download step (run in bash with stubs) fetches exactly
    /// `WorkbenchVersion.sessionComponentsURL(architecture:)`, and another architecture stops it before any download.
    @Test func sessionInitDownloadsTheComponentsTheModuleNames() throws {
        for folder in try WorkbenchProject.folders(image: Self.sessionInit) {
            let version = try #require(WorkbenchVersion(folder.version?.name ?? ""))
            for (file, _, _) in folder.containerfiles {
                let target = "\(folder)/\(file)"
                let step = try Self.downloadStep(try Self.containerfile(folder, file), marker: "/opt/session-components", target: target)
                for architecture in WorkbenchVersion.architectures {
                    let run = try StubbedStep.run(step, variables: ["TARGETARCH": architecture])
                    #expect(run.status == 0, "\(target) \(architecture): \(run.stderr)")
                    #expect(run.downloads == [try version.sessionComponentsURL(architecture: architecture)], "\(target) \(architecture)")
                    #expect(run.calls.contains("tar -xpf /tmp/session-components/session-components.tar.gz -C /opt/session-components"),
                            "\(target) \(architecture): \(run.calls)")
                }
                let other = try StubbedStep.run(step, variables: ["TARGETARCH": "s390x"])
                #expect(other.status != 0 && other.downloads.isEmpty, "\(target): s390x")
                #expect(other.stderr.contains("TARGETARCH=s390x"), "\(target): \(other.stderr)")
            }
        }
    }

    /// products.md §8.2 and §13: a development build (no committed folder; bakery renders it at build time with
    /// the channel's URL as Image.DownloadURL) downloads that URL, not the release tarball of its version.
    @Test func aDevelopmentSessionInitBuildDownloadsTheChannelURL() throws {
        let version = try #require(WorkbenchVersion("2026.05.0-daily+123.pro1"))
        let url = try version.sessionComponentsURL(architecture: "arm64")
        let values = Self.sessionInitValues(version: version.description, downloadURL: url)
        let rendered = try Self.render("\(Self.sessionInit)/template/Containerfile.ubuntu2404.jinja2", values: values)
        let step = try Self.downloadStep(try Containerfile(parsing: rendered, name: "dev render"), marker: "/opt/session-components", target: "dev render")
        let run = try StubbedStep.run(step, variables: ["TARGETARCH": "arm64"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.downloads == [url])
        #expect(!rendered.contains("multi/${session_arch}/"), "the release URL is left out of a development build:\n\(rendered)")

        // A multi-platform dev target gets the URL generalised with $TARGETARCH (reference §14.3): each
        // architecture still downloads its own S3 name (x86_64 for amd64).
        let generalised = ChannelRelease(version: version.description, downloadURL: try version.sessionComponentsURL(architecture: "amd64"))
            .architectureGeneralisedURL
        #expect(generalised.contains("$TARGETARCH"), "\(generalised)")
        let multi = try Self.render("\(Self.sessionInit)/template/Containerfile.ubuntu2404.jinja2",
                                    values: Self.sessionInitValues(version: version.description, downloadURL: generalised))
        let multiStep = try Self.downloadStep(try Containerfile(parsing: multi, name: "multi-platform dev render"), marker: "/opt/session-components",
                                              target: "multi-platform dev render")
        for architecture in WorkbenchVersion.architectures {
            #expect(try StubbedStep.run(multiStep, variables: ["TARGETARCH": architecture]).downloads == [try version.sessionComponentsURL(architecture: architecture)],
                    "\(architecture)")
        }

        let release = try Self.render("\(Self.sessionInit)/template/Containerfile.ubuntu2404.jinja2",
                                      values: Self.sessionInitValues(version: version.description, downloadURL: nil))
        let releaseStep = try Self.downloadStep(try Containerfile(parsing: release, name: "release render"), marker: "/opt/session-components", target: "release render")
        #expect(try StubbedStep.run(releaseStep, variables: ["TARGETARCH": "arm64"]).downloads == [url],
                "without a DownloadURL the template builds the same S3 URL from the version")
    }

    /// products.md §8.3: the components' files and folders, all mode 0755, and nothing else (the list is the same
    /// for every version).
    @Test func sessionInitGossChecksTheComponentsAndTheirModes() throws {
        for folder in try WorkbenchProject.folders(image: Self.sessionInit) {
            for (_, os, variant) in folder.containerfiles {
                let goss = try WorkbenchProject.renderGoss(folder, env: WorkbenchProject.gossEnvironment(folder: folder, os: os, variant: variant, platform: "linux/amd64"))
                let expected = [("/opt/session-components/", "directory")]
                    + Self.sessionComponentFiles.map { ("/opt/session-components/\($0)", "file") }
                    + Self.sessionComponentDirectories.map { ("/opt/session-components/\($0)/", "directory") }
                #expect(goss["file"]?.pairs.compactMap(\.key.scalar) == expected.map(\.0), "\(folder)")
                for (path, type) in expected {
                    #expect(goss.scalar(at: "file", path, "exists") == "true", "\(folder): \(path)")
                    #expect(goss.scalar(at: "file", path, "filetype") == type, "\(folder): \(path)")
                    #expect(goss.scalar(at: "file", path, "mode") == "0755", "\(folder): \(path)")
                }
                #expect(goss.pairs.compactMap(\.key.scalar) == ["file"], "\(folder): file checks only")
            }
        }
    }

    // MARK: workbench-positron-init

    /// products.md §9.2: a builder stage with the POSITRON_VERSION build arg (no default) and jq/unzip; a final
    /// Ubuntu stage brought up to date that copies the binary and /opt/positron with mode 755 and runs the binary.
    @Test func positronInitContainerfileBuildsFromThePositronVersion() throws {
        let folder = try Self.folder(Self.positronInit)
        #expect(folder.isMatrix && folder.os.map(\.name) == ["Ubuntu 24.04"])
        #expect(folder.os.first?.platforms.map(\.rawValue) == ["linux/amd64", "linux/arm64"])
        for (file, os, _) in folder.containerfiles {
            let target = "\(folder)/\(file)"
            let containerfile = try Self.containerfile(folder, file)
            try #require(containerfile.stages.count == 2, "\(target)")
            let builder = containerfile.stages[0], final = containerfile.stages[1]
            #expect(builder.base == "docker.io/library/ubuntu:24.04" && builder.name == "builder", "\(target)")
            #expect(builder.argumentNames == ["DEBIAN_FRONTEND", "BUILDARCH", "TARGETARCH", "POSITRON_VERSION"], "\(target)")
            #expect(builder.arguments["POSITRON_VERSION"] == .some(nil), "\(target): the version comes from the matrix row")
            #expect(builder.arguments["TARGETARCH"] == "${BUILDARCH}", "\(target)")
            #expect(builder.first("SHELL").map { "SHELL \($0)" } == Self.shell, "\(target)")
            #expect(builder.runs.contains { $0.contains("--no-install-recommends") && $0.contains("jq") && $0.contains("unzip") }, "\(target)")
            Self.expectUbuntuFinalStage(final, version: os.buildOS.version, target: target)
            #expect(final.name == "build", "\(target)")
            #expect(final.argumentNames == ["DEBIAN_FRONTEND"], "\(target)")
            #expect(final.first("SHELL").map { "SHELL \($0)" } == Self.shell, "\(target)")
            let upgrade = final.runs.first ?? ""
            #expect(upgrade.contains("apt-get upgrade") && upgrade.contains("apt-get dist-upgrade") && upgrade.contains("rm -rf /var/lib/apt/lists/*"),
                    "\(target): \(upgrade)")
            #expect(final.all("COPY") == [
                "--from=builder --chmod=755 /usr/local/bin/positron-session-init /usr/local/bin/positron-session-init",
                "--from=builder --chmod=755 /opt/positron /opt/positron",
            ], "\(target)")
            #expect(containerfile.all("CMD") == ["[\"/usr/local/bin/positron-session-init\"]"], "\(target)")
            for keyword in ["EXPOSE", "ENTRYPOINT", "USER", "VOLUME"] {
                #expect(containerfile.all(keyword).isEmpty, "\(target): \(keyword)")
            }
        }
    }

    /// With POSITRON_VERSION from the matrix row and each TARGETARCH, the download step (run in bash with stubs)
    /// fetches the server and docs `PositronVersion` names, reads the manifest with the artifact key it names
    /// and downloads the URL found there; without POSITRON_VERSION or for another architecture it downloads nothing.
    @Test func positronInitDownloadsTheURLsTheModuleNames() throws {
        let folder = try Self.folder(Self.positronInit)
        let text = try #require(WorkbenchProject.matrixRow["POSITRON_VERSION"])
        let version = try #require(PositronVersion(text), "\(text) is not a Positron version")
        for (file, _, _) in folder.containerfiles {
            let target = "\(folder)/\(file)"
            let step = try Self.downloadStep(try Self.containerfile(folder, file), marker: "/opt/positron", target: target)
            for architecture in PositronVersion.architectures {
                let run = try StubbedStep.run(step, variables: ["TARGETARCH": architecture, "POSITRON_VERSION": version.description])
                #expect(run.status == 0, "\(target) \(architecture): \(run.stderr)")
                #expect(run.downloads == [try version.serverURL(architecture: architecture), version.docsURL,
                                          PositronVersion.sessionInitManifestURL, StubbedStep.manifestURL], "\(target) \(architecture)")
                let artifact = try PositronVersion.sessionInitArtifact(architecture: architecture)
                #expect(run.calls.contains("jq -er .artifacts[\"\(artifact)\"].url"), "\(target) \(architecture): \(run.calls)")
                #expect(run.calls.contains("mv /tmp/positron/vscode-reh-web-*linux-*/ /opt/positron/bin/positron-server/bundled"), "\(target): \(run.calls)")
                #expect(run.calls.contains("unzip -q /tmp/positron/docs.zip -d /opt/positron/docs/positron"), "\(target): \(run.calls)")
                #expect(run.calls.contains("chmod 755 /usr/local/bin/positron-session-init"), "\(target): \(run.calls)")
            }
            let unversioned = try StubbedStep.run(step, variables: ["TARGETARCH": "amd64"])
            #expect(unversioned.status != 0 && unversioned.downloads.isEmpty, "\(target): no POSITRON_VERSION")
            #expect(unversioned.stderr.contains("POSITRON_VERSION"), "\(target): \(unversioned.stderr)")
            let other = try StubbedStep.run(step, variables: ["TARGETARCH": "ppc64le", "POSITRON_VERSION": version.description])
            #expect(other.status != 0 && other.downloads.isEmpty && other.stderr.contains("TARGETARCH=ppc64le"), "\(target): \(other.stderr)")
        }
    }

    /// products.md §9.3: the goss file is plain YAML copied from the template, checking the Positron folders and
    /// the init binary with their modes.
    @Test func positronInitGossChecksTheServerTheDocsAndTheBinary() throws {
        let folder = try Self.folder(Self.positronInit)
        let template = WorkbenchProject.root.appendingPathComponent("\(Self.positronInit)/template/test/goss.yaml")
        #expect(try folder.text("test/goss.yaml") == (try String(contentsOf: template, encoding: .utf8)), "copied, not rendered")
        for (_, os, variant) in folder.containerfiles {
            for platform in os.platforms.map(\.rawValue) {
                let target = "\(folder) \(platform)"
                let goss = try WorkbenchProject.renderGoss(folder, env: WorkbenchProject.gossEnvironment(folder: folder, os: os, variant: variant, platform: platform))
                let expected: [(String, String, String?)] = [
                    ("/opt/positron/", "directory", "0755"), ("/opt/positron/bin/positron-server/bundled/", "directory", nil),
                    ("/opt/positron/docs/positron/", "directory", nil), ("/usr/local/bin/positron-session-init", "file", "0755"),
                ]
                #expect(goss["file"]?.pairs.compactMap(\.key.scalar) == expected.map(\.0), "\(target)")
                for (path, type, mode) in expected {
                    #expect(goss.scalar(at: "file", path, "exists") == "true", "\(target): \(path)")
                    #expect(goss.scalar(at: "file", path, "filetype") == type, "\(target): \(path)")
                    #expect(goss.scalar(at: "file", path, "mode") == mode, "\(target): \(path)")
                }
            }
        }
    }

    // MARK: helpers

    /// The final stage starts from the plain Ubuntu of its OS and labels that base first.
    static func expectUbuntuFinalStage(_ stage: Containerfile.Stage, version: String, target: String) {
        let base = "docker.io/library/ubuntu:\(version)"
        #expect(stage.base == base, "\(target): \(stage.base)")
        #expect(stage.instructions.first.map { "\($0.keyword) \($0.arguments)" } == "LABEL org.opencontainers.image.base.name=\"\(base)\"", "\(target)")
    }

    /// The builder stage's RUN that switches on TARGETARCH and fills `marker`.
    static func downloadStep(_ containerfile: Containerfile, marker: String, target: String) throws -> String {
        let steps = (containerfile.stages.first?.runs ?? []).filter { $0.contains("case \"$TARGETARCH\" in") && $0.contains(marker) }
        try #require(steps.count == 1, "\(target): one download step switching on TARGETARCH, found \(steps.count)")
        return steps[0]
    }

    /// The values bakery gives workbench-session-init's templates for one version on Ubuntu 24.04; development
    /// versions also get the channel's download URL.
    static func sessionInitValues(version: String, downloadURL: String?) -> JSONValue {
        var image: [(String, JSONValue)] = [
            ("Name", .string(sessionInit)), ("DisplayName", .string("Posit Workbench Session Init")),
            ("Version", .string(version)), ("IsDevelopmentVersion", .bool(downloadURL != nil)),
            ("OS", .object([("Name", .string("ubuntu")), ("Family", .string("debian")), ("Version", .string("24.04")), ("Codename", .string("noble"))])),
        ]
        if let downloadURL { image.append(("DownloadURL", .string(downloadURL))) }
        return .object([
            ("Image", .object(image)),
            ("Path", .object([("Base", .string(".")), ("Image", .string(sessionInit)), ("Version", .string("\(sessionInit)/dev"))])),
            ("Dependencies", .object([])),
        ])
    }

    /// `bakery render <template> --values-file …`, as bakery renders a development version at build time.
    static func render(_ template: String, values: JSONValue) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wb-session-values-\(UUID().uuidString).json")
        try Data(values.text(JSONValue.Style(indent: 2, asciiOnly: false)).utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let path = WorkbenchProject.root.appendingPathComponent(template).path
        let result = try BakeryBinary.run(["render", path, "--values-file", file.path, "--normalize"], in: WorkbenchProject.repository)
        try #require(result.status == 0, "\(template): \(result.stderr)")
        return result.stdout
    }
}

// Helper types, nested so they cannot clash with the other Workbench suites' in this test target.
extension WorkbenchSessionImagesTests {
    /// Runs one RUN command in bash as the build would (`bash -euo pipefail -c`, the build args as variables), with
    /// PATH emptied and the tools the download steps use replaced by functions that record their arguments and
    /// read their input to the end (a stub that left a pipe early would fail the step with SIGPIPE under pipefail):
    /// curl records the http(s) URLs it was given (and prints a manifest-like `{}`), jq prints `manifestURL`.
    enum StubbedStep {
        static let manifestURL = "https://stub.invalid/positron-session-init.tar.gz"

        struct Outcome {
            var status: Int32
            /// The URLs curl was asked for, in order.
            var downloads: [String]
            /// Every stubbed call, as `name arg arg…`.
            var calls: [String]
            var stderr: String
        }

        static func run(_ command: String, variables: [String: String]) throws -> Outcome {
            var script = """
            PATH=/nonexistent-stubbed-step
            stub() { printf 'STUB %s\\n' "$*" >&2; while IFS= read -r _; do :; done; }
            curl() { stub curl "$@"; local a; for a in "$@"; do case "$a" in http://*|https://*) printf 'DOWNLOAD %s\\n' "$a" >&2 ;; esac; done; printf '{}'; }
            jq() { stub jq "$@"; printf '%s\\n' '\(manifestURL)'; }
            for tool in tar mkdir chmod mv rm unzip cp ln; do eval "$tool() { stub $tool \\"\\$@\\"; }"; done

            """
            for (name, value) in variables.sorted(by: { $0.key < $1.key }) {
                script += "\(name)='\(value.replacingOccurrences(of: "'", with: "'\\''"))'\n"
            }
            script += command.replacingOccurrences(of: "\\\n", with: "") + "\n"
            let bash = ExternalTool.locate("bash") ?? "/bin/bash"
            let result = try BakeryBinary.execute(bash, ["-euo", "pipefail", "-c", script], in: FileManager.default.temporaryDirectory)
            let lines = result.stderr.split(separator: "\n").map(String.init)
            return Outcome(status: result.status,
                           downloads: lines.filter { $0.hasPrefix("DOWNLOAD ") }.map { String($0.dropFirst("DOWNLOAD ".count)) },
                           calls: lines.filter { $0.hasPrefix("STUB ") }.map { String($0.dropFirst("STUB ".count)) },
                           stderr: result.stderr)
        }
    }
}
