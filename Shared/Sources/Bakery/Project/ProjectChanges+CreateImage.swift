// `bakery create image`: a new entry and its template folder.
import BakeryYAML
import Foundation

extension ProjectChanges {
    public struct NewImage {
        public var name: String
        public var baseImage = "docker.io/library/ubuntu:22.04"
        public var subpath: String?
        public var displayName: String?
        public var description: String?
        public var documentationURL: String?
        public init(name: String) { self.name = name }
    }

    public func createImage(_ new: NewImage) throws(BakeryError) -> ProjectTransaction {
        try Self.checkFolderArgument(new.name, "image name", isName: true)
        if let s = new.subpath { try Self.checkFolderArgument(s, "--subpath", isName: false) }
        if config.image(named: new.name) != nil {
            throw BakeryError(.duplicate, "Image '\(new.name)' already exists in config.", location: location([.key("images"), .named(new.name)]))
        }
        var entry: YAMLOut.Map = ["name": .scalar(new.name)]
        if let d = new.displayName { entry["displayName"] = .scalar(d) }
        if let d = new.description { entry["description"] = .scalar(d) }
        if let u = new.documentationURL {
            guard let url = HTTPURL.parse(u) else { throw BakeryError(.invalidArgument, "--documentation-url '\(u)' is not an http(s) URL") }
            entry["documentationUrl"] = .scalar(url.text)
        }
        if let s = new.subpath { entry["subpath"] = .scalar(s) }
        var editor = try makeEditor()
        try editor.appendImage(.map(entry))
        let updated = try reload(editor.text)
        guard let image = updated.image(named: new.name) else { throw notRecorded("image", [.key("images")]) }
        var t = transaction(writing: editor.text)
        t.own("\(image.subpath)/template")
        let template = root.appendingPathComponent(image.subpath).appendingPathComponent("template")
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: template.path)) ?? []
        if !existing.contains(where: { $0.hasPrefix("Containerfile") && $0.hasSuffix(".jinja2") }) {
            t.write("\(image.subpath)/template/Containerfile.jinja2", Data(Self.containerfileTemplate(baseImage: new.baseImage).utf8))
        }
        for empty in ["test/goss.yaml.jinja2", "deps/packages.txt.jinja2"]
        where !FileManager.default.fileExists(atPath: template.appendingPathComponent(empty).path) {
            t.write("\(image.subpath)/template/\(empty)", Data())
        }
        return t
    }

    static func containerfileTemplate(baseImage: String) -> String {
        """
        {#- Containerfile template: rendered into each version folder by `bakery create version` and
            `bakery update files`. Variables: Image.Name, Image.Version, Image.Variant, Image.OS,
            Path.Version, Dependencies, and the version's values. -#}
        {%- import "apt.j2" as apt -%}
        {%- import "dnf.j2" as dnf -%}
        {%- import "python.j2" as python -%}
        {%- import "quarto.j2" as quarto -%}
        {%- import "r.j2" as r -%}
        FROM \(baseImage)

        ### ARG declarations ###
        # Build arguments, e.g. ARG DEBIAN_FRONTEND=noninteractive

        ### ENV declarations ###
        # Environment variables, e.g. ENV LANG=en_US.UTF-8

        ### Install system packages ###
        # e.g. {{ "{{" }} apt.run_install(files="/tmp/packages.txt") {{ "}}" }}

        ### Install dependencies ###
        # Languages and tools: R, Python, Quarto

        ### Install application ###
        # The product itself, pinned to its version

        ### Configure application/image ###
        # Configuration files and users

        ### Copy scripts ###
        # Entrypoint and helper scripts

        ### Finalize image ###
        # USER, EXPOSE, ENTRYPOINT, CMD

        """
    }
}
