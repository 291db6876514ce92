// `bakery ci matrix`: one row per image version and platform, optionally narrowed to what a
// change touched (reference spec §12.1).
import BakeryYAML
import Foundation

public enum CIMatrix {
    public enum Column: String, Sendable, CaseIterable { case version, dev, latest, platform }

    /// Rows from targets in generation order; variants and OSes collapse.
    public static func rows(_ targets: [ImageTarget], exclude: Set<Column>) -> JSONValue {
        var seen = Set<String>()
        var rows: [JSONValue] = []
        for t in targets {
            let platforms: [String]
            if exclude.contains(.platform) {
                platforms = [""]
            } else if t.version.os.isEmpty {
                platforms = [Platform.amd64.rawValue]
            } else {
                var union: [String] = []
                for os in t.version.os { for p in os.platforms.map(\.rawValue) where !union.contains(p) { union.append(p) } }
                platforms = union
            }
            for platform in platforms {
                let key = "\(t.image.name)\u{0}\(t.version.name)\u{0}\(platform)"
                if seen.contains(key) { continue }
                seen.insert(key)
                var row: [(String, JSONValue)] = [("image", .string(t.image.name))]
                if !exclude.contains(.version) { row.append(("version", .string(t.version.name))) }
                if !exclude.contains(.dev) { row.append(("dev", .bool(t.version.isDevelopmentVersion))) }
                if !exclude.contains(.latest) { row.append(("latest", .bool(t.version.latest && !t.version.isDevelopmentVersion))) }
                if !exclude.contains(.platform) { row.append(("platform", .string(platform))) }
                rows.append(.object(row))
            }
        }
        return .array(rows)
    }
}

/// What a set of changed files asks to rebuild.
public struct ChangeSelection: Sendable, Equatable {
    public struct ImageSelection: Sendable, Equatable {
        public var versions: Set<String> = []
        public var allReleases = false
        public var includeDev = false
        public var matrixLatest = false

        mutating func merge(_ o: ImageSelection) {
            versions.formUnion(o.versions)
            allReleases = allReleases || o.allReleases
            includeDev = includeDev || o.includeDev
            matrixLatest = matrixLatest || o.matrixLatest
        }
    }

    /// nil: rebuild everything.
    public var images: [String: ImageSelection]?
    public var imageOrder: [String] = []

    public static let full = ChangeSelection(images: nil)
    /// Nothing selected yet (an empty change rebuilds nothing).
    public static let none = ChangeSelection(images: [:])

    public mutating func merge(selection other: ChangeSelection) { merge(other) }

    mutating func add(_ image: String, _ selection: ImageSelection) {
        guard images != nil else { return }
        if images![image] == nil { imageOrder.append(image); images![image] = selection } else { images![image]!.merge(selection) }
    }

    mutating func merge(_ other: ChangeSelection) {
        guard let others = other.images else { self = .full; return }
        for name in other.imageOrder { add(name, others[name]!) }
    }

    /// `{'connect': {'versions': {...}, 'include_all_release': False, …}}` as posit-bakery logs it.
    public var summary: String {
        guard let images else { return "full" }
        if images.isEmpty { return "no affected images" }
        return "{" + imageOrder.map { name in
            let s = images[name]!
            let versions = s.versions.isEmpty ? "set()" : "{" + s.versions.sorted().map { "'\($0)'" }.joined(separator: ", ") + "}"
            return "'\(name)': {'versions': \(versions), 'include_all_release': \(s.allReleases ? "True" : "False"), 'include_dev': \(s.includeDev ? "True" : "False"), 'include_matrix_latest': \(s.matrixLatest ? "True" : "False")}"
        }.joined(separator: ", ") + "}"
    }

    /// Classifies changed paths (relative to the project root). `bakeryYAMLChange` is the semantic
    /// diff of bakery.yaml when known; without it a changed bakery.yaml means a full rebuild.
    public static func classify(_ paths: [String], config: BakeryConfig, bakeryYAMLChange: ChangeSelection?) -> ChangeSelection {
        var selection = ChangeSelection(images: [:])
        for path in paths {
            if path.lowercased().hasSuffix(".md") { continue }
            if path == "bakery.yaml" || path == "bakery.yml" {
                guard let change = bakeryYAMLChange else { return .full }
                selection.merge(change)
                if selection.images == nil { return .full }
                continue
            }
            if path.hasPrefix(".github/workflows/") { return .full }
            if path == ".gitignore" || path == ".pre-commit-config.yaml" || path.hasPrefix(".idea/") || path.hasPrefix(".claude/") || path.hasPrefix(".github/") {
                continue
            }
            guard let image = config.images.first(where: { path == $0.subpath || path.hasPrefix($0.subpath + "/") }) else { return .full }
            let remainder = path == image.subpath ? "" : String(path.dropFirst(image.subpath.count + 1))
            var s = ImageSelection()
            if image.matrix != nil {
                s.matrixLatest = true
                s.includeDev = !image.devVersions.isEmpty
            } else if remainder == "template" || remainder.hasPrefix("template/") {
                guard !image.devVersions.isEmpty else { continue }
                s.includeDev = true
            } else if let first = remainder.split(separator: "/").first.map(String.init),
                      image.versions.contains(where: { $0.subpath == first }) {
                s.versions = Set(image.versions.filter { $0.subpath == first }.map(\.name))
            } else {
                s.allReleases = true
            }
            selection.add(image.name, s)
        }
        return selection
    }

    /// Whether `target` is selected.
    public func keeps(_ target: ImageTarget) -> Bool {
        guard let images else { return true }
        guard let s = images[target.image.name] else { return false }
        if target.version.isDevelopmentVersion { return s.includeDev }
        if target.version.isMatrixVersion { return s.matrixLatest && target.version.latest }
        return s.allReleases || s.versions.contains(target.version.name)
    }
}

/// The semantic difference between two bakery.yaml texts (§12.1), as a change selection.
public enum BakeryYAMLDiff {
    indirect enum Tree: Equatable {
        case scalar(String)
        case list([Tree])
        case map([(String, Tree)])

        static func == (a: Tree, b: Tree) -> Bool {
            switch (a, b) {
            case (.scalar(let x), .scalar(let y)): return x == y
            case (.list(let x), .list(let y)): return x == y
            case (.map(let x), .map(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            default: return false
            }
        }

        subscript(key: String) -> Tree? {
            if case .map(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
            return nil
        }

        var string: String? { if case .scalar(let s) = self { return s }; return nil }
        var list: [Tree]? { if case .list(let l) = self { return l }; return nil }
        var keys: [String] { if case .map(let p) = self { return p.map(\.0) }; return [] }

        static func from(_ node: YAMLNode) -> Tree {
            switch node.content {
            case .scalar: return .scalar(node.scalar ?? "")
            case .sequence: return .list(node.items.map(from))
            case .mapping: return .map(node.pairs.map { ($0.key.scalar ?? "", from($0.value)) })
            }
        }
    }

    public static func change(old: String, new: String) -> ChangeSelection {
        guard let o = (try? YAMLParser.parse(old)).flatMap({ $0 }).map(Tree.from),
              let n = (try? YAMLParser.parse(new)).flatMap({ $0 }).map(Tree.from),
              case .map = o, case .map = n,
              let oldImages = images(o), let newImages = images(n) else { return .full }
        // Anything outside `images` changed → full.
        let outside = Set(o.keys + n.keys).subtracting(["images"])
        for key in outside where o[key] != n[key] { return .full }
        var selection = ChangeSelection(images: [:])
        for (name, newImage) in newImages {
            guard let oldImage = oldImages.first(where: { $0.0 == name })?.1, oldImage != newImage else { continue }
            if oldImage["matrix"] != nil || newImage["matrix"] != nil {
                if matrixNeedsRebuild(oldImage, newImage) {
                    var s = ChangeSelection.ImageSelection()
                    s.matrixLatest = true
                    s.includeDev = (newImage["devVersions"]?.list?.isEmpty == false)
                    selection.add(name, s)
                }
                continue
            }
            var s = ChangeSelection.ImageSelection()
            let otherKeys = Set(oldImage.keys + newImage.keys).subtracting(["versions"])
            if otherKeys.contains(where: { oldImage[$0] != newImage[$0] }) {
                s.allReleases = true
            } else {
                let oldVersions = versions(oldImage), newVersions = versions(newImage)
                for (vname, v) in newVersions {
                    guard let before = oldVersions.first(where: { $0.0 == vname })?.1 else { s.versions.insert(vname); continue }
                    if before == v { continue }
                    if onlyLostLatest(before, v) { continue }
                    s.versions.insert(vname)
                }
                if s.versions.isEmpty { continue }
            }
            selection.add(name, s)
        }
        return selection
    }

    private static func images(_ root: Tree) -> [(String, Tree)]? {
        guard let list = root["images"]?.list else { return root["images"] == nil ? [] : nil }
        var out: [(String, Tree)] = []
        for image in list {
            guard case .map = image, let name = image["name"]?.string else { return nil }
            if image["matrix"] == nil {
                for v in image["versions"]?.list ?? [] {
                    guard case .map = v, v["name"]?.string != nil else { return nil }
                }
            } else {
                for d in image["matrix"]?["dependencies"]?.list ?? [] {
                    guard d["dependency"]?.string != nil else { return nil }
                }
            }
            out.append((name, image))
        }
        return out
    }

    private static func versions(_ image: Tree) -> [(String, Tree)] {
        (image["versions"]?.list ?? []).compactMap { v in v["name"]?.string.map { ($0, v) } }
    }

    private static func onlyLostLatest(_ old: Tree, _ new: Tree) -> Bool {
        guard case .map(let o) = old, case .map(let n) = new else { return false }
        let oWithout = o.filter { $0.0 != "latest" }, nWithout = n.filter { $0.0 != "latest" }
        let wasLatest = old["latest"]?.string == "true"
        let isLatest = new["latest"]?.string == "true"
        return Tree.map(oWithout) == Tree.map(nWithout) && wasLatest && !isLatest
    }

    private static func matrixNeedsRebuild(_ old: Tree, _ new: Tree) -> Bool {
        let outside = Set(old.keys + new.keys).subtracting(["matrix"])
        if outside.contains(where: { old[$0] != new[$0] }) { return true }
        let om = old["matrix"] ?? .map([]), nm = new["matrix"] ?? .map([])
        let matrixKeys = Set(om.keys + nm.keys).subtracting(["dependencies", "dependencyConstraints"])
        if matrixKeys.contains(where: { om[$0] != nm[$0] }) { return true }
        if om["dependencyConstraints"] != nm["dependencyConstraints"] { return true }
        func axes(_ m: Tree) -> [String: [String]] {
            var out: [String: [String]] = [:]
            for d in m["dependencies"]?.list ?? [] {
                if let name = d["dependency"]?.string { out[name] = (d["versions"]?.list ?? []).compactMap(\.string) }
            }
            return out
        }
        let oa = axes(om), na = axes(nm)
        if Set(oa.keys) != Set(na.keys) { return true }
        for (name, versions) in na where versions.contains(where: { !(oa[name] ?? []).contains($0) }) { return true }
        return false
    }
}
