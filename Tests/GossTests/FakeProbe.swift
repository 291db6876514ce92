// A probe that answers the runner's batched scripts from canned system facts, as the shell scripts would print them.
import Foundation
@testable import Goss

/// A fake system: files, accounts, packages, sockets, processes and commands, answered the way the probe scripts print them.
final class FakeProbe: GossProbe, @unchecked Sendable {
    struct File { var mode: UInt32; var uid = 0; var gid = 0; var size = 0; var link: String? = nil; var content: [UInt8] = [] }
    var workingDirectory = "/"
    var uid = 0
    var passwd = "root:x:0:0:root:/root:/bin/bash\nrstudio-server:x:999:999::/home/rstudio-server:/bin/sh\n"
    var group = "root:x:0:\nrstudio-server:x:999:\nstaff:x:50:rstudio-server,alice\n"
    var packageManager = "dpkg"
    var files: [String: File] = [:]
    /// dpkg-query output per name (absent: not installed).
    var dpkg: [String: String] = [:]
    var net = ""
    /// Each process's comm.
    var processes: [String] = []
    var commands: [String: GossProbeOutput] = [:]
    var environment: [String: String] = [:]
    var readable: [String: String] = [:]
    private let lock = NSLock()
    private(set) var scripts: [String] = []

    func shell(_ script: String, arguments: [String], timeout: Duration) async throws -> GossProbeOutput {
        lock.withLock { scripts.append(script) }
        if script.hasPrefix("pwd;") { return GossProbeOutput(exitCode: 0, stdout: basicsOutput()) }
        if script.hasPrefix("n=$1; shift") {
            // The snapshot: basics, files, packages, ports, processes, mounts, separated by the section mark.
            let count = Int(arguments.first ?? "0") ?? 0
            let paths = Array(arguments.dropFirst().prefix(count)), names = Array(arguments.dropFirst(1 + count))
            let mark = Array("\u{1}goss-section\u{1}".utf8)
            var out = basicsOutput() + mark + fileRecords(paths) + mark + packageRecords(names) + mark
            out += (script.contains("/proc/net/") ? Array(net.utf8) : []) + mark
            out += (script.contains("/proc/[0-9]*") ? processes.flatMap { Array($0.utf8) + [0] } : []) + mark + mark
            return GossProbeOutput(exitCode: 0, stdout: out)
        }
        if script.hasPrefix("d=$(mktemp -d") {
            var out: [UInt8] = []
            var index = 0
            while index + 1 < arguments.count {
                let exec = arguments[index + 1]
                index += 2
                let result = commands[exec] ?? GossProbeOutput(exitCode: 127, stdout: [], stderr: Array("sh: 1: \(exec): not found\n".utf8))
                if result.timedOut { out += Array("T\0".utf8) + Array("0\0".utf8) + Array("0\0".utf8); continue }
                out += Array("R\(result.exitCode)\0".utf8)
                out += Array("\(result.stdout.count)\0".utf8) + result.stdout + Array("\(result.stderr.count)\0".utf8) + result.stderr
            }
            return GossProbeOutput(exitCode: 0, stdout: out)
        }
        return try await other(script, arguments: arguments)
    }

    private func basicsOutput() -> [UInt8] {
        Array("\(workingDirectory)\n\0\(uid)\n\0\(passwd)\0\(group)\0\(packageManager)\n".utf8)
    }

    private func fileRecords(_ paths: [String]) -> [UInt8] {
            var out: [UInt8] = []
            for path in paths {
                if let f = files[path] {
                    out += Array("S \(String(f.mode, radix: 16)) \(f.uid) \(f.gid) \(f.size)".utf8)
                    if let link = f.link { out += Array("\t\(link)".utf8) }
                } else { out += Array("M".utf8) }
                out.append(0)
            }
            return out
    }

    private func packageRecords(_ names: [String]) -> [UInt8] {
        var out = ""
        for name in names {
            if let text = dpkg[name] { out += text + "\0" + "0\0" } else { out += "\0" + "1\0" }
        }
        return Array(out.utf8)
    }

    private func other(_ script: String, arguments: [String]) async throws -> GossProbeOutput {
        if script.hasPrefix("for t in tcp") { return GossProbeOutput(exitCode: 0, stdout: Array(net.utf8)) }
        if script.hasPrefix("cat /proc/self/environ") {
            let text = environment.map { "\($0.key)=\($0.value)" }.joined(separator: "\0")
            return GossProbeOutput(exitCode: 0, stdout: Array(text.utf8))
        }
        if script.hasPrefix("cat -- \"$1\""), let path = arguments.first {
            if let text = readable[path] { return GossProbeOutput(exitCode: 0, stdout: Array(text.utf8)) }
            return GossProbeOutput(exitCode: 1, stdout: [], stderr: Array("cat: \(path): No such file or directory\n".utf8))
        }
        if script.hasPrefix("if [ -d"), let path = arguments.first {
            if let f = files[path] { return GossProbeOutput(exitCode: 0, stdout: f.content) }
            return GossProbeOutput(exitCode: 1, stdout: [], stderr: Array("No such file\n".utf8))
        }
        if let output = commands[script] {
            if output.timedOut { try await Task.sleep(for: .milliseconds(1)) }
            return output
        }
        return GossProbeOutput(exitCode: 127, stdout: [], stderr: Array("sh: 1: \(script): not found\n".utf8))
    }
}
