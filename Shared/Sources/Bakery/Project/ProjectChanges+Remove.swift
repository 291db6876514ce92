// `bakery remove image|version`: the entry and its folder go, together.
import BakeryYAML
import Foundation

extension ProjectChanges {
    public func removeImage(_ name: String) throws(BakeryError) -> ProjectTransaction {
        guard let image = config.image(named: name) else {
            throw BakeryError(.notFound, "Image '\(name)' does not exist in the config.", location: location([.key("images")]))
        }
        var editor = try makeEditor()
        try editor.removeImage(name)
        _ = try reload(editor.text)
        var t = transaction(writing: editor.text)
        log.info("Removing image directory \(root.appendingPathComponent(image.subpath).path)")
        t.own(image.subpath)
        t.remove(image.subpath)
        return t
    }

    public func removeVersion(_ imageName: String, _ versionName: String) throws(BakeryError) -> ProjectTransaction {
        guard let image = config.image(named: imageName) else {
            throw BakeryError(.notFound, "Image '\(imageName)' does not exist in the config.", location: location([.key("images")]))
        }
        guard let version = image.versions.first(where: { $0.name == versionName }) else {
            throw BakeryError(.notFound, "Version '\(versionName)' does not exist for image '\(imageName)' in the config.",
                              location: location(ConfigEditor.versionsPath(imageName)))
        }
        var editor = try makeEditor()
        try editor.removeVersion(imageName, versionName)
        _ = try reload(editor.text)
        var t = transaction(writing: editor.text)
        log.info("Removing version directory \(root.appendingPathComponent("\(image.subpath)/\(version.subpath)").path)")
        t.own("\(image.subpath)/\(version.subpath)")
        t.remove("\(image.subpath)/\(version.subpath)")
        return t
    }
}
