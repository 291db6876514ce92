// Rendering an image's templates into a version (or matrix) folder.
import Foundation
import Jinja

extension JinjaError {
    /// The template line of a template engine failure (nil for other errors).
    static func line(of error: any Error) -> Int? { (error as? JinjaError)?.line }
    /// The message of a template engine failure, or the error's own text.
    static func message(of error: any Error) -> String {
        switch error {
        case let error as JinjaError: return error.message
        case let error as BakeryError: return error.message
        default: return "\(error)"
        }
    }
}

public enum VersionRendering {
    static let templateExtensions = [".jinja2", ".j2", ".jinja"]

    /// The files of `<image dir>/template/` rendered for `version` (or the matrix when `version`
    /// is a matrix row placeholder), relative paths under `destination` (relative to the root).
    /// Templates whose relative path does not start with a match of one of `patterns` are skipped.
    /// Failed templates throw one `.templateFailed` error listing them all.
    public static func render(image: Image, version: ImageVersion?, matrix: Bool, root: URL, destination: String,
                              patterns: [NSRegularExpression] = [], log: TargetLog) throws(BakeryError) -> [RenderedFile] {
        let (files, failures) = try renderCollecting(image: image, version: version, matrix: matrix, root: root,
                                                     destination: destination, patterns: patterns, log: log)
        if !failures.isEmpty { throw .templatesFailed(failures) }
        return files
    }

    /// `render`, with the failed templates returned beside the files (for runs that report the
    /// failures of several versions together).
    public static func renderCollecting(image: Image, version: ImageVersion?, matrix: Bool, root: URL, destination: String,
                                        patterns: [NSRegularExpression] = [], log: TargetLog) throws(BakeryError)
        -> (files: [RenderedFile], failures: [RenderFailure]) {
        let templateDir = root.appendingPathComponent(image.subpath).appendingPathComponent("template")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: templateDir.path, isDirectory: &isDir), isDir.boolValue else {
            throw BakeryError(.fileSystem, "Image '\(image.name)' template path does not exist: \(image.subpath)/template", location: image.location)
        }
        // Templates are read only from inside the project, whatever links lead there.
        let realRoot = ProjectDirectory.realPath(root.path) ?? root.path
        guard let realTemplates = ProjectDirectory.realPath(templateDir.path), realTemplates.hasPrefix(realRoot + "/") else {
            throw BakeryError(.unsafePath, "the template folder '\(image.subpath)/template' of image '\(image.name)' leads outside the project (to \(ProjectDirectory.realPath(templateDir.path) ?? "?"))",
                              hint: "bakery reads templates only from inside the project; replace the link with the folder")
        }
        let environment: Environment
        do {
            environment = try TemplateEnvironment.make(templateDirectories: [templateDir.path])
        } catch {
            throw BakeryError.from(error)
        }
        var files: [RenderedFile] = []
        var failures: [RenderFailure] = []
        let versionLabel = matrix ? "matrix" : (version?.name ?? "")
        let oses = version?.os ?? image.matrix?.os ?? []

        // Listed and read through one descriptor of the real folder: a file swapped for a link after
        // the listing is refused, never read.
        let realDir = URL(fileURLWithPath: realTemplates)
        let reader = try FolderReader(realDir, shown: "\(image.subpath)/template")
        for relative in walk(realDir, shown: "\(image.subpath)/template", log: log) {
            if !patterns.isEmpty, !patterns.contains(where: { p in
                RegexWatchdog.run(p.pattern, what: "--template-pattern") {
                    p.firstMatch(in: relative, options: .anchored, range: NSRange(relative.startIndex..<relative.endIndex, in: relative)) != nil
                }
            }) { continue }
            let data: Data, permissions: Int
            do {
                (data, permissions) = try reader.read(relative)
            } catch {
                failures.append(RenderFailure(template: "\(image.subpath)/template/\(relative)", line: nil, cause: error.message + (error.hint.map { " (\($0))" } ?? ""),
                                              image: image.name, version: versionLabel, variant: nil, destination: "\(destination)/\(relative)"))
                continue
            }
            guard let ext = templateExtensions.first(where: { relative.hasSuffix($0) }) else {
                files.append(RenderedFile(path: "\(destination)/\(relative)", contents: data, permissions: permissions))
                continue
            }
            let outputName = String(relative.dropLast(ext.count))
            guard let text = String(data: data, encoding: .utf8) else {
                failures.append(RenderFailure(template: "\(image.subpath)/template/\(relative)", line: nil, cause: "not readable UTF-8 text",
                                              image: image.name, version: versionLabel, variant: nil, destination: "\(destination)/\(outputName)"))
                continue
            }
            let templateName = "\(image.subpath)/template/\(relative)"
            let parsed: Template
            do {
                parsed = try environment.template(source: text, name: templateName)
            } catch {
                failures.append(RenderFailure(template: templateName, line: JinjaError.line(of: error), cause: JinjaError.message(of: error),
                                              image: image.name, version: versionLabel,
                                              variant: nil, destination: "\(destination)/\(outputName)"))
                continue
            }
            var jobs: [(output: String, variant: ImageVariant?, os: ImageVersionOS?)] = []
            if outputName.hasPrefix("Containerfile") && !outputName.contains("/") && !image.variants.isEmpty {
                let parts = outputName.split(separator: ".")
                let osExtension = parts.count > 1 ? parts.last.map(String.init) : nil
                let matched = osExtension.flatMap { e in oses.first { $0.extension == e } }
                if !matrix && !oses.isEmpty && outputName != "Containerfile" && matched == nil {
                    log.info("Skipping rendering '\(templateName)' for image version '\(image.name)/\(versionLabel)' since no matching os extension found in defined OS extensions \(oses.map(\.extension))")
                    continue
                }
                for variant in image.variants {
                    jobs.append(("\(outputName).\(variant.extension)", variant, matched))
                }
            } else {
                jobs.append((outputName, nil, nil))
            }
            for job in jobs {
                let context = self.context(image: image, version: version, matrix: matrix, variant: job.variant, os: job.os,
                                           destination: destination)
                do {
                    let rendered = try parsed.render(context, environment: environment)
                    files.append(RenderedFile(path: "\(destination)/\(job.output)", contents: Data(TemplateValues.normalizeRendered(rendered).utf8),
                                              permissions: permissions))
                } catch {
                    failures.append(RenderFailure(template: templateName, line: JinjaError.line(of: error), cause: JinjaError.message(of: error),
                                                  image: image.name, version: versionLabel, variant: job.variant?.name,
                                                  destination: "\(destination)/\(job.output)"))
                }
            }
        }
        return (files, failures)
    }

    /// Regular files below `dir`, relative, sorted. Links are never followed: a link, FIFO, socket or
    /// device is skipped with a warning that says what it is (and where a link points).
    static func walk(_ dir: URL, shown: String, log: TargetLog) -> [String] {
        var out: [String] = []
        let (entries, complete) = FolderWalk.scan(dir)
        if !complete {
            log.warning("Only part of \(shown) was rendered: it holds more than 200,000 entries or folders more than \(ProjectDirectory.maxDepth) levels deep")
        }
        for entry in entries {
            switch entry.kind {
            case .regular: out.append(entry.path)
            case .directory: continue
            case .symlink(let target):
                log.warning("Skipping \(shown)/\(entry.path): it is a symbolic link to '\(target)', and links under template/ are not rendered (copy the file into the template folder instead)")
            default:
                log.warning("Skipping \(shown)/\(entry.path): it is \(entry.kind.words), not a regular file")
            }
        }
        return out.sorted()
    }

    /// The variables a template sees: Image (Name, DisplayName, Version, Variant, OS, …), Path, Dependencies and the version's values.
    static func context(image: Image, version: ImageVersion?, matrix: Bool, variant: ImageVariant?, os: ImageVersionOS?,
                        destination: String) -> [String: Value] {
        var imageValues = Dict()
        imageValues[string: "Name"] = .string(image.name)
        imageValues[string: "DisplayName"] = .string(image.displayName)
        if !matrix, let version {
            imageValues[string: "Version"] = .string(version.name)
            imageValues[string: "IsDevelopmentVersion"] = .bool(version.isDevelopmentVersion)
        }
        if let variant { imageValues[string: "Variant"] = .string(variant.name) }
        if let os {
            let build = os.buildOS
            var osValues = Dict()
            osValues[string: "Name"] = .string(build.name)
            osValues[string: "Family"] = .string(build.family.rawValue)
            osValues[string: "Version"] = .string(build.version)
            osValues[string: "Codename"] = build.codename.map { Value.string($0) } ?? Value.none
            imageValues[string: "OS"] = .dict(osValues)
            if let url = os.artifactDownloadURL { imageValues[string: "DownloadURL"] = .string(url) }
        }
        var path = Dict()
        path[string: "Base"] = "."
        path[string: "Image"] = .string(image.subpath)
        path[string: "Version"] = .string(destination)
        var context: [String: Value] = ["Image": .dict(imageValues), "Path": .dict(path)]
        if !matrix, let version {
            var deps = Dict()
            for d in version.dependencies { deps[string: d.dependency.rawValue] = .list(d.versions.map { .string($0) }) }
            context["Dependencies"] = .dict(deps)
            for (k, v) in version.values { context[k] = .string(v) }
        }
        return context
    }
}
