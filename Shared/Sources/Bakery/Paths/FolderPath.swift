// One notion of a folder inside a project: subpaths and names are normalised before they are compared or used.
import Foundation

/// A folder below a parent folder, as `/`-separated components with `.` and empty components removed.
///
///     FolderPath.parse("./img1//1.0.0/")   // .success(img1/1.0.0)
///     FolderPath.parse("a/../b")            // .failure(.parent)
///     FolderPath.name("../x")               // .failure(.separator)
public struct FolderPath: Sendable, Hashable, CustomStringConvertible {
    public let components: [String]

    public init(components: [String]) { self.components = components }

    /// A spelling judged: the folder it names, or why it names none.
    public enum Parsed: Sendable, Equatable {
        case success(FolderPath)
        case failure(Problem)

        /// The folder, when the spelling names one.
        public var folder: FolderPath? { if case .success(let f) = self { return f } else { return nil } }
        /// Why the spelling names no folder, when it does not.
        public var problem: Problem? { if case .failure(let p) = self { return p } else { return nil } }
    }

    /// What makes a spelling unusable as a folder, with the words and hint users see (the callers
    /// turn it into a located diagnostic or a `BakeryError`; it is never thrown itself).
    public enum Problem: Sendable, Equatable {
        case empty
        case itself
        case absolute
        case parent
        case backslash
        case control(UInt32)
        case separator
        case reserved(String)

        public var message: String {
            switch self {
            case .empty: "is empty"
            case .itself: "names the folder it belongs to itself, not a folder of its own"
            case .absolute: "is an absolute path"
            case .parent: "leaves its parent folder ('..')"
            case .backslash: "contains a backslash"
            case .control(let c): "contains the control character U+\(String(c, radix: 16, uppercase: true).leftPadded(to: 4))"
            case .separator: "contains a '/' and cannot be a single folder name"
            case .reserved(let name): "uses the reserved name '\(name)'"
            }
        }

        public var hint: String {
            switch self {
            case .empty: "name a folder, or remove the key to use the default"
            case .itself: "name a folder of its own, or remove the key to use the default"
            case .absolute: "give a folder relative to the project"
            case .parent: "a subpath must stay inside the project: no '..' components"
            case .backslash: "separate folders with '/'"
            case .control: "remove the control character"
            case .separator: "names become folder names; use a name without '/', '.' or '..' parts, or set 'subpath'"
            case .reserved(let name): "'\(name)' belongs to bakery or git; choose another folder"
            }
        }
    }

    /// Files and folders at the project root that no image folder may be (or start with).
    static let reservedRootNames: Set<String> = ["bakery.yaml", "bakery.yml", ProjectStaging.folderName]

    /// Normalises a relative folder spelling: `.` and empty components dropped, `..`, absolute paths,
    /// backslashes and control characters rejected, and the empty result (the parent itself) rejected.
    public static func parse(_ spelling: String) -> Parsed {
        if spelling.isEmpty { return .failure(.empty) }
        if let c = spelling.unicodeScalars.first(where: isControl) { return .failure(.control(c.value)) }
        if spelling.hasPrefix("/") || spelling.hasPrefix("~") { return .failure(.absolute) }
        if spelling.contains("\\") { return .failure(.backslash) }
        var parts: [String] = []
        for part in spelling.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { return .failure(.parent) }
            if fold(String(part)) == ".git" { return .failure(.reserved(".git")) }
            parts.append(String(part))
        }
        if parts.isEmpty { return .failure(.itself) }
        return .success(FolderPath(components: parts))
    }

    /// A name that becomes exactly one folder name (image and version names).
    public static func name(_ name: String) -> Parsed {
        if name.isEmpty { return .failure(.empty) }
        if let c = name.unicodeScalars.first(where: isControl) { return .failure(.control(c.value)) }
        if name.contains("/") { return .failure(name.hasPrefix("/") ? .absolute : .separator) }
        if name.contains("\\") { return .failure(.backslash) }
        if name == "." { return .failure(.itself) }
        if name == ".." { return .failure(.parent) }
        if fold(name) == ".git" { return .failure(.reserved(".git")) }
        return .success(FolderPath(components: [name]))
    }

    /// C0, DEL and C1 controls, and the Unicode line and paragraph separators.
    static func isControl(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || (0x7F...0x9F).contains(c.value) || c.value == 0x2028 || c.value == 0x2029
    }

    public var description: String { components.joined(separator: "/") }

    public func appending(_ other: FolderPath) -> FolderPath { FolderPath(components: components + other.components) }
    public func appending(_ component: String) -> FolderPath { FolderPath(components: components + [component]) }

    /// True when `other` is this folder or lies inside it (component-wise, never by string prefix).
    public func contains(_ other: FolderPath) -> Bool {
        other.components.count >= components.count && Array(other.components.prefix(components.count)) == components
    }

    /// Equal, or one inside the other.
    public func overlaps(_ other: FolderPath) -> Bool { contains(other) || other.contains(self) }

    /// Case-folded, NFC components: on a case-insensitive file system (macOS, Windows) `IMG1`, `img1`
    /// and `imgſ`/`imgs` are one folder, so validate compares folders this way to keep a project safe
    /// wherever it is checked out.
    public var folded: FolderPath { FolderPath(components: components.map(Self.fold)) }

    /// Unicode case folding of the canonically composed name.
    public static func fold(_ name: String) -> String {
        name.precomposedStringWithCanonicalMapping.folding(options: [.caseInsensitive], locale: nil)
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
