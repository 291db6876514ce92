// An HTTP/1.1 server on 127.0.0.1 inside the test process, one thread per connection, for what a registry
// does to the transport itself: redirects, bodies without end, answers that never come.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class TinyHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        /// Names lowercased.
        var headers: [String: String]
        var body: Data
    }

    enum Reply: Sendable {
        case respond(status: Int, headers: [String: String], body: Data)
        /// Never answer; the connection stays open until the client leaves or the server stops.
        case hang
        /// Headers, then body bytes until the client stops reading (at most 1 GiB, about 64 MB a second: 16 s).
        case stream(status: Int, headers: [String: String])
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    let port: UInt16
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let lock = NSLock()
    private var open: Set<Int32> = []
    private var log: [Request] = []
    private var streamed = 0
    private var stopped = false

    init(_ handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound, listen(listener, 64) == 0 else {
            close(listener)
            throw Failure(description: "cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    var requests: [Request] { lock.withLock { log } }
    /// Body bytes written by `.stream` replies.
    var bytesStreamed: Int { lock.withLock { streamed } }

    func stop() {
        let connections: Set<Int32>? = lock.withLock {
            guard !stopped else { return nil }
            stopped = true
            return open
        }
        guard let connections else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if lock.withLock({ stopped }) || errno == EBADF || errno == EINVAL { return }
                continue
            }
            let keep = lock.withLock { () -> Bool in
                guard !stopped else { return false }
                open.insert(fd)
                return true
            }
            guard keep else { close(fd); return }
            Thread.detachNewThread { [self] in serve(fd) }
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            lock.withLock { _ = open.remove(fd) }
            close(fd)
        }
        guard let request = readRequest(fd) else { return }
        lock.withLock { log.append(request) }
        switch handler(request) {
        case .respond(let status, let headers, let body):
            var all = headers
            if !all.keys.contains(where: { $0.lowercased() == "content-length" }) { all["Content-Length"] = String(body.count) }
            _ = write(fd, head(status, all) + (request.method == "HEAD" ? Data() : body))
        case .hang:
            var byte: UInt8 = 0
            while recv(fd, &byte, 1, 0) > 0 {}
        case .stream(let status, let headers):
            guard write(fd, head(status, headers)) else { return }
            let chunk = Data(repeating: UInt8(ascii: "x"), count: 64 * 1024)
            for _ in 0..<(1 << 14) {
                guard !lock.withLock({ stopped }), write(fd, chunk) else { return }
                lock.withLock { streamed += chunk.count }
                usleep(1_000)
            }
        }
    }

    private func head(_ status: Int, _ headers: [String: String]) -> Data {
        var text = "HTTP/1.1 \(status) Status\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        text += "Connection: close\r\n\r\n"
        return Data(text.utf8)
    }

    private func write(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let separator = Data("\r\n\r\n".utf8)
        var headEnd: Range<Data.Index>?
        while headEnd == nil {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return nil }
            received.append(contentsOf: buffer[0..<n])
            headEnd = received.range(of: separator)
        }
        let head = String(decoding: received[..<headEnd!.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(received[headEnd!.upperBound...])
        let length = Int(headers["content-length"] ?? "") ?? 0
        while body.count < length {
            let n = recv(fd, &buffer, min(buffer.count, length - body.count), 0)
            guard n > 0 else { return nil }
            body.append(contentsOf: buffer[0..<n])
        }
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }
}
