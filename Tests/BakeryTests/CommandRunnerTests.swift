import Bakery
import Foundation
import Testing

/// The one way bakery runs child processes: both pipes drained at once, limits, time limit, PATH
/// lookup, failures that name the command (secrets masked), and the blocking wrapper.
///
/// Time bounds are far below the children's own running time (300 s) yet loose: in the full,
/// parallel test run the cooperative pool is busy and resumptions wait. A run can only return
/// once its child is gone, so returning well before 300 s shows the child was stopped.
@Suite("CommandRunner")
struct CommandRunnerTests {
    let runner = CommandRunner()

    @Test func bigStandardErrorBeforeStandardOutputDoesNotDeadlock() async throws {
        // 2 MB on stderr fills any pipe buffer long before stdout is written.
        var command = ChildCommand("sh", ["-c", "head -c 2000000 /dev/zero >&2; echo ok"])
        command.timeout = .seconds(30)
        let output = try await runner.run(command)
        #expect(output.succeeded)
        #expect(output.stdout == "ok\n")
        // Only the tail of stderr is kept, and it says so.
        #expect(output.standardError.count == command.errorLimit)
        #expect(output.standardErrorWasCut)
    }

    @Test func bigStandardOutputIsReadWhole() async throws {
        let output = try await runner.run(ChildCommand("sh", ["-c", "head -c 3000000 /dev/zero; echo done >&2"]))
        #expect(output.standardOutput.count == 3_000_000)
        #expect(output.stderr == "done\n")
        #expect(!output.standardErrorWasCut)
    }

    @Test func tooMuchStandardOutputStopsTheChild() async throws {
        var command = ChildCommand("sh", ["-c", "while :; do echo yes; done"])
        command.outputLimit = 10_000
        command.timeout = .seconds(30)
        let start = ContinuousClock.now
        do {
            _ = try await runner.run(command)
            Issue.record("an endless writer was not stopped")
        } catch {
            #expect(error.code == .commandOutputTooLarge)
            #expect(error.message.contains("more than 10000 bytes"), "\(error.message)")
        }
        #expect(ContinuousClock.now - start < .seconds(200))
    }

    @Test func timeoutKillsTheChildAndSaysSo() async throws {
        var command = ChildCommand("sleep", ["300"])
        command.timeout = .milliseconds(300)
        let start = ContinuousClock.now
        do {
            _ = try await runner.run(command)
            Issue.record("sleep 300 finished within 300 ms")
        } catch {
            #expect(error.code == .commandTimedOut)
            #expect(error.message.contains("`sleep 300` did not finish within 300 ms"), "\(error.message)")
        }
        #expect(ContinuousClock.now - start < .seconds(200))
    }

    @Test func timeoutAlsoEndsAChildWhoseGrandchildHoldsThePipes() async throws {
        // The shell is killed; its `sleep` keeps stdout open. The run must still end.
        var command = ChildCommand("sh", ["-c", "sleep 300; echo never"])
        command.timeout = .milliseconds(300)
        command.stopsProcessGroup = true
        let start = ContinuousClock.now
        await #expect(throws: BakeryError.self) { _ = try await runner.run(command) }
        #expect(ContinuousClock.now - start < .seconds(200))
    }

    @Test func stoppingTheProcessGroupEndsGrandchildrenToo() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("grandchild-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        var command = ChildCommand("sh", arguments: ["-c", "sleep 300 & echo $! > \"$1\"; wait", "sh", CommandValue(pidFile.path)])
        command.stopsProcessGroup = true
        command.timeout = .milliseconds(500)
        await #expect(throws: BakeryError.self) { _ = try await runner.run(command) }
        let pid = try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!pid.isEmpty)
        // Gone, or a zombie waiting for its new parent to reap it: not running.
        var alive = true
        for _ in 0..<50 where alive {
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: ")").last?.split(separator: " ").first
            alive = state != nil && state != "Z"
            if alive { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(!alive, "the grandchild \(pid) outlived its group's teardown")
    }

    @Test func aChildThatIgnoresTerminationIsKilledAfterTheGracePeriod() async throws {
        var command = ChildCommand("sh", ["-c", "trap '' TERM; sleep 300 & wait; wait"])
        command.timeout = .milliseconds(200)
        command.stopsProcessGroup = true
        command.gracePeriod = .milliseconds(200)
        let start = ContinuousClock.now
        do {
            _ = try await runner.run(command)
            Issue.record("a child ignoring SIGTERM was not killed")
        } catch {
            #expect(error.code == .commandTimedOut)
        }
        #expect(ContinuousClock.now - start < .seconds(200))
    }

    @Test func missingExecutableIsAClearError() async throws {
        do {
            _ = try await runner.run(ChildCommand("bakery-no-such-tool", ["--version"]))
            Issue.record("a missing executable ran")
        } catch {
            #expect(error.code == .commandNotFound)
            #expect(error.message.contains("`bakery-no-such-tool` was not found on PATH"), "\(error.message)")
            #expect(error.hint?.contains("install bakery-no-such-tool") == true)
        }
        do {
            _ = try await runner.run(ChildCommand("/nonexistent/tool", []))
            Issue.record("a missing path ran")
        } catch {
            #expect(error.code == .commandNotFound)
        }
        // A folder on PATH with that name is not an executable.
        let lookup = CommandRunner(searchPath: "/")
        await #expect(throws: BakeryError.self) { _ = try await lookup.run(ChildCommand("tmp", [])) }
    }

    @Test func nonZeroExitCarriesTheCommandLineAndTheEndOfStandardError() async throws {
        let script = "for i in $(seq 1 100); do echo line$i >&2; done; exit 3"
        let output = try await runner.run(ChildCommand("sh", ["-c", script]))
        #expect(output.termination == .exited(3))
        #expect(!output.succeeded)
        do {
            try output.requireSuccess()
            Issue.record("exit 3 passed as success")
        } catch {
            #expect(error.code == .commandFailed)
            #expect(error.message.hasPrefix("`sh -c 'for i in $(seq 1 100); do echo line$i >&2; done; exit 3'` failed (exit status 3): "), "\(error.message)")
            #expect(error.message.hasSuffix("line99\nline100"))
            #expect(!error.message.contains("line80\n"), "only the last lines are quoted")
            let failure = try #require(error.cause as? CommandFailure)
            #expect(failure.termination == .exited(3))
            #expect(failure.standardErrorTail(lines: 1) == "line100")
        }
    }

    @Test func signalIsReportedAsSuch() async throws {
        let output = try await runner.run(ChildCommand("sh", ["-c", "kill -9 $$"]))
        #expect(output.termination == .signaled(9))
        #expect(output.failure().message.contains("failed (signal 9)"))
    }

    @Test func secretsAreMaskedInEveryMessage() async throws {
        let command = ChildCommand("sh", arguments: ["-c", "echo \"denied for $1 and $TOKEN\" >&2; exit 1", "sh", .secret("hunter2")],
                                   environment: ["TOKEN": .secret("s3cr3t"), "MODE": "plain", "GONE": nil])
        #expect(command.commandLine == #"env -u GONE MODE=plain TOKEN=*** sh -c 'echo "denied for $1 and $TOKEN" >&2; exit 1' sh ***"#)
        let output = try await runner.run(command)
        // The child got the real values…
        #expect(output.termination == .exited(1))
        // …and no message shows them.
        #expect(output.stderr == "denied for *** and ***\n")
        do {
            try output.requireSuccess()
        } catch {
            #expect(!error.message.contains("hunter2") && !error.message.contains("s3cr3t"), "\(error.message)")
            #expect(error.message.contains("denied for *** and ***"))
        }
        var slow = command
        slow.arguments = ["-c", "sleep 5", "sh", .secret("hunter2")]
        slow.timeout = .milliseconds(100)
        do {
            _ = try await runner.run(slow)
        } catch {
            #expect(error.code == .commandTimedOut)
            #expect(!error.message.contains("hunter2"))
        }
    }

    @Test func workingDirectoryEnvironmentAndInput() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let command = ChildCommand("sh", arguments: ["-c", "pwd; echo \"$GREETING\"; echo \"${HOME:-unset}\"; cat"], workingDirectory: dir,
                                   environment: ["GREETING": "hello", "HOME": nil], input: Array("from stdin".utf8))
        let output = try await runner.run(command).requireSuccess()
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(URL(fileURLWithPath: lines[0]).resolvingSymlinksInPath().path == dir.resolvingSymlinksInPath().path)
        #expect(Array(lines.dropFirst()) == ["hello", "unset", "from stdin"])
        await #expect(throws: BakeryError.self) {
            _ = try await runner.run(ChildCommand("sh", arguments: ["-c", "true"], environment: ["A=B": "x"]))
        }
    }

    @Test func blockingWrapperFromSynchronousCode() async throws {
        // From plain threads, as the CLI's commands call it from the main thread; several at once.
        let runner = self.runner
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<4 {
                group.addTask { try await onPlainThread { try runner.runBlocking(ChildCommand("sh", ["-c", "echo \(i)"])).stdout } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outputs.sorted() == ["0\n", "1\n", "2\n", "3\n"])
        var slow = ChildCommand("sleep", ["300"])
        slow.timeout = .milliseconds(200)
        let command = slow
        let timedOut = try await onPlainThread { () -> BakeryError.Code? in
            do throws(BakeryError) { _ = try runner.runBlocking(command); return nil } catch { return error.code }
        }
        #expect(timedOut == .commandTimedOut)
    }

    @Test func cancellingTheCallerStopsTheChild() async throws {
        let task = Task { try await runner.run(ChildCommand("sleep", ["300"])) }
        try await Task.sleep(for: .milliseconds(200))
        let start = ContinuousClock.now
        task.cancel()
        do {
            _ = try await task.value
            Issue.record("a cancelled run finished")
        } catch let error as BakeryError {
            #expect(error.code == .interrupted)
        }
        #expect(ContinuousClock.now - start < .seconds(200))
    }
}
