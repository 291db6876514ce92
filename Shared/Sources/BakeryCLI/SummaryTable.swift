// The counts-only build summary table.
import ArgumentParser
import Bakery
import Foundation

/// The counts-only build summary table.
enum SummaryTable {
    static func counts(targets: Int, platformBuilds: Int, tags: Int) -> String {
        let rows = [("Build Targets", targets), ("Platform Builds", platformBuilds), ("Registry Tags", tags)]
        let nameWidth = rows.reduce("Metric".count) { max($0, $1.0.count) }
        let countWidth = rows.reduce("Count".count) { max($0, String($1.1).count) }
        func line(_ a: String, _ b: String) -> String {
            "│ " + a.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + " │ " + String(repeating: " ", count: countWidth - b.count) + b + " │"
        }
        var out = ["Build Summary",
                   "┌" + String(repeating: "─", count: nameWidth + 2) + "┬" + String(repeating: "─", count: countWidth + 2) + "┐",
                   line("Metric", "Count"),
                   "├" + String(repeating: "─", count: nameWidth + 2) + "┼" + String(repeating: "─", count: countWidth + 2) + "┤"]
        out += rows.map { line($0.0, String($0.1)) }
        out.append("└" + String(repeating: "─", count: nameWidth + 2) + "┴" + String(repeating: "─", count: countWidth + 2) + "┘")
        out.append("Registry Tags counts tag aliases (version, os, latest, etc.) across registries, not distinct stored images.")
        return out.joined(separator: "\n")
    }
}
