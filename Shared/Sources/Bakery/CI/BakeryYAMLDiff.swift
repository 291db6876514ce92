// The semantic difference between two bakery.yaml texts, as the images and versions to rebuild.
import BakeryYAML
import OrderedCollections

/// The semantic difference between two bakery.yaml texts, as a change selection: anything outside
/// `images` rebuilds everything; an image's own keys rebuild its releases; a version's entry
/// rebuilds that version, unless it only lost `latest: true`.
public enum BakeryYAMLDiff {
    /// A YAML document as plain values; a mapping keeps its key order (the first of duplicate keys wins).
    indirect enum Tree: Equatable {
        case scalar(String)
        case list([Tree])
        case map(OrderedDictionary<String, Tree>)

        subscript(key: String) -> Tree? {
            if case .map(let pairs) = self { return pairs[key] }
            return nil
        }

        var string: String? { if case .scalar(let s) = self { return s }; return nil }
        var list: [Tree]? { if case .list(let l) = self { return l }; return nil }
        var keys: [String] { if case .map(let p) = self { return Array(p.keys) }; return [] }

        static func from(_ node: YAMLNode) -> Tree {
            switch node.content {
            case .scalar: return .scalar(node.scalar ?? "")
            case .sequence: return .list(node.items.map(from))
            case .mapping:
                return .map(OrderedDictionary(node.pairs.map { ($0.key.scalar ?? "", from($0.value)) }, uniquingKeysWith: { first, _ in first }))
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
            guard let oldImage = oldImages[name], oldImage != newImage else { continue }
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
                    guard let before = oldVersions[vname] else { s.versions.insert(vname); continue }
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

    /// The image entries by name, or nil when `images` is missing or not a list of confidently
    /// shaped entries (named mappings whose `versions` and `matrix.dependencies`, when present, are
    /// lists of named mappings): what is not understood rebuilds everything.
    private static func images(_ root: Tree) -> OrderedDictionary<String, Tree>? {
        guard let list = root["images"]?.list else { return nil }
        var out: OrderedDictionary<String, Tree> = [:]
        for image in list {
            guard case .map = image, let name = image["name"]?.string else { return nil }
            if let versions = image["versions"] {
                guard let entries = versions.list else { return nil }
                for v in entries {
                    guard case .map = v, v["name"]?.string != nil else { return nil }
                }
            }
            if case .map = image["matrix"], let dependencies = image["matrix"]?["dependencies"] {
                guard let entries = dependencies.list else { return nil }
                for d in entries {
                    guard d["dependency"]?.string != nil else { return nil }
                }
            }
            if out[name] == nil { out[name] = image }
        }
        return out
    }

    private static func versions(_ image: Tree) -> OrderedDictionary<String, Tree> {
        var out: OrderedDictionary<String, Tree> = [:]
        for v in image["versions"]?.list ?? [] {
            if let name = v["name"]?.string, out[name] == nil { out[name] = v }
        }
        return out
    }

    private static func onlyLostLatest(_ old: Tree, _ new: Tree) -> Bool {
        guard case .map(var o) = old, case .map(var n) = new else { return false }
        let wasLatest = o.removeValue(forKey: "latest")?.string == "true"
        let isLatest = n.removeValue(forKey: "latest")?.string == "true"
        return o == n && wasLatest && !isLatest
    }

    private static func matrixNeedsRebuild(_ old: Tree, _ new: Tree) -> Bool {
        let outside = Set(old.keys + new.keys).subtracting(["matrix"])
        if outside.contains(where: { old[$0] != new[$0] }) { return true }
        let om = old["matrix"] ?? .map([:]), nm = new["matrix"] ?? .map([:])
        let matrixKeys = Set(om.keys + nm.keys).subtracting(["dependencies", "dependencyConstraints"])
        if matrixKeys.contains(where: { om[$0] != nm[$0] }) { return true }
        // Left out and empty are the same constraints.
        if (om["dependencyConstraints"] ?? .list([])) != (nm["dependencyConstraints"] ?? .list([])) { return true }
        // A dependency names its values as a list (`versions: [...]`) or one value (`version: x`).
        func axes(_ m: Tree) -> [String: [String]] {
            var out: [String: [String]] = [:]
            for d in m["dependencies"]?.list ?? [] {
                guard let name = d["dependency"]?.string else { continue }
                if let list = d["versions"]?.list {
                    out[name] = list.compactMap(\.string)
                } else if let one = d["version"]?.string {
                    out[name] = [one]
                } else {
                    out[name] = []
                }
            }
            return out
        }
        let oa = axes(om), na = axes(nm)
        if Set(oa.keys) != Set(na.keys) { return true }
        for (name, versions) in na where versions.contains(where: { !(oa[name] ?? []).contains($0) }) { return true }
        return false
    }
}
