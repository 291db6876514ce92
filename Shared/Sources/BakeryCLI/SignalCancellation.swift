// Runs async work from a synchronous command, cancelling it on Ctrl-C or SIGTERM.
import Foundation

/// Runs `body` in a task and blocks the calling thread until it finishes. While it runs, SIGINT
/// and SIGTERM (when `watchSignals`) cancel the task instead of killing bakery: cancellation stops
/// every child process (its whole process group) and the work returns what it has.
enum SignalCancellation {
    private final class Box<T>: @unchecked Sendable {
        var value: T?
    }

    static func run<T: Sendable>(watchSignals: Bool = true, _ body: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = Box<T>()
        let task = Task.detached {
            box.value = await body()
            done.signal()
        }
        var sources: [DispatchSourceSignal] = []
        if watchSignals {
            let queue = DispatchQueue(label: "bakery.signals")
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler { task.cancel() }
                source.resume()
                sources.append(source)
            }
        }
        done.wait()
        for source in sources { source.cancel() }
        if watchSignals { for sig in [SIGINT, SIGTERM] { signal(sig, SIG_DFL) } }
        return box.value!
    }
}
