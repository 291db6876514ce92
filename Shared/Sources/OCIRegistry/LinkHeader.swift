// RFC 8288 `Link` headers, as the distribution spec uses them to paginate tag lists and the catalog.
import Foundation

/// Finds the `rel="next"` target of a `Link` header.
///
///     LinkHeader.next(#"</v2/o/i/tags/list?last=b&n=2>; rel="next""#)   // "/v2/o/i/tags/list?last=b&n=2"
///     LinkHeader.next(nil)                                               // nil: the last page
public enum LinkHeader {
    /// The target (as written: usually a path relative to the registry) of the first link whose `rel` includes
    /// `next`; nil when there is none or the header is malformed.
    public static func next(_ header: String?) -> String? {
        guard let header else { return nil }
        var rest = Substring(header)
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
            guard rest.first == "<", let close = rest.firstIndex(of: ">") else { return nil }
            let target = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            // Parameters up to the next link: split on ';' and ',' outside quotes.
            var isNext = false
            var inQuotes = false
            var parameter = ""
            var index = rest.startIndex
            func finish() {
                let parts = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0].lowercased() == "rel" {
                    let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    if value.lowercased().split(separator: " ").contains("next") { isNext = true }
                }
                parameter = ""
            }
            while index < rest.endIndex {
                let character = rest[index]
                if character == "\"" { inQuotes.toggle() }
                if !inQuotes && (character == ";" || character == ",") {
                    finish()
                    if character == "," { break }
                } else {
                    parameter.append(character)
                }
                index = rest.index(after: index)
            }
            finish()
            if isNext { return target.isEmpty ? nil : target }
            guard index < rest.endIndex else { return nil }
            rest = rest[rest.index(after: index)...]
        }
    }

    /// The `next` target resolved against the URL of the request that returned the header.
    public static func next(_ header: String?, relativeTo base: URL) -> URL? {
        guard let target = next(header) else { return nil }
        return URL(string: target, relativeTo: base)?.absoluteURL
    }
}
