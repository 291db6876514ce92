// Version order for sorting: unparseable names sort below everything, with a warning.
import Foundation

/// Version order for sorting: unparseable names sort below everything, with a warning.
public enum VersionOrder {
    public static func compare(_ a: String, _ b: String, log: TargetLog?) -> Int {
        let pa = ParsedVersion(a), pb = ParsedVersion(b)
        if pa == nil { log?.warning("Unparseable version string: '\(a)'") }
        if pb == nil { log?.warning("Unparseable version string: '\(b)'") }
        switch (pa, pb) {
        case (let x?, let y?): return ParsedVersion.compare(x, y)
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        }
    }
}
