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
        let pending = Pending()
        // The handlers are in place before the work starts: a Ctrl-C that arrives while the first child is
        // being started must cancel the work, not kill bakery with the default action.
        var sources: [DispatchSourceSignal] = []
        if watchSignals {
            let queue = DispatchQueue(label: "bakery.signals")
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler { pending.cancel() }
                source.resume()
                sources.append(source)
            }
        }
        let task = Task.detached {
            box.value = await body()
            done.signal()
        }
        pending.attach(task)
        done.wait()
        for source in sources { source.cancel() }
        if watchSignals { for sig in [SIGINT, SIGTERM] { signal(sig, SIG_DFL) } }
        return box.value!
    }

    /// The task to cancel, and whether a signal came before it was there.
    private final class Pending: @unchecked Sendable {
        private let lock = NSLock()
        private var task: Task<Void, Never>?
        private var cancelled = false

        func attach(_ task: Task<Void, Never>) {
            lock.withLock {
                self.task = task
                if cancelled { task.cancel() }
            }
        }

        func cancel() {
            lock.withLock {
                cancelled = true
                task?.cancel()
            }
        }
    }
}
