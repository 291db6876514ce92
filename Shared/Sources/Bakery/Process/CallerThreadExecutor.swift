// Runs async work to its end from synchronous code, on the calling thread.
import Foundation

/// A task executor whose jobs run on the thread that waits for the result.
///
/// The CLI's commands are synchronous, yet every child process is run by async code. Blocking
/// the caller while the work runs on the shared cooperative pool could starve that pool (its
/// width is the core count) when the caller is itself a pool thread. Here the waiting thread
/// runs the work's jobs itself: the task and its child tasks prefer this executor, so nearly
/// nothing needs the pool. (Unstructured tasks that a library starts internally still run on
/// the pool, briefly.)
final class CallerThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    /// Runs jobs on this thread until `finish()`, then returns.
    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// `body`'s result, computed by async code while this thread waits (and works) for it.
    static func wait<T: Sendable>(for body: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        if #available(macOS 15.0, *) {
            let executor = CallerThreadExecutor()
            Task(executorPreference: executor) {
                box.value = await body()
                executor.finish()
            }
            executor.runJobs()
        } else {
            let done = DispatchSemaphore(value: 0)
            Task.detached {
                box.value = await body()
                done.signal()
            }
            done.wait()
        }
        guard let value = box.value else {
            preconditionFailure("the task finished without a result")
        }
        return value
    }
}

/// A value handed from the task to the waiting thread (set once, before the executor finishes).
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
