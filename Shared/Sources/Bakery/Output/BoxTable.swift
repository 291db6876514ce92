// Tables drawn with box-drawing characters, for summaries on a terminal.
import Foundation

/// A table drawn with box characters, for a terminal: a header, rows, and optional footer rows
/// under a rule.
///
///     BoxTable(columns: [.init("Metric"), .init("Count", .right)], rows: [["Build Targets", "3"]]).lines()
///     // ┌───────────────┬───────┐ / │ Metric        │ Count │ / ├───…┤ / │ Build Targets │     3 │ / └───…┘
public struct BoxTable: Sendable {
    public enum Alignment: Sendable { case left, right }
    public struct Column: Sendable {
        public var title: String
        public var alignment: Alignment
        public init(_ title: String, _ alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    public var columns: [Column]
    public var rows: [[String]]
    public var footer: [[String]]

    public init(columns: [Column], rows: [[String]], footer: [[String]] = []) {
        self.columns = columns
        self.rows = rows
        self.footer = footer
    }

    public func lines() -> [String] {
        let widths = columns.indices.map { i in
            (rows + footer).reduce(columns[i].title.count) { max($0, i < $1.count ? $1[i].count : 0) }
        }
        func rule(_ left: String, _ middle: String, _ right: String) -> String {
            left + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: middle) + right
        }
        func line(_ cells: [String]) -> String {
            let padded = columns.indices.map { i -> String in
                let cell = i < cells.count ? cells[i] : ""
                let fill = String(repeating: " ", count: widths[i] - cell.count)
                return columns[i].alignment == .left ? cell + fill : fill + cell
            }
            return "│ " + padded.joined(separator: " │ ") + " │"
        }
        var out = [rule("┌", "┬", "┐"), line(columns.map(\.title)), rule("├", "┼", "┤")]
        out += rows.map(line)
        if !footer.isEmpty {
            out.append(rule("├", "┼", "┤"))
            out += footer.map(line)
        }
        out.append(rule("└", "┴", "┘"))
        return out
    }
}
