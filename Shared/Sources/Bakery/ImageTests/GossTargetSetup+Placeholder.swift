// A set-up for a target that cannot be tested, so it still has a row in the report.
import Foundation

extension GossTargetSetup {
    /// A set-up for a target that cannot be tested (no test folder, no tag), so it still has a row in the report.
    public static func placeholder(target: ImageTarget, projectRoot: URL, platform: String) throws -> GossTargetSetup {
        let root = projectRoot.standardizedFileURL
        return GossTargetSetup(target: target, projectRoot: root, versionDirectory: root.appendingPathComponent(target.versionDirectory),
                               imageDirectory: root.appendingPathComponent(target.image.subpath), testDirectory: root,
                               platform: platform, imageReference: "", options: GossOptions(), environment: [])
    }
}
