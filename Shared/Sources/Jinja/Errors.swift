/// An error raised while loading, parsing or rendering a template.
///
/// Every error carries the name of the template it happened in and, when known, the line.
/// `description` is `NAME:LINE: message`, the form `bakery render` prints.
public struct JinjaError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        /// The template text is not valid Jinja (Jinja2's `TemplateSyntaxError`).
        case syntax
        /// An undefined variable, attribute or item was used (`UndefinedError`).
        case undefined
        /// An operation was applied to values of the wrong type (`TypeError`).
        case type
        /// A value was out of range or malformed (`ValueError`, `ZeroDivisionError`, …).
        case value
        /// A filter, test or template that does not exist (`TemplateAssertionError`).
        case assertion
        /// `include`/`import` named a template the loader cannot find (`TemplateNotFound`).
        case notFound
        /// The template itself aborted, e.g. through bakery's `raise()` global.
        case raised
        /// Rendering exceeded a resource limit (recursion depth, output size).
        case limit
        /// The loader will not read a template: it leads outside its folder, or is not a regular file.
        case refused
    }

    public var kind: Kind
    public var message: String
    /// The template name the error belongs to (`nil` until the renderer attaches it).
    public var template: String?
    /// 1-based line in `template`, when known.
    public var line: Int?
    /// Where the failing code was reached from in other templates, innermost first (`page.j2:12`):
    /// a library macro's error also names the line of the template that called it.
    public var callers: [String] = []

    public init(_ kind: Kind, _ message: String, template: String? = nil, line: Int? = nil) {
        self.kind = kind
        self.message = message
        self.template = template
        self.line = line
    }

    public var description: String {
        var prefix = template ?? "<template>"
        if let line { prefix += ":\(line)" }
        let trace = callers.isEmpty ? "" : " (called from \(callers.joined(separator: ", ")))"
        return "\(prefix): \(message)\(trace)"
    }

    /// Fills in the location if it is not known yet (the innermost location wins).
    func located(template: String, line: Int) -> JinjaError {
        var copy = self
        if let own = copy.template, own != template, copy.line != nil {
            let site = "\(template):\(line)"
            if copy.callers.last != site { copy.callers.append(site) }
        }
        if copy.line == nil {
            copy.line = line
            copy.template = template
        } else if copy.template == nil {
            copy.template = template
        }
        return copy
    }
}
