// What a person sees while `bakery build` runs: a live display on a terminal, plain lines elsewhere.
import Bakery
import Foundation
import Logging

/// Shows build events on stderr.
///
/// * **plain** (stderr is not a terminal, or `CI` / `NO_COLOR` is set): every line a child writes,
///   prefixed `[<uid>] `, and log lines for starts, retries and results.
/// * **live** (a terminal): one line per running target (elapsed time and the build step it is on)
///   and a done / failed / total counter, redrawn in place; finished targets scroll above it. With
///   `-v` the children's lines scroll above it too.
/// * **quiet** (`-q`): errors only; the children's lines go to the log files alone.
final class BuildConsole: BuildObserver, @unchecked Sendable {
    enum Mode { case plain, live, quiet }

    let mode: Mode
    let verbose: Bool
    let total: Int
    private let lock = NSLock()
    private var running: [String: Running] = [:]
    private var order: [String] = []
    private var done = 0, failed = 0, skipped = 0
    private let liveRegion: LiveRegion
    private let start = ContinuousClock.now

    struct Running {
        var started: ContinuousClock.Instant
        var step: String
        var attempt: Int
    }

    init(mode: Mode, verbose: Bool, total: Int) {
        self.mode = mode
        self.verbose = verbose
        self.total = total
        self.liveRegion = LiveRegion(live: mode == .live)
    }

    /// The mode for this process: live only on a terminal, outside CI, without NO_COLOR.
    static func mode(quiet: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> Mode {
        if quiet { return .quiet }
        if isatty(STDERR_FILENO) == 0 { return .plain }
        if let ci = environment["CI"], !ci.isEmpty { return .plain }
        if environment["NO_COLOR"] != nil { return .plain }
        if environment["TERM"] == "dumb" { return .plain }
        return .live
    }

    func startTicker() {
        liveRegion.startTicker(label: "bakery.build.display") { [weak self] in self?.redraw() }
    }

    /// Stops the live display and leaves the terminal with no status lines.
    func stop() {
        liveRegion.stopTicker()
        lock.withLock { liveRegion.clear() }
    }

    // MARK: - Events

    func handle(_ event: BuildEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .info(let message):
            if mode != .quiet { emit("INFO: \(message)") }
        case .warning(let message):
            if mode != .quiet { emit("WARNING: \(message)") }
        case .started(let uid, let display, let attempt):
            if running[uid] == nil { order.append(uid) }
            running[uid] = Running(started: .now, step: "starting", attempt: attempt)
            if mode == .plain { emit("INFO: Building image '\(display)'" + (attempt > 1 ? " (attempt \(attempt))" : "")) }
        case .output(let uid, let line):
            if let step = Self.step(in: line) { running[uid]?.step = step }
            switch mode {
            case .plain: emit("[\(uid)] \(line)")
            case .live: if verbose { emit("[\(uid)] \(line)") }
            case .quiet: break
            }
            // The live region is redrawn by the ticker, not per line: a child printing thousands of
            // lines a second must not make bakery redraw (and the terminal repaint) every one of them.
            return
        case .retrying(_, let display, let attempt, let attempts, let delay):
            if mode != .quiet {
                emit("WARNING: Build failed for '\(display)' (attempt \(attempt)/\(attempts)). Retrying in \(Self.seconds(delay))...")
            }
        case .finished(let result):
            running[result.uid] = nil
            order.removeAll { $0 == result.uid }
            switch result.status {
            case .built:
                done += 1
                if mode != .quiet { emit(mode == .live ? "✓ \(result.uid)  \(Self.elapsed(result.duration))" : "INFO: Successfully built image '\(result.display)' in \(Self.elapsed(result.duration))") }
            case .failed(let failure):
                failed += 1
                var text = mode == .live ? "✗ \(result.uid)  failed after \(Self.elapsed(result.duration))" : "ERROR: \(failure.message)"
                if let log = result.logFile { text += mode == .live ? "  (log: \(log.path))" : " (full log: \(log.path))" }
                emit(text)
            case .skipped(let reason):
                skipped += 1
                // An unchanged target was announced with its input digest (`Skipping '…': unchanged (input sha256:…)`).
                if mode != .quiet && (mode == .live || !result.isUnchanged) {
                    emit(mode == .live ? "- \(result.uid)  \(reason)" : "INFO: Skipped '\(result.display)': \(reason)")
                }
            case .interrupted:
                emit(mode == .live ? "✗ \(result.uid)  interrupted" : "WARNING: Interrupted '\(result.display)'")
            }
        }
        if mode == .live { liveRegion.draw(region()) }
    }

    // MARK: - Drawing

    /// Prints a line above the live region (or just prints it).
    private func emit(_ line: String) { liveRegion.emit(line) }

    private func redraw() {
        lock.withLock { liveRegion.draw(region()) }
    }

    /// The status lines: one per running target, then the counter.
    private func region() -> [String] {
        let width = Self.terminalWidth()
        var lines: [String] = []
        for uid in order {
            guard let r = running[uid] else { continue }
            var line = "  \(uid)  \(Self.elapsed(ContinuousClock.now - r.started))"
            if r.attempt > 1 { line += " (attempt \(r.attempt))" }
            line += "  \(r.step)"
            lines.append(Self.fit(line, width))
        }
        let counter = "[\(done) built, \(failed) failed\(skipped > 0 ? ", \(skipped) skipped" : ""), \(total) total] \(Self.elapsed(ContinuousClock.now - start))"
        lines.append(Self.fit(counter, width))
        return lines
    }

    // MARK: - Helpers

    /// The build step a line announces: `STEP 3/5: RUN …` (podman, buildah) or `#5 [2/3] RUN …` (BuildKit).
    static func step(in line: String) -> String? {
        if line.hasPrefix("STEP ") { return line }
        if line.hasPrefix("#"), let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]"), open < close {
            return String(line[open...])
        }
        if line.hasPrefix("Writing manifest") || line.hasPrefix("Copying blob") || line.hasPrefix("COMMIT") { return line }
        return nil
    }

    static func fit(_ line: String, _ width: Int) -> String {
        let clean = line.filter { $0 != "\u{1B}" && $0 != "\t" }
        guard clean.count > width, width > 1 else { return clean }
        return String(clean.prefix(width - 1)) + "…"
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 100
    }

    static func seconds(_ d: Duration) -> String {
        let s = d.components.seconds
        return "\(s)s"
    }

    /// `0.8 s`, `12.3 s`, `2 min 05 s`.
    static func elapsed(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        if ms < 60_000 { return String(format: "%.1f s", Double(ms) / 1000) }
        let s = ms / 1000
        return String(format: "%d min %02d s", s / 60, s % 60)
    }
}
