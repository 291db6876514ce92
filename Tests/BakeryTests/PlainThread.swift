import Foundation

/// Runs synchronous code on a thread of its own, as the CLI runs its commands on the main thread:
/// a blocking bridge (`Blocking.wait`) must not be called from the cooperative pool that tests run on.
func onPlainThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}
