// What a person sees while `bakery dgoss run` tests images: a live list of running targets on a terminal, plain lines elsewhere.
import Bakery
import Foundation

/// Shows the phases of target test runs on stderr (the same modes as the build display).
final class TestConsole: @unchecked Sendable {
    let mode: BuildConsole.Mode
    let total: Int
    private let lock = NSLock()
    private var running: [String: (started: ContinuousClock.Instant, phase: String)] = [:]
    private var order: [String] = []
    private var passed = 0, failed = 0
    private let liveRegion: LiveRegion
    private let start = ContinuousClock.now

    init(mode: BuildConsole.Mode, total: Int) {
        self.mode = mode
        self.total = total
        self.liveRegion = LiveRegion(live: mode == .live)
    }

    func startTicker() {
        liveRegion.startTicker(label: "bakery.test.display") { [weak self] in self?.redraw() }
    }

    func stop() {
        liveRegion.stopTicker()
        lock.withLock { liveRegion.clear() }
    }

    func handle(uid: String, display: String, phase: GossTargetPhase) {
        lock.lock()
        defer { lock.unlock() }
        switch phase {
        case .starting:
            if running[uid] == nil { order.append(uid) }
            running[uid] = (.now, "starting the container")
            if mode == .plain { emit("INFO: === Goss tests for '\(display)' ===") }
        case .waiting(let attempt):
            running[uid]?.phase = "waiting until the suite passes (attempt \(attempt))"
            if mode == .plain { emit("INFO: [\(uid)] not passing yet; attempt \(attempt) in 1 s") }
        case .evaluating:
            running[uid]?.phase = "evaluating"
        case .kept(let id):
            emit("INFO: [\(uid)] container \(id.prefix(12)) left running (--no-clean); remove it with `rm -f \(id.prefix(12))`")
        case .finished(let result):
            running[uid] = nil
            order.removeAll { $0 == uid }
            let time = BuildConsole.elapsed(.milliseconds(Int(result.seconds * 1000)))
            switch result.outcome {
            case .tested(let report, _) where report.failedCount == 0:
                passed += 1
                if mode != .quiet { emit(mode == .live ? "✓ \(uid)  \(report.testCount) checks  \(time)" : "INFO: Goss tests passed for '\(display)'") }
            case .tested(let report, _):
                failed += 1
                emit(mode == .live ? "✗ \(uid)  \(report.failedCount) of \(report.testCount) checks failed  \(time)" : "WARNING: Goss tests failed for '\(display)'")
            case .executionError(let message, _):
                failed += 1
                emit(mode == .live ? "✗ \(uid)  \(message)" : "ERROR: \(message)")
            }
        }
        if mode == .live { liveRegion.draw(region()) }
    }

    func emit(_ line: String) { liveRegion.emit(line) }

    private func redraw() { lock.withLock { liveRegion.draw(region()) } }

    private func region() -> [String] {
        let width = BuildConsole.terminalWidth()
        var lines = order.compactMap { uid in
            running[uid].map { BuildConsole.fit("  \(uid)  \(BuildConsole.elapsed(ContinuousClock.now - $0.started))  \($0.phase)", width) }
        }
        lines.append(BuildConsole.fit("[\(passed) passed, \(failed) failed, \(total) total] \(BuildConsole.elapsed(ContinuousClock.now - start))", width))
        return lines
    }
}
