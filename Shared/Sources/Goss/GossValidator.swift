// Evaluates a gossfile against a system: facts gathered in batches (one run per resource kind, commands concurrently),
// then every property checked with goss's gating, skip and error rules.
import Foundation

/// Validates gossfiles through a probe.
///
///     let report = try await GossValidator(probe: probe).validate(gossfile)
///     print(report.failedCount)
public struct GossValidator: Sendable {
    public let probe: any GossProbe
    /// Commands run at once (goss runs up to 50; fewer keeps tuned timeouts honest on small machines).
    public var maxConcurrentCommands: Int

    public init(probe: any GossProbe, maxConcurrentCommands: Int = 8) {
        self.probe = probe
        self.maxConcurrentCommands = max(1, maxConcurrentCommands)
    }

    /// One attempt: every resource checked once. Throws only when the probe cannot reach the system at all.
    public func validate(_ gossfile: Gossfile) async throws -> GossReport {
        let system = GossSystem(probe: probe)
        let resources = gossfile.ordered
        let facts = try await gather(resources, system: system)
        var results: [GossResult] = []
        for resource in resources {
            results += try await evaluate(resource, facts: facts, system: system)
        }
        return GossReport(results: results)
    }

    /// goss's `--retry-timeout`: attempts until every check passes or the next sleep would pass the deadline.
    /// `attempt` is told each finished attempt (number, report); return false from `shouldContinue` to stop early
    /// (for example when the container stopped).
    public func validate(_ gossfile: Gossfile, retryTimeout: Duration, sleep: Duration,
                         shouldContinue: @Sendable () async -> Bool = { true },
                         attempt: @Sendable (Int, GossReport) async -> Void = { _, _ in }) async throws -> (report: GossReport, attempts: Int, timedOut: Bool) {
        let clock = ContinuousClock()
        let start = clock.now
        var number = 1
        while true {
            let report = try await validate(gossfile)
            await attempt(number, report)
            if report.failedCount == 0 || retryTimeout <= .zero { return (report, number, false) }
            if clock.now - start + sleep > retryTimeout { return (report, number, true) }
            guard await shouldContinue() else { return (report, number, false) }
            try await Task.sleep(for: sleep)
            number += 1
        }
    }

    // MARK: gathering

    struct Facts: Sendable {
        /// Accounts, files, packages, sockets, processes and mounts, from one shell run.
        var snapshot = GossSystem.Snapshot()
        var commands: [String: CommandFact] = [:]
        var started: [GossResourceKind: Date] = [:]
        var basics: SystemBasics { snapshot.basics }
    }

    struct CommandFact: Sendable {
        var output: GossProbeOutput?
        var error: String?
        var start: Date
        var end: Date
    }

    private func needs(_ resources: [GossResource], _ kind: GossResourceKind) -> [GossResource] {
        resources.filter { $0.kind == kind && !$0.skip }
    }

    private func gather(_ resources: [GossResource], system: GossSystem) async throws -> Facts {
        var facts = Facts()
        let now = Date()
        for kind in GossResourceKind.allCases { facts.started[kind] = now }
        let fileTargets = needs(resources, .file).map(\.target)
        // Relative and `~` paths need the working directory and passwd first; absolute ones clean without them.
        var basics = SystemBasics()
        if fileTargets.contains(where: { !$0.hasPrefix("/") }) { basics = try await system.systemBasics() }
        let filePaths = Array(Set(fileTargets.map { Self.cleanPath($0, basics: basics) })).sorted()
        let packageNames = Array(Set(needs(resources, .package).map(\.target))).sorted()
        let wantPorts = !needs(resources, .port).isEmpty
        let wantProcesses = !needs(resources, .process).isEmpty
        let wantMounts = !needs(resources, .mount).isEmpty
        let wantAccounts = !needs(resources, .user).isEmpty || !needs(resources, .group).isEmpty || !fileTargets.isEmpty
        let wantSnapshot = wantAccounts || !filePaths.isEmpty || !packageNames.isEmpty || wantPorts || wantProcesses || wantMounts
        let commands = needs(resources, .command)
        let limit = maxConcurrentCommands

        // Two runs at once: one for every fact but commands, one for all the commands.
        async let snapshot = wantSnapshot
            ? system.snapshot(paths: filePaths, packages: packageNames, ports: wantPorts, processes: wantProcesses, mounts: wantMounts)
            : GossSystem.Snapshot()
        async let commandFacts = Self.runCommands(commands, system: system, limit: limit)
        facts.snapshot = try await snapshot
        if !wantSnapshot { facts.snapshot.basics = basics }
        facts.commands = try await commandFacts
        return facts
    }

    /// All commands in one batch run (concurrently inside it); one run each when the batch cannot run.
    private static func runCommands(_ commands: [GossResource], system: GossSystem, limit: Int) async throws -> [String: CommandFact] {
        guard !commands.isEmpty else { return [:] }
        let begin = Date()
        let list = commands.map { (exec: $0.target, timeoutMS: $0.milliseconds("timeout", default: 10_000)) }
        if let outputs = try await system.commandBatch(list), outputs.count == commands.count {
            let end = Date()
            return Dictionary(zip(commands, outputs).map { ($0.key, CommandFact(output: $1, error: nil, start: begin, end: end)) },
                              uniquingKeysWith: { first, _ in first })
        }
        return try await runOneByOne(commands, system: system, limit: limit)
    }

    private static func runOneByOne(_ commands: [GossResource], system: GossSystem, limit: Int) async throws -> [String: CommandFact] {
        try await withThrowingTaskGroup(of: (String, CommandFact).self) { group in
            var results: [String: CommandFact] = [:]
            var pending = commands[...]
            func start(_ resource: GossResource) {
                group.addTask {
                    let timeout = resource.milliseconds("timeout", default: 10_000)
                    let begin = Date()
                    let output = try await system.shell(resource.target, timeout: .milliseconds(timeout))
                    return (resource.key, CommandFact(output: output, error: nil, start: begin, end: Date()))
                }
            }
            for _ in 0..<limit { if let next = pending.popFirst() { start(next) } }
            while let (key, fact) = try await group.next() {
                results[key] = fact
                if let next = pending.popFirst() { start(next) }
            }
            return results
        }
    }

    // MARK: evaluation

    private func evaluate(_ resource: GossResource, facts: Facts, system: GossSystem) async throws -> [GossResult] {
        var evaluation = ResourceEvaluation(resource: resource, start: facts.started[resource.kind] ?? Date())
        let properties = resource.kind.properties
        if resource.skip {
            for (index, property) in properties.enumerated() where index == 0 && resource.kind.firstIsRequired || evaluation.isSet(property) {
                evaluation.skip(property)
            }
            return evaluation.results
        }
        switch resource.kind {
        case .file: try await evaluateFile(&evaluation, facts: facts, system: system)
        case .package:
            let versions = facts.snapshot.packages[resource.target]
            evaluation.gated([
                (properties[0], .success(.value(.bool(versions != nil)))),
                (properties[1], versions.map { $0.isEmpty ? .failure("Package version not found") : .success(.strings($0)) } ?? .failure("Package version not found")),
            ])
        case .user: evaluateUser(&evaluation, basics: facts.basics)
        case .group:
            let line = facts.basics.groups.first { $0.name == resource.target }
            evaluation.gated([
                (properties[0], .success(.value(.bool(line != nil)))),
                (properties[1], Self.intField(line, 2, what: "group", name: resource.target)),
            ])
        case .command:
            let fact = facts.commands[resource.key]
            evaluation.start = fact?.start ?? evaluation.start
            let timeoutMS = resource.milliseconds("timeout", default: 10_000)
            let outcome: (Int) -> Result<GossActual, GossFailure> = { index in
                guard let output = fact?.output else { return .failure(GossFailure(fact?.error ?? "command was not run")) }
                if output.timedOut { return .failure("Command execution timed out (\(GoDuration.milliseconds(timeoutMS)))") }
                switch index {
                case 0: return .success(.value(.int(Int(output.exitCode))))
                case 1: return .success(.stream(.commandOutput(output.stdout)))
                default: return .success(.stream(.commandOutput(output.stderr)))
                }
            }
            evaluation.ungated(properties.enumerated().map { ($0.element, outcome($0.offset)) })
        case .port:
            let key = Self.portKey(resource.target)
            let ips = facts.snapshot.ports[key]
            evaluation.gated([
                (properties[0], .success(.value(.bool(ips != nil)))),
                (properties[1], .success(.strings(ips ?? []))),
            ])
        case .process:
            evaluation.ungated([(properties[0], .success(.value(.bool(facts.snapshot.processes.contains(resource.target)))))])
        case .http: try await evaluateHTTP(&evaluation, system: system)
        case .addr: try await evaluateAddr(&evaluation, system: system)
        case .dns: try await evaluateDNS(&evaluation, system: system)
        case .service: try await evaluateService(&evaluation, system: system)
        case .kernelParam:
            let path = "/proc/sys/" + resource.target.replacingOccurrences(of: ".", with: "/")
            let output = try await system.shell("cat -- \"$1\"", [path])
            evaluation.ungated([(properties[0], output.exitCode == 0
                ? .success(.value(.string(output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))))
                : .failure("open \(path): no such file or directory"))])
        case .mount: try await evaluateMount(&evaluation, mountinfo: facts.snapshot.mountinfo, system: system)
        case .interface: try await evaluateInterface(&evaluation, system: system)
        case .matching:
            let content = resource.settings["content"] ?? .null
            let actual: GossActual = resource.flag("as-reader") ? .stream(.reader(Array(content.goText.utf8))) : .value(content)
            evaluation.ungated([(properties[0], .success(actual))])
        }
        return evaluation.results
    }

    private func evaluateFile(_ evaluation: inout ResourceEvaluation, facts: Facts, system: GossSystem) async throws {
        let path = Self.cleanPath(evaluation.resource.target, basics: facts.basics)
        let fact = facts.snapshot.files[path] ?? FileFact(state: .error("stat \(path): not probed"))
        let props = evaluation.resource.kind.properties
        var values: [(GossResourceKind.Property, Result<GossActual, GossFailure>)] = []
        let exists: Result<GossActual, GossFailure>
        switch fact.state {
        case .missing: exists = .success(.value(.bool(false)))
        case .present: exists = .success(.value(.bool(true)))
        case .error(let message): exists = .failure(GossFailure(message))
        }
        values.append((props[0], exists))
        let passwd = facts.basics.passwd, groups = facts.basics.groups
        for property in props.dropFirst() where evaluation.isSet(property) {
            let value: Result<GossActual, GossFailure>
            switch property.key {
            case "mode": value = .success(.value(.string(fact.mode)))
            case "owner":
                value = passwd.first { $0.fields.count > 2 && $0.fields[2] == String(fact.uid) }.map { .success(.value(.string($0.name))) }
                    ?? .failure("user: unknown userid \(fact.uid)")
            case "group":
                value = groups.first { $0.fields.count > 2 && $0.fields[2] == String(fact.gid) }.map { .success(.value(.string($0.name))) }
                    ?? .failure("group: unknown groupid \(fact.gid)")
            case "uid": value = .success(.value(.int(fact.uid)))
            case "gid": value = .success(.value(.int(fact.gid)))
            case "linked-to":
                value = fact.linkTarget.map { .success(.value(.string($0))) } ?? .failure("readlink \(path): invalid argument")
            case "filetype": value = .success(.value(.string(fact.filetype)))
            case "size": value = .success(.value(.int(fact.size)))
            case "contains", "contents":
                // Gating usually skips these; only fetch when the file exists.
                if case .present = fact.state {
                    value = try await system.contents(path).map { .stream(.fileContents($0)) }.mapError { $0 }
                } else { value = .failure("open \(path): no such file or directory") }
            case "md5", "sha256", "sha512":
                if case .present = fact.state {
                    let output = try await system.shell("\(property.key)sum -- \"$1\"", [path])
                    let digest = output.stdoutText.split(separator: " ").first.map(String.init) ?? ""
                    value = output.exitCode == 0 && !digest.isEmpty ? .success(.value(.string(digest.lowercased())))
                        : .failure("\(property.key): \(output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))")
                } else { value = .failure("open \(path): no such file or directory") }
            default: continue
            }
            values.append((property, value))
        }
        evaluation.gated(values)
    }

    private func evaluateUser(_ evaluation: inout ResourceEvaluation, basics: SystemBasics) {
        let name = evaluation.resource.target
        let props = evaluation.resource.kind.properties
        let index = basics.passwd.firstIndex { $0.name == name }
        let line = index.map { basics.passwd[$0] }
        let groups: Result<GossActual, GossFailure> = line.map { line in
            let primary = line.fields.count > 3 ? line.fields[3] : ""
            let names = basics.groups.filter { $0.fields.count == 4 }.filter { group in
                group.fields[2] == primary || group.fields[3].split(separator: ",").contains { $0 == name }
            }.map(\.name)
            return .success(.strings(names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }))
        } ?? .failure("user: unknown user \(name)")
        let shell: Result<GossActual, GossFailure>
        if let index, basics.passwd[...index].allSatisfy({ $0.fields.count == 7 }) {
            shell = .success(.value(.string(basics.passwd[index].fields[6])))
        } else {
            shell = .failure(index == nil ? "user: unknown user \(name)" : "invalid entry in /etc/passwd")
        }
        evaluation.gated([
            (props[0], .success(.value(.bool(line != nil)))),
            (props[1], Self.intField(line, 2, what: "user", name: name)),
            (props[2], Self.intField(line, 3, what: "user", name: name)),
            (props[3], line.flatMap { $0.fields.count > 5 ? .success(.value(.string($0.fields[5]))) : nil } ?? .failure("user: unknown user \(name)")),
            (props[4], groups),
            (props[5], shell),
        ])
    }

    private func evaluateHTTP(_ evaluation: inout ResourceEvaluation, system: GossSystem) async throws {
        let resource = evaluation.resource
        let props = resource.kind.properties
        let timeoutMS = resource.milliseconds("timeout", default: 5000)
        var curl = ["curl", "-sS", "-o", "$tmp/body", "-D", "$tmp/headers", "-w", "%{http_code}", "--compressed",
                    "--max-time", String(format: "%.3f", Double(timeoutMS) / 1000), "-X", resource.setting("method") ?? "GET"]
        if resource.flag("allow-insecure") { curl.append("-k") }
        if !resource.flag("no-follow-redirects") { curl += ["-L", "--max-redirs", "10"] }
        var userAgent = false
        if case .list(let headers)? = resource.settings["request-headers"] {
            for case .string(let header) in headers {
                if header.lowercased().hasPrefix("user-agent:") { userAgent = true }
                curl += ["-H", header]
            }
        }
        if !userAgent { curl += ["-A", "goss/0.4.10"] }
        if let user = resource.setting("username") { curl += ["-u", "\(user):\(resource.setting("password") ?? "")"] }
        if let ca = resource.setting("ca-file") { curl += ["--cacert", ca] }
        if let cert = resource.setting("cert-file") { curl += ["--cert", cert] }
        if let key = resource.setting("key-file") { curl += ["--key", key] }
        if let proxy = resource.setting("proxy") { curl += ["-x", proxy] }
        if resource.settings["request-body"] != nil { curl += ["--data-binary", "@-"] }
        curl.append(resource.target)
        // Arguments go through "$@"; only $tmp is expanded by the script.
        let script = """
        command -v curl >/dev/null 2>&1 || { echo 'curl is not installed in the system under test (the built-in runner makes http checks with curl)' >&2; exit 127; }
        tmp=$(mktemp -d) || exit 125
        for a do shift; case $a in '$tmp/'*) set -- "$@" "$tmp/${a#'$tmp/'}";; *) set -- "$@" "$a";; esac; done
        printf '%s' "$BODY" | "$@" > "$tmp/code"; rc=$?
        cat "$tmp/code"; printf '\\0%s\\0' "$rc"; cat "$tmp/headers" 2>/dev/null; printf '\\0'; cat "$tmp/body" 2>/dev/null; rm -rf "$tmp"
        exit 0
        """
        let body = resource.setting("request-body") ?? ""
        let output = try await system.shell("BODY=$1; shift; " + script, [body] + curl, timeout: .milliseconds(GossSystem.plus(timeoutMS, 10_000)))
        let parts = output.stdout.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false)
        guard output.exitCode == 0, parts.count == 4, String(decoding: parts[1], as: UTF8.self) == "0",
              let status = Int(String(decoding: parts[0], as: UTF8.self)) else {
            let reason = output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            let error = GossFailure("Get \"\(resource.target)\": " + (reason.isEmpty ? "request failed" : reason.replacingOccurrences(of: "curl: ", with: "")))
            evaluation.gated([(props[0], .failure(error)), (props[1], .failure(error)), (props[2], .failure(error))])
            return
        }
        let headers = Self.headerLines(String(decoding: parts[2], as: UTF8.self))
        evaluation.gated([
            (props[0], .success(.value(.int(status)))),
            (props[1], .success(.stream(GossStream(bytes: Array(headers.utf8), goType: "*strings.Reader")))),
            (props[2], .success(.stream(GossStream(bytes: Array(parts[3]), goType: "*http.bodyEOFSignal")))),
        ])
    }

    /// The last response's header block as sorted `Canonical-Name: value` lines.
    static func headerLines(_ raw: String) -> String {
        let blocks = raw.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        guard let last = blocks.last else { return "" }
        var lines: [String] = []
        for line in last.split(separator: "\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined(separator: "-")
            lines.append("\(name): \(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))")
        }
        return lines.sorted().joined(separator: "\n")
    }

    private func evaluateAddr(_ evaluation: inout ResourceEvaluation, system: GossSystem) async throws {
        var address = evaluation.resource.target
        var proto = "tcp"
        if let range = address.range(of: "://") { proto = String(address[..<range.lowerBound]); address = String(address[range.upperBound...]) }
        let timeoutMS = evaluation.resource.milliseconds("timeout", default: 500)
        let host: String, port: String
        if let colon = address.lastIndex(of: ":") { host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")); port = String(address[address.index(after: colon)...]) }
        else { host = address; port = "" }
        let seconds = String(format: "%.3f", Double(timeoutMS) / 1000)
        let script = proto == "udp"
            ? "command -v nc >/dev/null 2>&1 && nc -u -z -w \"$3\" \"$1\" \"$2\""
            : """
              if command -v bash >/dev/null 2>&1; then timeout "$3" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
              elif command -v nc >/dev/null 2>&1; then nc -z -w "${3%.*}" "$1" "$2"
              else curl -s --max-time "$3" "telnet://$1:$2" </dev/null >/dev/null 2>&1; [ $? -ne 7 ] && [ $? -ne 28 ]; fi
              """
        let output = try await system.shell(script, [host, port, seconds], timeout: .milliseconds(GossSystem.plus(timeoutMS, 5000)))
        evaluation.ungated([(evaluation.resource.kind.properties[0], .success(.value(.bool(output.exitCode == 0))))])
    }

    private func evaluateDNS(_ evaluation: inout ResourceEvaluation, system: GossSystem) async throws {
        var name = evaluation.resource.target
        if let colon = name.firstIndex(of: ":"), ["A", "AAAA"].contains(String(name[..<colon])) { name = String(name[name.index(after: colon)...]) }
        let output = try await system.shell("getent ahosts \"$1\" 2>/dev/null || getent hosts \"$1\"", [name], timeout: .seconds(10))
        var addresses: [String] = []
        for line in output.stdoutText.split(separator: "\n") {
            if let first = line.split(separator: " ").first, !addresses.contains(String(first)) { addresses.append(String(first)) }
        }
        let props = evaluation.resource.kind.properties
        evaluation.gated([(props[0], .success(.value(.bool(output.exitCode == 0 && !addresses.isEmpty)))),
                          (props[1], .success(.strings(addresses)))])
    }

    private func evaluateService(_ evaluation: inout ResourceEvaluation, system: GossSystem) async throws {
        let script = """
        if command -v systemctl >/dev/null 2>&1; then systemctl -q is-enabled "$1" 2>/dev/null; e=$?; systemctl -q is-active "$1" 2>/dev/null; r=$?
        else service "$1" status >/dev/null 2>&1; r=$?; e=1; for f in /etc/rc[0-9S].d/S??"$1"; do [ -e "$f" ] && e=0; done; fi
        printf '%s %s\\n' "$e" "$r"; for f in /etc/rc[0-9S].d/S??"$1"; do [ -e "$f" ] && printf '%s\\n' "$f"; done; exit 0
        """
        let output = try await system.shell(script, [evaluation.resource.target], timeout: .seconds(30))
        let lines = output.stdoutText.split(separator: "\n")
        let codes = lines.first?.split(separator: " ") ?? []
        let runlevels = lines.dropFirst().compactMap { line -> String? in
            let dir = line.split(separator: "/").dropLast().last ?? ""
            return dir.hasPrefix("rc") ? String(dir.dropFirst(2).prefix(1)) : nil
        }
        let props = evaluation.resource.kind.properties
        evaluation.ungated([
            (props[0], .success(.value(.bool(codes.first == "0")))),
            (props[1], .success(.value(.bool(codes.count > 1 && codes[1] == "0")))),
            (props[2], .success(.strings(runlevels))),
        ])
    }

    private func evaluateMount(_ evaluation: inout ResourceEvaluation, mountinfo: String, system: GossSystem) async throws {
        let point = evaluation.resource.target
        let props = evaluation.resource.kind.properties
        var entry: [Substring]?
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 4, Self.unescapeMount(String(fields[4])) == point { entry = fields }
        }
        guard let fields = entry, let dash = fields.firstIndex(of: "-"), dash + 2 < fields.count else {
            let error = GossFailure("mountpoint not found: \(point)")
            evaluation.gated(props.map { ($0, .failure(error)) })
            return
        }
        let options = Self.uniqued(fields[5].split(separator: ",").map(String.init))
        let superOptions = dash + 3 < fields.count ? Self.uniqued(fields[dash + 3].split(separator: ",").map(String.init)) : []
        var usage: Result<GossActual, GossFailure> = .failure("statfs \(point): not measured")
        if evaluation.isSet(props[5]) {
            let output = try await system.shell("stat -f -c '%b %f' -- \"$1\"", [point], timeout: .seconds(10))
            let parts = output.stdoutText.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            if parts.count == 2, parts[0] > 0 { usage = .success(.value(.int(Int(((1 - parts[1] / parts[0]) * 100).rounded())))) }
        }
        evaluation.gated([
            (props[0], .success(.value(.bool(true)))),
            (props[1], .success(.strings(options))),
            (props[2], .success(.strings(superOptions))),
            (props[3], .success(.value(.string(String(fields[dash + 2]))))),
            (props[4], .success(.value(.string(String(fields[dash + 1]))))),
            (props[5], usage),
        ])
    }

    private func evaluateInterface(_ evaluation: inout ResourceEvaluation, system: GossSystem) async throws {
        let name = evaluation.resource.target
        let script = """
        [ -e "/sys/class/net/$1" ] || { echo missing; exit 0; }
        cat "/sys/class/net/$1/mtu"; if command -v ip >/dev/null 2>&1; then ip -o addr show dev "$1"; fi
        """
        let output = try await system.shell(script, [name], timeout: .seconds(10))
        let lines = output.stdoutText.split(separator: "\n").map(String.init)
        let props = evaluation.resource.kind.properties
        guard let first = lines.first, first != "missing" else {
            evaluation.gated([(props[0], .success(.value(.bool(false)))), (props[1], .failure("no such network interface")), (props[2], .failure("no such network interface"))])
            return
        }
        let addresses = lines.dropFirst().compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard let index = fields.firstIndex(where: { $0 == "inet" || $0 == "inet6" }), index + 1 < fields.count else { return nil }
            return String(fields[index + 1])
        }
        evaluation.gated([
            (props[0], .success(.value(.bool(true)))),
            (props[1], .success(.strings(addresses))),
            (props[2], Int(first.trimmingCharacters(in: .whitespaces)).map { .success(.value(.int($0))) } ?? .failure("mtu: unreadable")),
        ])
    }

    // MARK: helpers

    static func intField(_ line: AccountLine?, _ index: Int, what: String, name: String) -> Result<GossActual, GossFailure> {
        guard let line else { return .failure("\(what): unknown \(what) \(name)") }
        guard line.fields.count > index, let value = Int(line.fields[index]) else { return .failure("invalid entry for \(what) \(name)") }
        return .success(.value(.int(value)))
    }

    /// A bare port means tcp.
    static func portKey(_ key: String) -> String { key.contains(":") ? key : "tcp:\(key)" }

    /// goss's path handling: `~` through passwd, relative to the working directory, cleaned, no trailing slash.
    static func cleanPath(_ raw: String, basics: SystemBasics) -> String {
        var path = raw
        if path.hasPrefix("~") {
            let rest = path.dropFirst()
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let user = String(rest[..<slash])
            let line = user.isEmpty ? basics.passwd.first { $0.fields.count > 2 && $0.fields[2] == String(basics.uid) }
                                    : basics.passwd.first { $0.name == user }
            guard let home = line?.fields.count ?? 0 > 5 ? line?.fields[5] : nil else { return raw }
            path = home + rest[slash...]
        } else if !path.hasPrefix("/") {
            path = basics.workingDirectory + "/" + path
        }
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    static func unescapeMount(_ text: String) -> String {
        var out = "", index = text.startIndex
        while index < text.endIndex {
            if text[index] == "\\", let end = text.index(index, offsetBy: 4, limitedBy: text.endIndex),
               let code = UInt8(text[text.index(after: index)..<end], radix: 8) {
                out.append(Character(UnicodeScalar(code)))
                index = end
            } else {
                out.append(text[index])
                index = text.index(after: index)
            }
        }
        return out
    }

    static func uniqued(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}

/// Go's `time.Duration.String()` for whole milliseconds: `10s`, `1m0s`, `1.5s`, `500ms`.
public enum GoDuration {
    public static func milliseconds(_ ms: Int) -> String {
        if ms == 0 { return "0s" }
        if ms < 1000 { return "\(ms)ms" }
        let hours = ms / 3_600_000, minutes = (ms / 60_000) % 60
        let secondsMS = ms % 60_000
        var seconds = String(secondsMS / 1000)
        if secondsMS % 1000 != 0 {
            var fraction = String(format: "%03d", secondsMS % 1000)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            seconds += "." + fraction
        }
        if hours > 0 { return "\(hours)h\(minutes)m\(seconds)s" }
        if minutes > 0 { return "\(minutes)m\(seconds)s" }
        return "\(seconds)s"
    }
}
