// Runs async work to its end from synchronous code, on the calling thread.
import Foundation

/// The bridge from synchronous code (the CLI's commands) to bakery's async work, such as running
/// child processes.
///
/// The calling thread waits and runs the work's jobs itself. One limit remains: swift-subprocess
/// starts a few short unstructured tasks of its own, which need a free thread of Swift's shared
/// cooperative pool (as wide as the machine has cores). The CLI calls from its main thread, which
/// is not a pool thread; async code (and tests) should `await` the async API instead of calling a
/// blocking one, or as many blocked pool threads as there are cores would wait forever.
public enum Blocking {
    /// The result of `body`, waited for.
    public static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws(BakeryError) -> T) throws(BakeryError) -> T {
        let result = CallerThreadExecutor.wait { () async -> Result<T, BakeryError> in
            do throws(BakeryError) {
                return .success(try await body())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// A task executor whose jobs run on the thread that waits for the result.
///
/// The task and its child tasks prefer this executor, so the work runs on the thread that waits
/// for it rather than on the shared cooperative pool (unstructured tasks that a library starts
/// internally still run on the pool, briefly: see `Blocking`).
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
