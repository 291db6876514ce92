// Matrix images: one version per combination of dependency versions and values.
import Foundation
import Jinja

/// Expands `image.matrix` into versions.
enum MatrixExpansion {
    struct Axis {
        enum Kind { case dependency(DependencyName), value(String, isList: Bool) }
        var kind: Kind
        var items: [String]
        var label: String {
            switch kind {
            case .dependency(let d): return d.rawValue
            case .value(let k, _): return "value:\(k)"
            }
        }
    }

    static func expand(_ image: Image, matrix: ImageMatrix, globalRegistries: [Registry], resolver: VersionResolver,
                       log: TargetLog) throws -> [(version: ImageVersion, values: [KeyValue], registries: [Registry])] {
        var axes: [Axis] = matrix.dependencies.map { Axis(kind: .dependency($0.dependency), items: $0.versions) }
        for constraint in matrix.dependencyConstraints {
            axes.append(Axis(kind: .dependency(constraint.dependency), items: try resolver.versions(for: constraint, image: image)))
        }
        for (key, value) in matrix.values {
            switch value {
            case .single(let s): axes.append(Axis(kind: .value(key, isList: false), items: [s]))
            case .list(let l): axes.append(Axis(kind: .value(key, isList: true), items: l))
            }
        }
        guard !axes.isEmpty, axes.allSatisfy({ !$0.items.isEmpty }) else { return [] }

        // Rows: cartesian product, last axis fastest.
        var rows: [[String]] = [[]]
        for axis in axes {
            rows = rows.flatMap { row in axis.items.map { row + [$0] } }
        }

        let latestRow = latestCombination(axes, pattern: matrix.namePattern, log: log)
        let latestPatchRows = latestPatchCombinations(axes, rows: rows, pattern: matrix.namePattern, log: log)
        let imageRegistries = image.registries(global: globalRegistries)
        let registries = Registry.effective(override: matrix.overrideRegistries, extra: matrix.extraRegistries, inherited: imageRegistries)

        let template: Template
        do {
            var env = Environment()
            BakeryFilters.install(into: &env)
            template = try env.template(source: matrix.namePattern, name: "matrix.namePattern of image '\(image.name)'")
            var out: [(ImageVersion, [KeyValue], [Registry])] = []
            var env2 = Environment()
            BakeryFilters.install(into: &env2)
            for (index, row) in rows.enumerated() {
                var dependencies: [DependencyVersions] = []
                var depContext = Dict()
                var valueContext = Dict()
                var values: [KeyValue] = []
                for (axis, item) in zip(axes, row) {
                    switch axis.kind {
                    case .dependency(let d):
                        dependencies.append(DependencyVersions(dependency: d, versions: [item]))
                        depContext[string: d.rawValue] = .string(item)
                    case .value(let key, _):
                        values.append(KeyValue(key, item))
                        valueContext[string: key] = .string(item)
                    }
                }
                let rendered = try template.render(["Dependencies": .dict(depContext), "Values": .dict(valueContext)], environment: env2)
                let name = TagRules.strip(rendered.trimmingCharacters(in: .whitespacesAndNewlines))
                var version = ImageVersion(name: name, subpath: matrix.subpath, latest: index == latestRow, os: matrix.os,
                                           dependencies: dependencies, buildTarget: matrix.buildTarget ?? image.buildTarget,
                                           location: matrix.location)
                version.extraRegistries = matrix.extraRegistries
                version.overrideRegistries = matrix.overrideRegistries
                version.values = Dictionary(values.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
                version.isMatrixVersion = true
                version.isLatestPatchCombination = latestPatchRows.contains(index)
                out.append((version, values, registries))
            }
            return out
        } catch let error as JinjaError {
            throw BakeryError(.templateFailed, "image '\(image.name)': the matrix namePattern '\(matrix.namePattern)' cannot be rendered: \(error.message)",
                              location: matrix.location, hint: "fix the Jinja expression in the matrix's namePattern", cause: error)
        }
    }

    /// The row index whose every dependency axis and list-valued value axis holds that axis's maximum.
    static func latestCombination(_ axes: [Axis], pattern: String, log: TargetLog) -> Int? {
        var picks: [String?] = []
        for axis in axes {
            switch axis.kind {
            case .value(_, isList: false):
                picks.append(nil)
            default:
                var best: (String, PEP440Version)? = nil
                for item in axis.items {
                    guard let v = PEP440Version(item) else {
                        log.warning("Image matrix '\(pattern)': cannot determine latest because axis '\(axis.label)' has unparseable version '\(item)' (Invalid version: '\(item)'). No 'latest'-family tags will be emitted for this matrix.")
                        return nil
                    }
                    if best.map({ $0.1 < v }) ?? true { best = (item, v) }
                }
                picks.append(best?.0)
            }
        }
        // Index of the row matching all picks, computed from axis positions (rows are a cartesian product).
        var index = 0
        for (axis, pick) in zip(axes, picks) {
            let position = pick.flatMap { p in axis.items.firstIndex(of: p) } ?? 0
            index = index * axis.items.count + position
        }
        return index
    }

    /// Rows that are the newest patch of their `stripPatch` group.
    static func latestPatchCombinations(_ axes: [Axis], rows: [[String]], pattern: String, log: TargetLog) -> Set<Int> {
        let depOrder = axes.indices.filter { if case .dependency = axes[$0].kind { return true }; return false }
            .sorted { axes[$0].label < axes[$1].label }
        let valueOrder = axes.indices.filter { if case .value = axes[$0].kind { return true }; return false }
            .sorted { axes[$0].label < axes[$1].label }
        for i in depOrder {
            for item in axes[i].items where PEP440Version(item) == nil {
                log.warning("Image matrix '\(pattern)': cannot determine latest patch combinations because dependency '\(axes[i].label)' version '\(item)' is unparseable (Invalid version: '\(item)'). No 'latestPatch'-family tags will be emitted for this matrix.")
                return []
            }
        }
        var best: [[String]: (Int, [Double])] = [:]
        for (r, row) in rows.enumerated() {
            let key = (depOrder + valueOrder).map { BakeryFilters.stripPatch(row[$0]) }
            var tuple: [Double] = []
            // Every dependency item parsed above; a row item that somehow does not counts as no release numbers.
            for i in depOrder { tuple += (PEP440Version(row[i])?.release ?? []).map(Double.init) + [-1] }
            for i in valueOrder { tuple += numericRuns(row[i]) + [-1] }
            if let current = best[key], !lexicographicallyLess(current.1, tuple) { continue }
            best[key] = (r, tuple)
        }
        return Set(best.values.map(\.0))
    }

    /// The numbers of every dotted numeric run in `s` (`\d+(\.\d+)+`, leftmost and longest, not
    /// overlapping): "py3.12.1-r4.5" → [3, 12, 1, 4, 5]. Digits are Unicode decimal digits, as `\d`
    /// matches them; a part that is not an ASCII number is skipped.
    static func numericRuns(_ s: String) -> [Double] {
        let scalars = Array(s.unicodeScalars)
        func isDigit(_ i: Int) -> Bool { i < scalars.count && scalars[i].properties.numericType == .decimal }
        func digitRunEnd(from i: Int) -> Int {
            var j = i
            while isDigit(j) { j += 1 }
            return j
        }
        var out: [Double] = []
        var i = 0
        while i < scalars.count {
            guard isDigit(i) else { i += 1; continue }
            var parts = [i..<digitRunEnd(from: i)]
            while let last = parts.last, last.upperBound < scalars.count, scalars[last.upperBound] == ".", isDigit(last.upperBound + 1) {
                parts.append((last.upperBound + 1)..<digitRunEnd(from: last.upperBound + 1))
            }
            if parts.count > 1 {
                for part in parts {
                    var text = String.UnicodeScalarView()
                    text.append(contentsOf: scalars[part])
                    if let n = Double(String(text)) { out.append(n) }
                }
            }
            i = parts.last?.upperBound ?? (i + 1)
        }
        return out
    }

    private static func lexicographicallyLess(_ a: [Double], _ b: [Double]) -> Bool {
        for (x, y) in zip(a, b) where x != y { return x < y }
        return a.count < b.count
    }
}
