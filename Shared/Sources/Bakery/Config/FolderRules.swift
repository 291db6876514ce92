// The folder rules validate enforces: every folder is a normalised path of its own, and no two folders
// that commands write or delete overlap (names derive folders as posit-bakery does; the overlap rules are ours).
import BakeryYAML

enum FolderRules {
    /// A `subpath:` value, normalised; nil (with a located error) when it is not a usable folder.
    static func subpath(_ spelling: String, node: YAMLNode?, path: ConfigPath, reader: ConfigReader) -> String? {
        switch FolderPath.parse(spelling) {
        case .success(let folder): return folder.description
        case .failure(let problem):
            switch problem {
            case .empty:
                reader.error(node, path, "a subpath cannot be empty", hint: problem.hint)
            case .absolute:
                reader.error(node, path, "'\(spelling)' is an absolute path",
                             hint: "give a folder relative to the project, e.g. '\(spelling.drop { $0 == "/" || $0 == "~" })'")
            case .parent:
                reader.error(node, path, "'\(spelling)' leaves its parent folder", hint: problem.hint)
            default:
                reader.error(node, path, "'\(printable(spelling))' \(problem.message)", hint: problem.hint)
            }
            return nil
        }
    }

    /// An image or version name: it becomes a folder name, so it must be exactly one safe one.
    @discardableResult
    static func name(_ name: String, what: String, node: YAMLNode?, path: ConfigPath, reader: ConfigReader) -> Bool {
        guard case .failure(let problem) = FolderPath.name(NameDerivation.subpath(name)), !name.isEmpty else { return true }
        reader.error(node, path, "the \(what) name '\(printable(name))' \(problem.message)",
                     hint: "a \(what) name is also a folder name and a tag: use letters, digits, '.', '_', '-' and '+', with no '/' and not '.' or '..' alone")
        return false
    }

    /// Control characters shown as escapes, so the message itself stays on one line; cut (with `…`) once `limit`
    /// characters are written.
    static func printable(_ s: String, limit: Int = .max) -> String {
        var out = ""
        var written = 0
        for c in s.unicodeScalars {
            if written >= limit { return out + "…" }
            if FolderPath.isControl(c) {
                let escape = "\\u{\(String(c.value, radix: 16))}"
                out += escape
                written += escape.unicodeScalars.count
            } else {
                out.unicodeScalars.append(c)
                written += 1
            }
        }
        return out
    }

    /// A folder with the entry it belongs to, for overlap checks.
    struct Owner {
        var folder: FolderPath
        var label: String
        var node: YAMLNode?
        var path: ConfigPath

        init(folder: FolderPath, label: String, node: YAMLNode?, path: ConfigPath) {
            self.folder = folder
            self.label = label
            self.node = node
            self.path = path
        }

        /// A list entry's folder, located at its `subpath` key, or at its `name` when derived from it; nil when unusable (already reported).
        init?<T>(entry: Fields.Entry<T>, subpath: String, label: String, list: ConfigPath) {
            guard case .success(let folder) = FolderPath.parse(subpath) else { return nil }
            let key = entry.node["subpath"] != nil ? "subpath" : "name"
            self.init(folder: folder, label: label, node: entry.node[key] ?? entry.node, path: list.index(entry.index).key(key))
        }
    }

    /// Image folders: none may be the project's own files, and no two may be equal or nested.
    static func checkImages(_ owners: [Owner], reader: ConfigReader) {
        for (i, a) in owners.enumerated() {
            if let first = a.folder.folded.components.first, FolderPath.reservedRootNames.contains(first) {
                reader.error(a.node, a.path, "the folder '\(a.folder)' of \(a.label) is '\(first)', which bakery keeps at the project root",
                             hint: "give the image another 'subpath'")
            }
            // Two entries of one name are reported as duplicates already.
            for b in owners[..<i] where a.label != b.label && a.folder.folded.overlaps(b.folder.folded) {
                reportOverlap(a, b, kind: "image folders", reader: reader)
                break
            }
        }
    }

    /// Version and matrix folders of one image: apart from its template folder and from each other.
    static func checkVersions(_ owners: [Owner], imageLabel: String, reader: ConfigReader) {
        let template = FolderPath(components: ["template"])
        for (i, a) in owners.enumerated() {
            if a.folder.folded == template {
                reader.error(a.node, a.path, "the folder '\(a.folder)' of \(a.label) is the template folder of \(imageLabel)",
                             hint: "rendered files would replace the templates; give the version another 'subpath'")
            } else if template.contains(a.folder.folded) {
                reader.error(a.node, a.path, "the folder '\(a.folder)' of \(a.label) lies inside the template folder of \(imageLabel)",
                             hint: "rendered files would land among the templates; give the version another 'subpath'")
            }
            for b in owners[..<i] where a.label != b.label && a.folder.folded.overlaps(b.folder.folded) {
                reportOverlap(a, b, kind: "version folders", reader: reader)
                break
            }
        }
    }

    private static func reportOverlap(_ a: Owner, _ b: Owner, kind: String, reader: ConfigReader) {
        let message: String
        if a.folder.folded == b.folder.folded {
            message = "\(a.label) and \(b.label) share the folder '\(a.folder)'"
        } else if b.folder.folded.contains(a.folder.folded) {
            message = "the folder '\(a.folder)' of \(a.label) lies inside the folder '\(b.folder)' of \(b.label)"
        } else {
            message = "the folder '\(a.folder)' of \(a.label) contains the folder '\(b.folder)' of \(b.label)"
        }
        reader.error(a.node, a.path, message,
                     hint: "\(kind) cannot be equal or nested: removing or re-rendering one would delete or overwrite the other; give each its own 'subpath'",
                     code: .duplicate)
    }
}
