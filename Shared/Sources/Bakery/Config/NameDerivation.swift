// The text derivations bakery applies to names: display names, subpaths, extensions, tag names.
import Foundation

/// Derived names, exactly as the reference computes them.
///
///     NameDerivation.displayName("connect-content")   // "Connect Content"
///     NameDerivation.extension("Ubuntu 24.04")        // "ubuntu2404"
///     NameDerivation.tagDisplayName("Ubuntu 24.04")   // "ubuntu-24.04"
public enum NameDerivation {
    /// Python's `str.title()` of the name with `-` turned into spaces.
    public static func displayName(_ name: String) -> String {
        pythonTitle(name.replacingAll("-", with: " "))
    }

    /// Python `str.title()`: a cased letter is upper-cased when the character before it is not a cased letter.
    public static func pythonTitle(_ text: String) -> String {
        var result = ""
        var previousCased = false
        for ch in text {
            let cased = ch.isUppercase || ch.isLowercase
            if cased {
                result += previousCased ? ch.lowercased() : ch.uppercased()
            } else {
                result.append(ch)
            }
            previousCased = cased
        }
        return result
    }

    /// Spaces to `-`, lower-cased (image and version subpaths).
    public static func subpath(_ name: String) -> String {
        name.replacingAll(" ", with: "-").lowercased()
    }

    /// Lower-cased, every character outside `[a-zA-Z0-9_-]` removed.
    public static func `extension`(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { isExtensionCharacter($0) }.map(Character.init))
    }

    /// Lower-cased, every character outside `[a-zA-Z0-9_.-]` replaced by `-`.
    public static func tagDisplayName(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.map { isTagCharacter($0) ? Character($0) : "-" })
    }

    static func isExtensionCharacter(_ c: Unicode.Scalar) -> Bool {
        c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-")
    }

    static func isTagCharacter(_ c: Unicode.Scalar) -> Bool {
        isExtensionCharacter(c) || c == "."
    }

    /// `^[a-zA-Z0-9_-]+$`
    public static func isValidExtension(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy(isExtensionCharacter)
    }

    /// `^[a-zA-Z0-9_.-]+$`
    public static func isValidTagName(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy(isTagCharacter)
    }
}

extension String {
    /// Every occurrence of `target` replaced (Foundation-free, used on hot paths).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for ch in self {
            if ch == target { out += replacement } else { out.append(ch) }
        }
        return out
    }
}
