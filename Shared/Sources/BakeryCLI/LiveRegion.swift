// The status lines at the bottom of a terminal that the build and test displays redraw in place.
import Foundation

/// A block of status lines on stderr, redrawn in place on a terminal; other lines scroll above it.
/// Not locked itself: its owner calls it under the owner's lock (the ticker calls `refresh` for that).
///
///     region.emit("✓ uid  12.3 s")            // above the block (plain mode: just printed)
///     region.draw(["  uid  3.1 s  STEP 2/5", "[1 built, 0 failed, 3 total] 12.3 s"])
final class LiveRegion: @unchecked Sendable {
    let live: Bool
    private var drawnLines = 0
    private var ticker: DispatchSourceTimer?

    init(live: Bool) { self.live = live }

    /// Calls `refresh` every 250 ms on a queue of its own (live mode only).
    func startTicker(label: String, _ refresh: @escaping @Sendable () -> Void) {
        guard live else { return }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: label))
        timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
        timer.setEventHandler(handler: refresh)
        timer.resume()
        ticker = timer
    }

    func stopTicker() {
        ticker?.cancel()
        ticker = nil
    }

    /// Removes the block (live mode), leaving the terminal as it was above it.
    func clear() {
        if live { write(clearText()) }
        drawnLines = 0
    }

    /// Prints a line above the block (or just prints it).
    func emit(_ line: String) {
        if live {
            write(clearText() + line + "\n")
            drawnLines = 0
        } else {
            write(line + "\n")
        }
    }

    /// Replaces the block with `lines` (live mode only).
    func draw(_ lines: [String]) {
        guard live else { return }
        let text = clearText() + lines.joined(separator: "\n") + "\n"
        drawnLines = lines.count
        write(text)
    }

    private func clearText() -> String { drawnLines > 0 ? "\u{1B}[\(drawnLines)F\u{1B}[J" : "" }

    private func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
