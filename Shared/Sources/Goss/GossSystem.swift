// The facts of the system under test, gathered in batches: one shell run per resource kind, not per attribute.
import Foundation

/// lstat facts of one path.
struct FileFact: Sendable {
    enum State: Sendable { case missing, present, error(String) }
    var state: State
    var rawMode: UInt32 = 0
    var uid = 0
    var gid = 0
    var size = 0
    var linkTarget: String?

    var mode: String {
        let bits = String(rawMode & 0o7777, radix: 8)
        return bits.count >= 4 ? bits : String(repeating: "0", count: 4 - bits.count) + bits
    }

    var filetype: String {
        switch rawMode & 0xF000 {
        case 0xC000: "socket"
        case 0xA000: "symlink"
        case 0x6000: "block-device"
        case 0x4000: "directory"
        case 0x2000: "character-device"
        case 0x1000: "pipe"
        default: "file"
        }
    }
}

/// One line of /etc/passwd or /etc/group, split on `:`.
struct AccountLine: Sendable {
    var fields: [String]
    var name: String { fields.first ?? "" }
}

/// What the first shell run learns: working directory, uid, account files and the package manager.
struct SystemBasics: Sendable {
    var workingDirectory = "/"
    var uid = 0
    var passwd: [AccountLine] = []
    var passwdRaw: [[String]] = []
    var groups: [AccountLine] = []
    var packageManager = "rpm"
}

/// Gathers facts through a `GossProbe`, caching each batch for one validation attempt.
actor GossSystem {
    let probe: any GossProbe
    private var basics: SystemBasics?

    init(probe: any GossProbe) { self.probe = probe }

    static let probeTimeout: Duration = .seconds(120)

    func shell(_ script: String, _ arguments: [String] = [], timeout: Duration = GossSystem.probeTimeout) async throws -> GossProbeOutput {
        try await probe.shell(script, arguments: arguments, timeout: timeout)
    }

    // MARK: basics

    func systemBasics() async throws -> SystemBasics {
        if let basics { return basics }
        let script = """
        pwd; printf '\\0'; id -u 2>/dev/null; printf '\\0'; cat /etc/passwd 2>/dev/null; printf '\\0'; cat /etc/group 2>/dev/null; printf '\\0'
        if grep -q Ubuntu /etc/lsb-release 2>/dev/null; then echo dpkg
        elif [ -e /etc/redhat-release ] || [ -e /etc/system-release ]; then echo rpm
        elif [ -e /etc/alpine-release ]; then echo apk
        elif [ -e /etc/arch-release ]; then echo pacman
        elif [ -e /etc/debian_version ]; then echo dpkg
        else for m in dpkg rpm apk pacman; do if command -v $m >/dev/null 2>&1; then echo $m; exit 0; fi; done; echo rpm; fi
        """
        let output = try await shell(script)
        let parts = output.stdout.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        var result = SystemBasics()
        if parts.count >= 5 {
            result.workingDirectory = parts[0].trimmingCharacters(in: .newlines)
            result.uid = Int(parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            let passwdLines = parts[2].split(separator: "\n").map(String.init)
            result.passwd = passwdLines.map { AccountLine(fields: $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init)) }
            result.groups = parts[3].split(separator: "\n").map { AccountLine(fields: $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init)) }
            result.packageManager = parts[4].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        basics = result
        return result
    }

    // MARK: files

    /// lstat facts for every path in one run.
    func files(_ paths: [String]) async throws -> [String: FileFact] {
        guard !paths.isEmpty else { return [:] }
        let script = """
        for p do
          if [ -e "$p" ] || [ -L "$p" ]; then
            if s=$(stat -c '%f %u %g %s' -- "$p" 2>&1); then
              printf 'S %s' "$s"; if [ -L "$p" ]; then printf '\\t%s' "$(readlink -- "$p")"; fi
            else printf 'E %s' "$s"; fi
          else
            d=${p%/*}; d=${d:-/}
            if [ -d "$d" ] && [ ! -x "$d" ]; then printf 'E stat %s: permission denied' "$p"; else printf 'M'; fi
          fi
          printf '\\0'
        done
        """
        let output = try await shell(script, paths)
        let records = output.stdout.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        var facts: [String: FileFact] = [:]
        for (index, path) in paths.enumerated() {
            guard index < records.count else {
                facts[path] = FileFact(state: .error("stat \(path): \(output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))"))
                continue
            }
            let record = records[index]
            if record == "M" { facts[path] = FileFact(state: .missing); continue }
            if record.hasPrefix("E ") { facts[path] = FileFact(state: .error(String(record.dropFirst(2)))); continue }
            guard record.hasPrefix("S ") else { facts[path] = FileFact(state: .error("stat \(path): unexpected probe output")); continue }
            let body = record.dropFirst(2)
            let statPart = body.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            let fields = statPart[0].split(separator: " ")
            guard fields.count == 4, let raw = UInt32(fields[0], radix: 16), let uid = Int(fields[1]), let gid = Int(fields[2]), let size = Int(fields[3]) else {
                facts[path] = FileFact(state: .error("stat \(path): unexpected probe output: \(statPart[0])"))
                continue
            }
            facts[path] = FileFact(state: .present, rawMode: raw, uid: uid, gid: gid, size: size,
                                   linkTarget: statPart.count > 1 ? String(statPart[1]) : nil)
        }
        return facts
    }

    /// A file's raw content (symlinks followed, as goss's open does).
    func contents(_ path: String) async throws -> Result<[UInt8], GossFailure> {
        let output = try await shell("if [ -d \"$1\" ]; then echo 'is a directory' >&2; exit 2; fi; cat -- \"$1\"", [path])
        if output.exitCode != 0 {
            let reason = output.stderrText.contains("directory") ? "is a directory"
                : output.stderrText.contains("ermission") ? "permission denied" : "no such file or directory"
            return .failure("read \(path): \(reason)")
        }
        return .success(output.stdout)
    }

    // MARK: packages

    /// Installed versions per name (nil: not installed), with the system's package manager.
    func packages(_ names: [String]) async throws -> [String: [String]] {
        guard !names.isEmpty else { return [:] }
        let manager = try await systemBasics().packageManager
        let query: String
        switch manager {
        case "dpkg": query = "dpkg-query -f '${Status} ${Version}\\n' -W \"$n\" 2>/dev/null"
        case "apk": query = "apk version \"$n\" 2>/dev/null"
        case "pacman": query = "pacman -Q \"$n\" 2>/dev/null"
        default: query = "rpm -q --nosignature --nohdrchk --nodigest --qf '%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n' \"$n\" 2>/dev/null"
        }
        let output = try await shell("for n do \(query); printf '\\0%s\\0' \"$?\"; done", names)
        let parts = output.stdout.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        var result: [String: [String]] = [:]
        for (index, name) in names.enumerated() {
            guard 2 * index + 1 < parts.count else { continue }
            let text = parts[2 * index], rc = parts[2 * index + 1]
            guard rc == "0" else { continue }
            var versions: [String] = []
            for line in text.split(separator: "\n").map(String.init) {
                switch manager {
                case "dpkg":
                    if line.hasPrefix("install ok installed") || line.hasPrefix("hold ok installed") {
                        let fields = line.split(separator: " ")
                        if fields.count >= 4 { versions.append(String(fields[3])) }
                    }
                case "apk":
                    if line.hasPrefix("Installed:") || line.hasPrefix("WARNING") { continue }
                    if let first = line.split(separator: " ").first, first.hasPrefix("\(name)-") { versions.append(String(first.dropFirst(name.count + 1))) }
                case "pacman":
                    let fields = line.split(separator: " ")
                    if fields.count >= 2 { versions.append(String(fields[1])) }
                default:
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    if !trimmed.isEmpty { versions.append(trimmed) }
                }
            }
            if manager == "rpm" ? !versions.isEmpty : !versions.isEmpty { result[name] = versions }
        }
        return result
    }

    // MARK: ports and processes

    /// `proto:port` → listening IPs, from /proc/net (tcp in LISTEN only; udp in any state).
    func ports() async throws -> [String: [String]] {
        let output = try await shell("for t in tcp tcp6 udp udp6; do printf '\\0%s\\n' \"$t\"; cat /proc/net/$t 2>/dev/null; done")
        return GossNetTable.parse(String(decoding: output.stdout, as: UTF8.self))
    }

    /// The comm of every process.
    func processes() async throws -> [String] {
        let output = try await shell("cat /proc/[0-9]*/stat 2>/dev/null")
        var names: [String] = []
        for line in String(decoding: output.stdout, as: UTF8.self).split(separator: "\n") {
            guard let open = line.firstIndex(of: "("), let close = line[open...].firstIndex(of: ")") else { continue }
            names.append(String(line[line.index(after: open)..<close]))
        }
        return names
    }

    // MARK: mounts

    func mountinfo() async throws -> String {
        String(decoding: try await shell("cat /proc/self/mountinfo 2>/dev/null").stdout, as: UTF8.self)
    }

    /// Batch of small reads: kernel params, interface facts, disk usage.
    func run(_ script: String, _ arguments: [String] = [], timeout: Duration = GossSystem.probeTimeout) async throws -> GossProbeOutput {
        try await shell(script, arguments, timeout: timeout)
    }
}

/// /proc/net/{tcp,tcp6,udp,udp6} decoding as goss does it.
enum GossNetTable {
    static func parse(_ text: String) -> [String: [String]] {
        var table: [String: [String]] = [:]
        for block in text.split(separator: "\0") {
            var lines = block.split(separator: "\n")
            guard let proto = lines.first.map(String.init) else { continue }
            lines.removeFirst()
            if !lines.isEmpty { lines.removeFirst() }  // header
            for line in lines {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 3 else { continue }
                let local = fields[1].split(separator: ":")
                guard local.count == 2, let port = Int(local[1], radix: 16) else { continue }
                if proto.hasPrefix("tcp") && fields[3] != "0A" { continue }
                guard let ip = decodeIP(String(local[0])) else { continue }
                table["\(proto):\(port)", default: []].append(ip.uppercased())
            }
        }
        return table
    }

    /// Hex address in host byte order (each 32-bit word reversed) → Go's `net.IP.String()`.
    static func decodeIP(_ hex: String) -> String? {
        let bytes = stride(from: 0, to: hex.count, by: 2).compactMap { offset -> UInt8? in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            guard let end = hex.index(start, offsetBy: 2, limitedBy: hex.endIndex) else { return nil }
            return UInt8(hex[start..<end], radix: 16)
        }
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        var ordered: [UInt8] = []
        for word in stride(from: 0, to: bytes.count, by: 4) { ordered += bytes[word..<word + 4].reversed() }
        if ordered.count == 4 { return ordered.map(String.init).joined(separator: ".") }
        // IPv4-mapped prints as dotted IPv4.
        if ordered[0..<10].allSatisfy({ $0 == 0 }) && ordered[10] == 0xFF && ordered[11] == 0xFF {
            return ordered[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 16, by: 2).map { Int(ordered[$0]) << 8 | Int(ordered[$0 + 1]) }
        // Longest run (≥ 2) of zero groups, first on a tie, becomes "::".
        var bestStart = -1, bestLength = 0, index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8 && groups[end] == 0 { end += 1 }
                if end - index > bestLength && end - index >= 2 { bestStart = index; bestLength = end - index }
                index = end
            } else { index += 1 }
        }
        func text(_ range: Range<Int>) -> String { range.map { String(groups[$0], radix: 16) }.joined(separator: ":") }
        guard bestStart >= 0 else { return text(0..<8) }
        return text(0..<bestStart) + "::" + text((bestStart + bestLength)..<8)
    }
}
