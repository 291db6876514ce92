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

    /// A timeout plus the probe's own margin, saturating (a gossfile may give `timeout: 9223372036854775807`).
    static func plus(_ milliseconds: Int, _ margin: Int) -> Int {
        let (sum, overflow) = milliseconds.addingReportingOverflow(margin)
        return overflow ? Int.max : sum
    }

    /// Runs a script in the system under test (kernel params, interface facts, disk usage, single commands, …).
    func shell(_ script: String, _ arguments: [String] = [], timeout: Duration = GossSystem.probeTimeout) async throws -> GossProbeOutput {
        try await probe.shell(script, arguments: arguments, timeout: timeout)
    }

    // MARK: basics

    /// Prints the working directory, uid, /etc/passwd, /etc/group and the package manager, NUL-separated; sets `$pm`.
    static let basicsScript = """
    pwd; printf '\\0'; id -u 2>/dev/null; printf '\\0'; cat /etc/passwd 2>/dev/null; printf '\\0'; cat /etc/group 2>/dev/null; printf '\\0'
    if grep -q Ubuntu /etc/lsb-release 2>/dev/null; then pm=dpkg
    elif [ -e /etc/redhat-release ] || [ -e /etc/system-release ]; then pm=rpm
    elif [ -e /etc/alpine-release ]; then pm=apk
    elif [ -e /etc/arch-release ]; then pm=pacman
    elif [ -e /etc/debian_version ]; then pm=dpkg
    else pm=rpm; for m in dpkg rpm apk pacman; do if command -v $m >/dev/null 2>&1; then pm=$m; break; fi; done; fi
    echo "$pm"
    """

    func systemBasics() async throws -> SystemBasics {
        if let basics { return basics }
        let result = Self.parseBasics(try await shell(Self.basicsScript).stdout[...])
        basics = result
        return result
    }

    static func parseBasics(_ bytes: ArraySlice<UInt8>) -> SystemBasics {
        let parts = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        var result = SystemBasics()
        if parts.count >= 5 {
            result.workingDirectory = parts[0].trimmingCharacters(in: .newlines)
            result.uid = Int(parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            result.passwd = parts[2].split(separator: "\n").map { AccountLine(fields: $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init)) }
            result.groups = parts[3].split(separator: "\n").map { AccountLine(fields: $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init)) }
            result.packageManager = parts[4].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return result
    }

    // MARK: one run for every fact but commands

    /// What one snapshot run learned.
    struct Snapshot: Sendable {
        var basics = SystemBasics()
        var files: [String: FileFact] = [:]
        var packages: [String: [String]] = [:]
        var ports: [String: [String]] = [:]
        var processes: [String] = []
        var mountinfo = ""
    }

    static let sectionMark: [UInt8] = Array("\u{1}goss-section\u{1}".utf8)

    /// Basics, every file's lstat, every package, the socket tables, the process list and the mount table in one shell run.
    func snapshot(paths: [String], packages: [String], ports: Bool, processes: Bool, mounts: Bool) async throws -> Snapshot {
        var script = "n=$1; shift\nmark() { printf '\\001goss-section\\001'; }\n" + Self.basicsScript + "\nmark\n"
        script += "i=0\nfor p do\n  i=$((i+1)); [ \"$i\" -gt \"$n\" ] && break\n" + Self.fileRecord + "\ndone\nmark\n"
        script += "i=0\nfor n_ do\n  i=$((i+1)); [ \"$i\" -le \"$n\" ] && continue\n  set_name=$n_\n" + Self.packageRecord + "\ndone\nmark\n"
        if ports { script += Self.portsScript }
        script += "\nmark\n"
        if processes { script += Self.processScript }
        script += "\nmark\n"
        if mounts { script += "cat /proc/self/mountinfo 2>/dev/null" }
        script += "\nmark\n"
        let output = try await shell(script, [String(paths.count)] + paths + packages)
        let sections = Self.split(output.stdout, on: Self.sectionMark)
        guard sections.count >= 7 else {
            throw GossFailure("the probe script did not finish (exit \(output.exitCode)): \(output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        var snapshot = Snapshot()
        snapshot.basics = Self.parseBasics(sections[0])
        basics = snapshot.basics
        snapshot.files = Self.parseFiles(sections[1], paths: paths, stderr: output.stderrText)
        snapshot.packages = Self.parsePackages(sections[2], names: packages, manager: snapshot.basics.packageManager)
        snapshot.ports = GossNetTable.parse(String(decoding: sections[3], as: UTF8.self))
        snapshot.processes = Self.parseProcesses(sections[4])
        snapshot.mountinfo = String(decoding: sections[5], as: UTF8.self)
        return snapshot
    }

    static func split(_ bytes: [UInt8], on mark: [UInt8]) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = 0, index = 0
        while index + mark.count <= bytes.count {
            if bytes[index] == mark[0] && bytes[index..<index + mark.count].elementsEqual(mark) {
                parts.append(bytes[start..<index])
                index += mark.count
                start = index
            } else {
                index += 1
            }
        }
        parts.append(bytes[start...])
        return parts
    }

    // MARK: files

    /// One path's record (`$p`): `S <hex mode> <uid> <gid> <size>[\\t<link target>]`, `M` (missing) or `E <error>`, then NUL.
    static let fileRecord = """
      if [ -e "$p" ] || [ -L "$p" ]; then
        if s=$(stat -c '%f %u %g %s' -- "$p" 2>&1); then
          printf 'S %s' "$s"; if [ -L "$p" ]; then printf '\\t%s' "$(readlink -- "$p")"; fi
        else printf 'E %s' "$s"; fi
      else
        d=${p%/*}; d=${d:-/}
        if [ -d "$d" ] && [ ! -x "$d" ]; then printf 'E stat %s: permission denied' "$p"; else printf 'M'; fi
      fi
      printf '\\0'
    """

    static func parseFiles(_ bytes: ArraySlice<UInt8>, paths: [String], stderr: String) -> [String: FileFact] {
        let records = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        var facts: [String: FileFact] = [:]
        for (index, path) in paths.enumerated() {
            guard index < records.count else {
                facts[path] = FileFact(state: .error("stat \(path): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))"))
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

    /// One package's record (`$set_name`, with `$pm` from the basics): the manager's output, NUL, its exit code, NUL.
    static let packageRecord = """
      case $pm in
        dpkg) dpkg-query -f '${Status} ${Version}\\n' -W "$set_name" 2>/dev/null ;;
        apk) apk version "$set_name" 2>/dev/null ;;
        pacman) pacman -Q "$set_name" 2>/dev/null ;;
        *) rpm -q --nosignature --nohdrchk --nodigest --qf '%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n' "$set_name" 2>/dev/null ;;
      esac
      printf '\\0%s\\0' "$?"
    """

    static func parsePackages(_ bytes: ArraySlice<UInt8>, names: [String], manager: String) -> [String: [String]] {
        let parts = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
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
            if !versions.isEmpty { result[name] = versions }
        }
        return result
    }

    // MARK: commands

    /// Runs every command at once in one shell run: each `sh -c` in the background with its streams in files, a
    /// watchdog per command that marks it timed out (the command keeps running, as under goss), then every result
    /// framed as `R<code>`/`T`, NUL, stdout length, NUL, bytes, stderr length, NUL, bytes.
    /// nil when the batch cannot run (no writable temporary folder): the caller runs the commands one by one.
    func commandBatch(_ commands: [(exec: String, timeoutMS: Int)]) async throws -> [GossProbeOutput]? {
        guard !commands.isEmpty else { return [] }
        let script = """
        d=$(mktemp -d 2>/dev/null) || exit 125
        i=0
        while [ $# -gt 1 ]; do
          i=$((i+1)); t=$1; c=$2; shift 2
          ( sh -c "$c" >"$d/$i.out" 2>"$d/$i.err" </dev/null; echo $? >"$d/$i.rc.tmp"; mv "$d/$i.rc.tmp" "$d/$i.rc" ) &
          ( sleep "$t"; [ -e "$d/$i.rc" ] || : >"$d/$i.to" ) >/dev/null 2>&1 </dev/null &
        done
        k=0
        while :; do
          open=0; j=0
          while [ $j -lt $i ]; do j=$((j+1)); [ -e "$d/$j.rc" ] || [ -e "$d/$j.to" ] || open=1; done
          [ $open -eq 0 ] && break
          k=$((k+1)); if [ $k -lt 20 ]; then sleep 0.01; else sleep 0.05; fi
        done
        j=0
        while [ $j -lt $i ]; do
          j=$((j+1))
          if [ -e "$d/$j.to" ] || [ ! -e "$d/$j.rc" ]; then printf 'T\\0'; done_=0; else printf 'R%s\\0' "$(cat "$d/$j.rc")"; done_=1; fi
          for s in out err; do
            if [ $done_ -eq 1 ]; then printf '%s\\0' "$(( $(wc -c <"$d/$j.$s") ))"; cat "$d/$j.$s"; else printf '0\\0'; fi
          done
        done
        rm -rf "$d" 2>/dev/null
        exit 0
        """
        var arguments: [String] = []
        for command in commands {
            arguments += [String(format: "%.3f", Double(command.timeoutMS) / 1000), command.exec]
        }
        let longest = commands.map(\.timeoutMS).max() ?? 10_000
        let output = try await shell(script, arguments, timeout: .milliseconds(Self.plus(longest, 30_000)))
        if output.exitCode == 125 { return nil }
        var results: [GossProbeOutput] = []
        var index = 0
        let bytes = output.stdout
        func field() -> String? {
            guard let end = bytes[index...].firstIndex(of: 0) else { return nil }
            defer { index = end + 1 }
            return String(decoding: bytes[index..<end], as: UTF8.self)
        }
        func chunk() -> [UInt8]? {
            guard let length = field().flatMap({ Int($0) }), length >= 0, index + length <= bytes.count else { return nil }
            defer { index += length }
            return Array(bytes[index..<index + length])
        }
        for _ in commands {
            guard let status = field(), let out = chunk(), let err = chunk() else { return nil }
            if status == "T" {
                results.append(GossProbeOutput(exitCode: -1, stdout: [], stderr: [], timedOut: true))
            } else {
                let code = Int32(status.dropFirst().trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
                results.append(GossProbeOutput(exitCode: code, stdout: out, stderr: err))
            }
        }
        return results
    }

    // MARK: ports and processes (parts of the snapshot)

    static let portsScript = "for t in tcp tcp6 udp udp6; do printf '\\0%s\\n' \"$t\"; cat /proc/net/$t 2>/dev/null; done"
    /// Every process's comm, NUL-terminated (a comm may hold a newline, never a NUL).
    static let processScript = "for d in /proc/[0-9]*; do c=$(cat \"$d/comm\" 2>/dev/null) && printf '%s\\0' \"$c\"; done"

    static func parseProcesses(_ bytes: ArraySlice<UInt8>) -> [String] {
        bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
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
