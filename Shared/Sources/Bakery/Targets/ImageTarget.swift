// A build target: one image version × variant × OS, with everything the plan needs to know about it.
import Foundation

/// One target: a version of an image, built for one variant and one OS.
///
///     target.uid              // "connect-2026-03-1-standard-ubuntu-24-04"
///     target.containerfile    // "connect/2026.03/Containerfile.ubuntu2404.std"
public struct ImageTarget: Sendable {
    public var image: Image
    public var version: ImageVersion
    public var variant: ImageVariant?
    public var os: ImageVersionOS?
    /// Registries the tags go to (the version's, else the image's, else the project's).
    public var registries: [Registry]
    /// The project (product folder) this target belongs to, relative to where bakery runs: "." for one project.
    public var context: String
    /// Ordered row values of a matrix version (for build args).
    public var rowValues: [KeyValue]
    /// Position in generation order, used by `ci matrix`.
    public var generationIndex = 0

    /// The release channel: the version's channel, `release` by default.
    /// The target's project folder: `context` is relative to the workspace `root` (`.` for a single project).
    public func projectFolder(in root: URL) -> URL {
        context == "." || context.isEmpty ? root : root.appendingPathComponent(context, isDirectory: true).standardizedFileURL
    }

    public var channel: ReleaseChannel { version.metadata.releaseChannel ?? .release }

    public var uid: String {
        var s = "\(image.name)-\(version.name)"
        if let variant { s += "-\(variant.name)" }
        if let os { s += "-\(os.name)" }
        if channel != .release { s += "-\(channel.rawValue)" }
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            let bytes = s.utf8.map { b -> UInt8 in
                switch b {
                case UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "/"): return UInt8(ascii: "-")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): return b + 32
                default: return b
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        var out = ""
        for c in s.lowercased() {
            out.append(c == " " || c == "." || c == "+" || c == "/" ? "-" : c)
        }
        return out
    }

    /// `ImageTarget(image='connect', version='2026.03.1', variant='Standard', os='Ubuntu 24.04')`: logs and default order.
    public var display: String {
        var s = "ImageTarget(image='\(image.name)', version='\(version.name)'"
        if let variant { s += ", variant='\(variant.name)'" }
        if let os { s += ", os='\(os.name)'" }
        return s + ")"
    }

    /// The version's directory relative to the project root.
    public var versionDirectory: String {
        let imageDir = image.subpath
        return imageDir.isEmpty || imageDir == "." ? version.subpath : "\(imageDir)/\(version.subpath)"
    }

    /// `<version dir>/Containerfile[.<os ext>][.<variant ext>]`.
    public var containerfile: String {
        var s = "\(versionDirectory)/Containerfile"
        if let os { s += ".\(os.extension)" }
        if let variant { s += ".\(variant.extension)" }
        return s
    }

    /// The OS's platforms, `linux/amd64` without an OS.
    public var platforms: [String] {
        guard let os else { return [Platform.amd64.rawValue] }
        return os.platforms.map(\.rawValue)
    }

    /// Build stage: the version's, else the image's.
    public var buildStage: String? { version.buildTarget ?? image.buildTarget }

    /// Matrix build args: `<DEP>_VERSION` per dependency, then each row value upper-cased.
    public var buildArgs: [KeyValue] {
        guard version.isMatrixVersion else { return [] }
        var args = version.dependencies.compactMap { d in d.versions.first.map { KeyValue("\(d.dependency.rawValue.uppercased())_VERSION", $0) } }
        args += rowValues.map { KeyValue($0.key.uppercased(), $0.value) }
        return args
    }

    /// Whether a primary-only tag applies: no OS / no variant counts as primary.
    public var isPrimaryOS: Bool { os?.primary ?? true }
    public var isPrimaryVariant: Bool { variant?.primary ?? true }
}

extension ImageTarget {
    /// `R/<image>/cache:<tag>`, with `-<arch>` when the target builds for exactly one platform.
    public func cacheReference(registry: String, platforms: [String]) -> String {
        var tag = version.name
        if let plus = tag.firstIndex(of: "+") { tag = String(tag[..<plus]) }
        tag = TagRules.sanitize(tag)
        if let os { tag += "-\(os.tagDisplayName)" }
        if let variant { tag += "-\(variant.tagDisplayName)" }
        if platforms.count == 1 {
            var arch = platforms[0]
            if arch.hasPrefix("linux/") { arch.removeFirst("linux/".count) }
            tag += "-" + arch.replacingOccurrences(of: "/", with: "-")
        }
        return "\(registry)/\(image.name)/cache:\(tag)"
    }
}

extension Array where Element == ImageTarget {
    /// The default order: by display string, Python string order.
    public func sortedForOutput() -> [ImageTarget] {
        let keyed = map { ($0.display, $0) }
        return keyed.enumerated().sorted { a, b in
            let c = a.element.0.utf8.lexicographicallyPrecedes(b.element.0.utf8)
            if c { return true }
            if b.element.0.utf8.lexicographicallyPrecedes(a.element.0.utf8) { return false }
            return a.offset < b.offset
        }.map(\.element.1)
    }
}
