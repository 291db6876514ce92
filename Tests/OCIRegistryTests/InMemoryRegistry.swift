// A registry that lives in a test's memory and speaks enough of the distribution API for the client's upload,
// mount, manifest and tag flows, with knobs that make it behave as a careless or hostile registry would:
// odd Location headers, PATCH answers that take fewer bytes, 200 where 201/202 belong, lying digests, missing
// Content-Length, lost upload sessions. It records every request.
import Foundation
import OCIRegistry

final class InMemoryRegistry: HTTPTransport, @unchecked Sendable {
    /// How upload Locations are spelled.
    enum LocationStyle: Sendable {
        /// `http(s)://host/v2/<repo>/blobs/uploads/<id>`
        case absolute
        /// `/v2/<repo>/blobs/uploads/<id>`
        case rootRelative
        /// `<id>` (relative to the POST's URL, `/v2/<repo>/blobs/uploads/`)
        case bareRelative
        /// `https://<host>/upload/<id>`: another host (a storage front end)
        case otherHost(String)
    }

    /// The knobs; change them through `configure`.
    struct Behaviour: Sendable {
        var locationStyle = LocationStyle.absolute
        /// Appended to every Location as its query (the upload's state), exactly as written.
        var stateQuery = "_state=a%2Bb%2Fc%3D%3D&partner=x%26y"
        /// How many bytes of a PATCH body the registry keeps (given the upload's size and the body's); nil: all.
        var patchKeeps: (@Sendable (_ held: Int, _ sent: Int) -> Int)?
        /// Answer 200 where 201 or 202 belong.
        var okInsteadOfCreated = false
        /// Send a Docker-Content-Digest that is not the content's.
        var lyingDigest = false
        /// Leave Content-Length out of HEAD answers.
        var headWithoutContentLength = false
        /// Answer the next N PATCH/PUT requests of an upload with 404 BLOB_UPLOAD_UNKNOWN (a session lost).
        var loseUploads = 0
        /// Answer a request before the registry looks at it (authentication, errors): nil lets it through.
        var gate: (@Sendable (HTTPRequest) -> HTTPResponse?)?
        /// Content-Type sent with manifests: nil sends the type they were pushed with.
        var manifestContentType: String?
    }

    let host: String
    let scheme: String
    private let lock = NSLock()
    private var behaviour = Behaviour()
    private var blobs: [String: Data] = [:]                       // "<repo> <digest>"
    private var manifests: [String: (data: Data, type: String)] = [:]  // "<repo> <tag or digest>"
    private var uploads: [String: (repository: String, data: Data)] = [:]
    private var log: [HTTPRequest] = []
    private var nextUpload = 0

    init(host: String = "registry.example.com", scheme: String = "https") {
        self.host = host
        self.scheme = scheme
    }

    func configure(_ change: (inout Behaviour) -> Void) { lock.withLock { change(&behaviour) } }

    var requests: [HTTPRequest] { lock.withLock { log } }

    func blob(_ digest: Digest, in repository: String) -> Data? { lock.withLock { blobs["\(repository) \(digest)"] } }

    func store(blob data: Data, in repository: String) { lock.withLock { blobs["\(repository) \(Digest.sha256(of: data))"] = data } }

    func store(manifest data: Data, type: String, in repository: String, tag: String?) {
        lock.withLock {
            manifests["\(repository) \(Digest.sha256(of: data))"] = (data, type)
            if let tag { manifests["\(repository) \(tag)"] = (data, type) }
        }
    }

    func manifest(_ reference: String, in repository: String) -> (data: Data, type: String)? {
        lock.withLock { manifests["\(repository) \(reference)"] }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let behaviour = lock.withLock { log.append(request); return self.behaviour }
        if let gate = behaviour.gate, let answer = gate(request) { return answer }
        return lock.withLock { route(request, behaviour) }
    }

    // MARK: Routes (called with the lock held)

    private func route(_ request: HTTPRequest, _ behaviour: Behaviour) -> HTTPResponse {
        // URL.path drops a trailing slash, which tells starting an upload from a step of one.
        let path = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? request.url.path
        if let range = path.range(of: "/upload/") ?? path.range(of: "/blobs/uploads/"), path.hasSuffix("/") == false {
            return uploadStep(request, id: String(path[range.upperBound...]), behaviour)
        }
        guard path.hasPrefix("/v2/") else { return error(404, "NOT_FOUND", "no route") }
        let rest = String(path.dropFirst(4))
        if let range = rest.range(of: "/blobs/uploads/") {
            return startUpload(request, repository: String(rest[..<range.lowerBound]), behaviour)
        }
        if let range = rest.range(of: "/blobs/") {
            return blobRequest(request, repository: String(rest[..<range.lowerBound]), digest: String(rest[range.upperBound...]), behaviour)
        }
        if let range = rest.range(of: "/manifests/") {
            return manifestRequest(request, repository: String(rest[..<range.lowerBound]), reference: String(rest[range.upperBound...]), behaviour)
        }
        if let range = rest.range(of: "/tags/list") {
            let repository = String(rest[..<range.lowerBound])
            let tags = manifests.keys.filter { $0.hasPrefix(repository + " ") }.map { String($0.dropFirst(repository.count + 1)) }
                .filter { !$0.hasPrefix("sha256:") }.sorted()
            let body = try! JSONSerialization.data(withJSONObject: ["name": repository, "tags": tags])
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: body)
        }
        return error(404, "NOT_FOUND", "no route")
    }

    private func location(_ id: String, repository: String, _ behaviour: Behaviour) -> String {
        let query = behaviour.stateQuery.isEmpty ? "" : "?" + behaviour.stateQuery
        switch behaviour.locationStyle {
        case .absolute: return "\(scheme)://\(host)/v2/\(repository)/blobs/uploads/\(id)\(query)"
        case .rootRelative: return "/v2/\(repository)/blobs/uploads/\(id)\(query)"
        case .bareRelative: return "\(id)\(query)"
        case .otherHost(let other): return "https://\(other)/upload/\(id)\(query)"
        }
    }

    private func startUpload(_ request: HTTPRequest, repository: String, _ behaviour: Behaviour) -> HTTPResponse {
        guard request.method == "POST" else { return error(405, "UNSUPPORTED", "method") }
        let query = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        if let mount = query.first(where: { $0.name == "mount" })?.value, let from = query.first(where: { $0.name == "from" })?.value,
           let data = blobs["\(from) \(mount)"] {
            blobs["\(repository) \(mount)"] = data
            return HTTPResponse(status: behaviour.okInsteadOfCreated ? 200 : 201,
                                headers: ["Location": "/v2/\(repository)/blobs/\(mount)", "Docker-Content-Digest": mount])
        }
        nextUpload += 1
        let id = "upload-\(nextUpload)"
        uploads[id] = (repository, Data())
        return HTTPResponse(status: behaviour.okInsteadOfCreated ? 200 : 202,
                            headers: ["Location": location(id, repository: repository, behaviour), "Range": "0-0", "Content-Length": "0"])
    }

    private func uploadStep(_ request: HTTPRequest, id: String, _ behaviour: Behaviour) -> HTTPResponse {
        guard var upload = uploads[id] else { return error(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry") }
        if request.method == "DELETE" {
            uploads[id] = nil
            return HTTPResponse(status: 204)
        }
        // The state must come back exactly as sent (plus the digest on the closing PUT).
        let sentQuery = request.url.query ?? ""
        let expected = behaviour.stateQuery
        guard sentQuery == expected || sentQuery.hasPrefix(expected + "&digest=") || (expected.isEmpty && sentQuery.hasPrefix("digest=")) else {
            return error(400, "BLOB_UPLOAD_INVALID", "the upload state was altered: \(sentQuery)")
        }
        if behaviour.loseUploads > 0 {
            self.behaviour.loseUploads -= 1
            uploads[id] = nil
            return error(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry")
        }
        let body = request.body ?? Data()
        switch request.method {
        case "PATCH":
            if let range = request.header("Content-Range") {
                let start = Int(range.split(separator: "-").first ?? "") ?? -1
                guard start == upload.data.count else {
                    return HTTPResponse(status: 416, headers: ["Range": "0-\(upload.data.count - 1)"],
                                        body: Data(#"{"errors":[{"code":"BLOB_UPLOAD_INVALID","message":"out of order"}]}"#.utf8))
                }
            }
            let kept = behaviour.patchKeeps.map { min(max($0(upload.data.count, body.count), 0), body.count) } ?? body.count
            upload.data += body.prefix(kept)
            uploads[id] = upload
            return HTTPResponse(status: behaviour.okInsteadOfCreated ? 200 : 202,
                                headers: ["Location": location(id, repository: upload.repository, behaviour),
                                          // As distribution writes it: 0-0 for an empty upload too.
                                          "Range": "0-\(max(upload.data.count - 1, 0))", "Content-Length": "0"])
        case "PUT":
            upload.data += body
            let query = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
            guard let digest = query.first(where: { $0.name == "digest" })?.value, digest == Digest.sha256(of: upload.data).description else {
                return error(400, "DIGEST_INVALID", "provided digest did not match uploaded content")
            }
            uploads[id] = nil
            blobs["\(upload.repository) \(digest)"] = upload.data
            let announced = behaviour.lyingDigest ? Digest.sha256(of: Data("a lie".utf8)).description : digest
            return HTTPResponse(status: behaviour.okInsteadOfCreated ? 200 : 201,
                                headers: ["Location": "/v2/\(upload.repository)/blobs/\(digest)", "Docker-Content-Digest": announced])
        default:
            return error(405, "UNSUPPORTED", "method")
        }
    }

    private func blobRequest(_ request: HTTPRequest, repository: String, digest: String, _ behaviour: Behaviour) -> HTTPResponse {
        switch request.method {
        case "HEAD", "GET":
            guard let data = blobs["\(repository) \(digest)"] else { return error(404, "BLOB_UNKNOWN", "blob unknown to registry") }
            var headers = ["Docker-Content-Digest": digest, "Content-Type": "application/octet-stream"]
            if request.method == "GET" || !behaviour.headWithoutContentLength { headers["Content-Length"] = String(data.count) }
            if request.method == "GET", let range = request.header("Range"), range.hasPrefix("bytes=0-0"), !data.isEmpty {
                headers["Content-Range"] = "bytes 0-0/\(data.count)"
                headers["Content-Length"] = "1"
                return HTTPResponse(status: 206, headers: headers, body: data.prefix(1))
            }
            return HTTPResponse(status: 200, headers: headers, body: request.method == "GET" ? data : Data())
        case "DELETE":
            return blobs.removeValue(forKey: "\(repository) \(digest)") == nil ? error(404, "BLOB_UNKNOWN", "blob unknown") : HTTPResponse(status: 202)
        default:
            return error(405, "UNSUPPORTED", "method")
        }
    }

    private func manifestRequest(_ request: HTTPRequest, repository: String, reference: String, _ behaviour: Behaviour) -> HTTPResponse {
        switch request.method {
        case "PUT":
            let data = request.body ?? Data()
            let digest = Digest.sha256(of: data)
            if reference.hasPrefix("sha256:"), reference != digest.description { return error(400, "DIGEST_INVALID", "manifest digest") }
            let type = request.header("Content-Type") ?? ""
            manifests["\(repository) \(digest)"] = (data, type)
            manifests["\(repository) \(reference)"] = (data, type)
            let announced = behaviour.lyingDigest ? Digest.sha256(of: Data("a lie".utf8)) : digest
            return HTTPResponse(status: behaviour.okInsteadOfCreated ? 200 : 201,
                                headers: ["Docker-Content-Digest": announced.description, "Location": "/v2/\(repository)/manifests/\(digest)"])
        case "GET", "HEAD":
            guard let stored = manifests["\(repository) \(reference)"] else { return error(404, "MANIFEST_UNKNOWN", "manifest unknown") }
            let digest = behaviour.lyingDigest ? Digest.sha256(of: Data("a lie".utf8)) : Digest.sha256(of: stored.data)
            var headers = ["Docker-Content-Digest": digest.description, "Content-Type": behaviour.manifestContentType ?? stored.type]
            if request.method == "GET" || !behaviour.headWithoutContentLength { headers["Content-Length"] = String(stored.data.count) }
            return HTTPResponse(status: 200, headers: headers, body: request.method == "GET" ? stored.data : Data())
        case "DELETE":
            let removed = manifests.filter { $0.value.data == manifests["\(repository) \(reference)"]?.data }.keys
            for key in removed { manifests[key] = nil }
            return HTTPResponse(status: 202)
        default:
            return error(405, "UNSUPPORTED", "method")
        }
    }

    private func error(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        let body = try! JSONSerialization.data(withJSONObject: ["errors": [["code": code, "message": message]]])
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }
}
