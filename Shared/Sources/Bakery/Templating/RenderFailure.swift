// A template that failed to render, and the one error a run reports for all of them.
import Foundation
import Jinja

/// A template that failed, with what it was being rendered for: one entry of a `.templateFailed`
/// error's message (all of a run's failures are reported together, nothing is written).
public struct RenderFailure: Sendable, CustomStringConvertible {
    public var template: String
    public var line: Int?
    public var cause: String
    public var image: String
    public var version: String
    public var variant: String?
    public var destination: String

    public var description: String {
        var s = "Error rendering template \(template)\(line.map { ", line \($0)" } ?? ""): \(cause)\n  - Image: \(image)\n  - Version: \(version)"
        if let variant { s += "\n  - Variant: \(variant)" }
        s += "\n  - Destination: \(destination)"
        return s
    }
}

extension BakeryError {
    /// Every failed template of a run as one `.templateFailed` error: each with its template, line,
    /// image, version and destination, then a count when there are several.
    public static func templatesFailed(_ failures: [RenderFailure]) -> BakeryError {
        let text = failures.count == 1 ? failures[0].description
            : failures.map(\.description).joined(separator: "\n\n") + "\n\n\(failures.count) template(s) returned errors"
        return BakeryError(.templateFailed, text)
    }
}
