// OCI and Posit labels of a target (reference spec §7), in the reference's key order.
import Foundation

public enum Labels {
    /// The `created` value: `SOURCE_DATE_EPOCH` (UTC) when set, for reproducible builds; otherwise the
    /// local wall-clock time, as posit-bakery writes it (ISO 8601 without zone, microseconds when non-zero).
    public static func createdTimestamp(environment: [String: String] = ProcessInfo.processInfo.environment, now: Date = Date()) -> String {
        var date = now
        var zone = TimeZone.current
        if let epoch = environment["SOURCE_DATE_EPOCH"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            date = Date(timeIntervalSince1970: TimeInterval(epoch))
            zone = TimeZone(identifier: "UTC")!
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        var s = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        let micro = (c.nanosecond ?? 0) / 1000
        if micro != 0 { s += String(format: ".%06d", micro) }
        return s
    }

    public static func labels(for target: ImageTarget, repository: Repository, revision: String?, created: String) -> [KeyValue] {
        let image = target.image
        var out: [KeyValue] = [
            KeyValue("org.opencontainers.image.created", created),
            KeyValue("org.opencontainers.image.source", repository.url.text),
            KeyValue("org.opencontainers.image.title", image.displayName),
            KeyValue("org.opencontainers.image.vendor", repository.vendor),
            KeyValue("co.posit.image.maintainer", repository.maintainer.description),
            KeyValue("co.posit.image.name", image.displayName),
        ]
        if !repository.authors.isEmpty {
            out.append(KeyValue("org.opencontainers.image.authors", repository.authors.map(\.description).joined(separator: ", ")))
        }
        for prefix in ["org.opencontainers.image", "co.posit.image"] {
            out.append(KeyValue("\(prefix).version", target.version.name))
            if let revision { out.append(KeyValue("\(prefix).revision", revision)) }
            if let d = image.description { out.append(KeyValue("\(prefix).description", d)) }
            if let u = image.documentationURL { out.append(KeyValue("\(prefix).documentation", u.text)) }
        }
        if let v = target.variant { out.append(KeyValue("co.posit.image.variant", v.name)) }
        if let os = target.os { out.append(KeyValue("co.posit.image.os", os.name)) }
        if target.variant?.name != "Minimal" {
            for d in target.version.dependencies {
                out.append(KeyValue("co.posit.image.tools.\(d.dependency.rawValue)", d.versions.joined(separator: ", ")))
            }
        }
        return out
    }
}

/// The commit a project is at, read from `.git` without running git when possible.
public enum GitRevision {
    /// The HEAD commit of the repository containing `directory`, or nil outside a repository.
    public static func head(of directory: URL) -> String? {
        // Outside a repository there is nothing to ask git about.
        guard let git = gitDirectory(from: directory) else { return nil }
        if let fromFiles = readHead(from: directory) { return fromFiles }
        // A HEAD that is not a regular file (a FIFO in a hostile checkout) would block git too.
        guard RegularFile.kind(git.appendingPathComponent("HEAD").path) == .regular else { return nil }
        return runGit(in: directory)
    }

    static func gitDirectory(from directory: URL) -> URL? {
        var dir = directory.standardizedFileURL
        let fm = FileManager.default
        while true {
            let dotGit = dir.appendingPathComponent(".git")
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: dotGit.path, isDirectory: &isDir) {
                if isDir.boolValue { return dotGit }
                // A worktree or submodule: ".git" is a file "gitdir: <path>".
                if let text = gitText(dotGit), text.hasPrefix("gitdir:") {
                    let path = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
                    return path.hasPrefix("/") ? URL(fileURLWithPath: path) : dir.appendingPathComponent(path).standardizedFileURL
                }
                return nil
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    /// A git file's text; only regular files are read (a FIFO in a hostile checkout must not block a plan).
    static func gitText(_ url: URL) -> String? {
        (try? RegularFile.read(url.path)).flatMap { String(data: $0, encoding: .utf8) }
    }

    static func readHead(from directory: URL) -> String? {
        guard let git = gitDirectory(from: directory),
              let headText = gitText(git.appendingPathComponent("HEAD"))
        else { return nil }
        let head = headText.trimmingCharacters(in: .whitespacesAndNewlines)
        if isSHA(head) { return head }
        guard head.hasPrefix("ref:") else { return nil }
        let ref = String(head.dropFirst(4)).trimmingCharacters(in: .whitespaces)
        // Worktrees keep refs in the common directory.
        var roots = [git]
        if let common = gitText(git.appendingPathComponent("commondir")) {
            let c = common.trimmingCharacters(in: .whitespacesAndNewlines)
            roots.append(c.hasPrefix("/") ? URL(fileURLWithPath: c) : git.appendingPathComponent(c).standardizedFileURL)
        }
        for root in roots {
            if let loose = gitText(root.appendingPathComponent(ref)) {
                let sha = loose.trimmingCharacters(in: .whitespacesAndNewlines)
                if isSHA(sha) { return sha }
            }
            if let packed = gitText(root.appendingPathComponent("packed-refs")) {
                for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
                    let sha = String(line.prefix(while: { $0 != " " }))
                    if isSHA(sha) { return sha }
                }
            }
        }
        return nil
    }

    static func isSHA(_ s: String) -> Bool {
        (s.count == 40 || s.count == 64) && s.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    static func runGit(in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path, "rev-parse", "HEAD"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let sha = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return isSHA(sha) ? sha : nil
    }
}
