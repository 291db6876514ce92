// A time limit on one regular-expression match, since ICU cannot be told to give up.
import Foundation

/// ICU cannot be asked to give up on a match, so a match that backtracks for longer than
/// `seconds` ends the process with a message naming the pattern (a timer armed around each match;
/// the signal handler only writes and exits). The static check above refuses the common shapes
/// first; this bounds the rest.
public enum RegexWatchdog {
    public static let seconds = 5
    nonisolated(unsafe) private static let buffer: UnsafeMutablePointer<UInt8> = .allocate(capacity: 1024)
    nonisolated(unsafe) private static var length = 0
    nonisolated(unsafe) private static var installed = false

    public static func run<T>(_ pattern: String, what: String, _ body: () throws -> T) rethrows -> T {
        let text = Array("❌ \(what) '\(pattern.prefix(200))' took more than \(seconds) s to match (it backtracks too much); simplify it\n".utf8.prefix(1024))
        for (i, b) in text.enumerated() { buffer[i] = b }
        length = text.count
        if !installed {
            installed = true
            signal(SIGALRM) { _ in
                _ = write(2, RegexWatchdog.buffer, RegexWatchdog.length)
                _exit(1)
            }
        }
        #if canImport(Glibc)
        let which = __itimer_which_t(ITIMER_REAL.rawValue)
        #else
        let which = ITIMER_REAL
        #endif
        // A parent may have blocked SIGALRM (blocked signals survive exec): unblock it for this thread.
        var alarmOnly = sigset_t()
        sigemptyset(&alarmOnly)
        sigaddset(&alarmOnly, SIGALRM)
        pthread_sigmask(SIG_UNBLOCK, &alarmOnly, nil)
        var timer = itimerval(it_interval: timeval(), it_value: timeval(tv_sec: seconds, tv_usec: 0))
        setitimer(which, &timer, nil)
        defer {
            var off = itimerval()
            setitimer(which, &off, nil)
        }
        return try body()
    }
}
