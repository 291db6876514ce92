// `bakery update version`: a version renamed in place (a patch release) and its folder re-rendered.
import BakeryYAML
import Foundation

extension ProjectChanges {
    public func updateVersion(image imageName: String, to newName: String, target: String?, values: [KeyValue], clean: Bool) throws(BakeryError) -> ProjectTransaction {
        try Self.checkFolderArgument(newName, "new version name", isName: true)
        let versionsPath = ConfigEditor.versionsPath(imageName)
        guard let image = config.image(named: imageName) else {
            throw BakeryError(.notFound, "Image '\(imageName)' does not exist in the config.", location: location([.key("images")]))
        }
        let old: ImageVersion
        if let target {
            guard let v = image.versions.first(where: { $0.name == target }) else {
                throw BakeryError(.notFound, "Version '\(target)' does not exist for image '\(imageName)'.", location: location(versionsPath))
            }
            old = v
        } else {
            guard let v = image.versions.first(where: \.latest) else {
                throw BakeryError(.notFound, "No latest version found for image '\(imageName)'. Use --target-version to specify the version to patch.",
                                  location: location(versionsPath))
            }
            old = v
        }
        if image.versions.contains(where: { $0.name == newName }) {
            throw BakeryError(.duplicate, "Version '\(newName)' already exists in image '\(imageName)'.", location: location(versionsPath + [.named(newName)]))
        }
        log.info("Target version: \(old.name)")
        // Only the name changes (and the values given); every other byte of the entry stays.
        var editor = try makeEditor()
        try editor.renameVersion(imageName, old.name, to: newName)
        if !values.isEmpty { try editor.setValues(imageName, newName, values.map { ($0.key, $0.value) }) }
        let updated = try reload(editor.text)
        guard let newImage = updated.image(named: imageName), let version = newImage.versions.first(where: { $0.name == newName }) else {
            throw notRecorded("version", versionsPath + [.named(old.name)])
        }
        var t = transaction(writing: editor.text)
        let oldDir = "\(image.subpath)/\(old.subpath)", newDir = "\(newImage.subpath)/\(version.subpath)"
        t.own(oldDir)
        t.own(newDir)
        if oldDir != newDir, occupied(newDir) {
            throw BakeryError(.unsafePath, "The folder '\(newDir)' already exists, and no version in bakery.yaml uses it; move it away and try again.")
        }
        if oldDir != newDir {
            if clean { t.remove(oldDir) } else { t.move(oldDir, to: newDir) }
        } else if clean {
            t.remove(oldDir)
        }
        t.write(try VersionRendering.render(image: newImage, version: version, matrix: false, root: root, destination: newDir, log: log))
        return t
    }
}
