// What a person sees while `bakery ci publish` works: on a terminal, a live list of the targets being merged,
// copied and verified, with log lines scrolling above it; elsewhere (CI, pipes, NO_COLOR) the plain log lines only.
import Bakery
import Foundation
import Logging

final class PublishConsole: @unchecked Sendable {
    let mode: BuildConsole.Mode
    let total: Int
    private let lock = NSLock()
    private var running: [String: (started: ContinuousClock.Instant, phase: String)] = [:]
    private var order: [String] = []
    private var succeeded = 0, failed = 0
    private let liveRegion: LiveRegion
    private let start = ContinuousClock.now

    init(mode: BuildConsole.Mode, total: Int) {
        self.mode = mode
        self.total = total
        liveRegion = LiveRegion(live: mode == .live)
    }

    /// `base` itself in plain and quiet modes; on a terminal, a logger of the same level whose lines are printed
    /// above the live list instead of through it.
    func logger(_ base: Logger) -> Logger {
        guard mode == .live else { return base }
        let console = self
        var logger = Logger(label: base.label) { _ in
            var handler = StderrLogHandler()
            handler.sink = { line in console.emit(line) }
            return handler
        }
        logger.logLevel = base.logLevel
        return logger
    }

    func startTicker() {
        guard mode == .live else { return }
        liveRegion.startTicker(label: "bakery.publish.display") { [weak self] in self?.redraw() }
    }

    func stop() {
        liveRegion.stopTicker()
        lock.withLock { liveRegion.clear() }
    }

    func handle(_ progress: Publisher.Progress) {
        guard mode == .live else { return }
        lock.lock()
        defer { lock.unlock() }
        switch progress {
        case .phase(let uid, let phase):
            if running[uid] == nil {
                order.append(uid)
                running[uid] = (.now, phase)
            } else {
                running[uid]?.phase = phase
            }
        case .finished(let uid, let ok):
            if let started = running[uid]?.started {
                liveRegion.emit("\(ok ? "✓" : "✗") \(uid)  \(BuildConsole.elapsed(ContinuousClock.now - started))")
            }
            running[uid] = nil
            order.removeAll { $0 == uid }
            if ok { succeeded += 1 } else { failed += 1 }
        }
        liveRegion.draw(region())
    }

    private func emit(_ line: String) {
        lock.withLock {
            liveRegion.emit(line)
            liveRegion.draw(region())
        }
    }

    private func redraw() { lock.withLock { liveRegion.draw(region()) } }

    private func region() -> [String] {
        let width = BuildConsole.terminalWidth()
        var lines = order.compactMap { uid in
            running[uid].map { BuildConsole.fit("  \(uid)  \(BuildConsole.elapsed(ContinuousClock.now - $0.started))  \($0.phase)", width) }
        }
        lines.append(BuildConsole.fit("[\(succeeded) published, \(failed) failed, \(total) total] \(BuildConsole.elapsed(ContinuousClock.now - start))", width))
        return lines
    }
}
