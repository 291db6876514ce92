// Builds targets side by side: a fixed number of workers, fail-fast, and a clean stop on cancellation.
import Foundation

/// Runs `TargetBuilder.build` over the jobs with at most `workers` at a time, in plan order.
public struct BuildScheduler: Sendable {
    public var workers: Int
    public var failFast: Bool

    public init(workers: Int, failFast: Bool) {
        self.workers = max(1, workers)
        self.failFast = failFast
    }

    /// The results, in job order. With `failFast`, once a target fails no other one starts (the
    /// running ones finish); when the calling task is cancelled the running ones are stopped and
    /// the rest are skipped.
    public func run(_ jobs: [BuildJob], builder: TargetBuilder) async -> [TargetResult] {
        var results = [TargetResult?](repeating: nil, count: jobs.count)
        var stopReason: String?
        await withTaskGroup(of: (Int, TargetResult).self) { group in
            var next = 0
            func launch() {
                let index = next
                let job = jobs[index]
                next += 1
                group.addTask { (index, await builder.build(job)) }
            }
            while next < min(workers, jobs.count) { launch() }
            while let (index, result) = await group.next() {
                results[index] = result
                builder.observer.handle(.finished(result))
                if result.failure != nil && failFast && stopReason == nil {
                    stopReason = "not started: --fail-fast after '\(result.display)' failed"
                }
                if Task.isCancelled && stopReason == nil { stopReason = "not started: the build was interrupted" }
                if stopReason == nil && next < jobs.count { launch() }
            }
        }
        return jobs.indices.map { i in
            if let r = results[i] { return r }
            let reason = Task.isCancelled ? "not started: the build was interrupted" : (stopReason ?? "not started")
            let r = TargetResult(uid: jobs[i].uid, display: jobs[i].display, status: .skipped(reason: reason), attempts: 0,
                                 duration: .zero, logFile: nil, metadata: nil)
            builder.observer.handle(.finished(r))
            return r
        }
    }
}
