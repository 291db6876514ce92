// Authentication: which Authorization header a request carries, how a 401 challenge is answered (Basic
// credentials, or the bearer-token flow of the distribution token-auth spec, with a password or an identity
// token), tokens renewed before they expire, and secrets kept out of every message.
import Foundation

/// A bearer token for one registry and scope, with what is needed to renew it.
struct BearerToken: Sendable {
    var value: String
    /// When it stops being valid (token spec: `expires_in` seconds after issue; 60 s when the server omits it).
    var expires: Date
    /// The challenge that led to it: renewing asks the same realm and service.
    var challenge: AuthChallenge
}

extension RegistryClient {
    /// Renew a token this long before it expires: the request it authenticates still has to arrive in time.
    static let tokenRenewalMargin: TimeInterval = 10
    /// Token spec: a token without `expires_in` lives 60 seconds.
    static let defaultTokenLifetime: TimeInterval = 60
    /// The largest token-server answer read.
    static let maximumTokenResponseSize = 1024 * 1024

    func tokenKey(_ reference: ImageReference, _ scope: String) -> String { "\(reference.registry) \(scope)" }

    func authorization(for reference: ImageReference, scope: String) -> String? {
        if let token = tokens[tokenKey(reference, scope)] { return "Bearer \(token.value)" }
        if let credential = basic[reference.registry] { return basicAuthorization(credential) }
        return nil
    }

    func basicAuthorization(_ credential: RegistryCredential) -> String {
        let encoded = Data("\(credential.username):\(credential.password)".utf8).base64EncodedString()
        remember([credential.password, encoded])
        return "Basic " + encoded
    }

    func remember(_ values: [String?]) {
        for case let value? in values where !value.isEmpty { secrets.insert(value) }
    }

    /// `text` with every secret this client knows replaced by `<redacted>` (longest first, so a secret that
    /// contains another is replaced whole).
    func redact(_ text: String) -> String {
        var result = text
        for secret in secrets.sorted(by: { $0.count > $1.count }) where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return result
    }

    /// Renews the scope's token when it expires within `tokenRenewalMargin`, from the realm that issued it. When
    /// renewing fails the token is dropped, and the request meets the registry's challenge instead.
    func renewExpiringToken(for reference: ImageReference, scope: String) async {
        let key = tokenKey(reference, scope)
        guard let token = tokens[key], token.expires <= options.now().addingTimeInterval(Self.tokenRenewalMargin) else { return }
        let credential = credentials.credential(for: reference.registry, repository: reference.repository)
        do {
            tokens[key] = try await fetchToken(token.challenge, scope: scope, credential: credential, reference: reference)
        } catch {
            tokens[key] = nil
        }
    }

    /// Answers a 401: Basic → the stored credential for the registry (and its tokens are forgotten: a registry
    /// that asks for Basic no longer honours them); Bearer → a token from the realm for the scope, unless another
    /// request renewed the token while this one was being refused (then that one is used).
    func answerChallenge(_ response: HTTPResponse, reference: ImageReference, scope: String, sent: String?,
                         what: String) async throws(RegistryError) {
        let challenges = AuthChallenge.parse(response.header("WWW-Authenticate") ?? "")
        let credential = credentials.credential(for: reference.registry, repository: reference.repository)
        let key = tokenKey(reference, scope)
        if let bearer = challenges.first(where: { $0.hasScheme("Bearer") }) {
            func renewedMeanwhile() -> Bool {
                guard let current = tokens[key] else { return false }
                return "Bearer \(current.value)" != sent && current.expires > options.now()
            }
            // One fetch per scope at a time: concurrent requests refused together wait for it, then use its token.
            while tokenFetches[key] != nil {
                await waitForTokenFetch(key)
                if Task.isCancelled { throw RegistryError(.cancelled, "\(what): cancelled") }
            }
            if renewedMeanwhile() { return }
            tokenFetches[key] = [:]
            defer { finishTokenFetch(key) }
            tokens[key] = try await fetchToken(bearer, scope: scope, credential: credential, reference: reference)
            return
        }
        if challenges.contains(where: { $0.hasScheme("Basic") }) {
            guard let credential else {
                throw RegistryError(.unauthorized, "\(reference.registry) needs credentials for \(what), and none are configured for it",
                                    status: 401)
            }
            basic[reference.registry] = credential
            tokens = tokens.filter { !$0.key.hasPrefix("\(reference.registry) ") }
            return
        }
        throw RegistryError(.unauthorized, "\(reference.registry) refused \(what) (401) without a Basic or Bearer challenge", status: 401)
    }

    /// Suspends until the token fetch in flight for `key` ends, or the calling task is cancelled.
    private func waitForTokenFetch(_ key: String) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if Task.isCancelled || tokenFetches[key] == nil {
                    continuation.resume()
                } else {
                    tokenFetches[key]?[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.stopWaiting(key, id) }
        }
    }

    private func stopWaiting(_ key: String, _ id: UUID) {
        tokenFetches[key]?.removeValue(forKey: id)?.resume()
    }

    private func finishTokenFetch(_ key: String) {
        let waiters = tokenFetches.removeValue(forKey: key) ?? [:]
        for continuation in waiters.values { continuation.resume() }
    }

    /// The bearer-token flow. With a password: GET <realm>?service=…&scope=… with Basic credentials (none when
    /// anonymous). With an identity token (what `docker login` stores for registries that hand out refresh
    /// tokens): the OAuth2 form POST with `grant_type=refresh_token`.
    func fetchToken(_ challenge: AuthChallenge, scope: String, credential: RegistryCredential?,
                    reference: ImageReference) async throws(RegistryError) -> BearerToken {
        guard let realm = challenge["realm"], var parts = URLComponents(string: realm), parts.scheme != nil else {
            throw RegistryError(.unauthorized, "\(reference.registry) asked for a bearer token without a usable realm", status: 401)
        }
        var scopes: [String] = []
        for part in (challenge["scope"].map { $0.split(separator: " ").map(String.init) } ?? []) + scope.split(separator: " ").map(String.init)
        where !scopes.contains(part) {
            scopes.append(part)
        }
        let refreshToken = credential?.identityToken.flatMap { $0.isEmpty ? nil : $0 }
        var request: HTTPRequest
        if let refreshToken {
            guard let url = parts.url else { throw RegistryError(.unauthorized, "\(reference.registry): the token realm is not a URL", status: 401) }
            var form = [("grant_type", "refresh_token"), ("client_id", options.userAgent), ("refresh_token", refreshToken)]
            if let service = challenge["service"] { form.append(("service", service)) }
            if !scopes.isEmpty { form.append(("scope", scopes.joined(separator: " "))) }
            request = HTTPRequest(method: "POST", url: url, headers: [("User-Agent", options.userAgent), ("Accept", "application/json"),
                                                                      ("Content-Type", "application/x-www-form-urlencoded")],
                                  body: Data(form.map { "\(Self.formEncoded($0.0))=\(Self.formEncoded($0.1))" }.joined(separator: "&").utf8))
            remember([refreshToken])
        } else {
            var items = parts.queryItems ?? []
            if let service = challenge["service"] { items.append(URLQueryItem(name: "service", value: service)) }
            for part in scopes where !items.contains(where: { $0.name == "scope" && $0.value == part }) {
                items.append(URLQueryItem(name: "scope", value: part))
            }
            parts.queryItems = items
            guard let url = parts.url else { throw RegistryError(.unauthorized, "\(reference.registry): the token realm is not a URL", status: 401) }
            request = HTTPRequest(method: "GET", url: url, headers: [("User-Agent", options.userAgent), ("Accept", "application/json")])
            if let credential { request.headers.append(("Authorization", basicAuthorization(credential))) }
        }
        request.maximumResponseSize = Self.maximumTokenResponseSize
        if credential != nil { try checkScheme(request.url, reference: reference) }
        let response: HTTPResponse
        do {
            statistics.requests += 1
            response = try await transport.send(request)
        } catch is CancellationError {
            throw RegistryError(.cancelled, "the token request to \(reference.registry): cancelled")
        } catch {
            throw RegistryError(.unavailable, "the token server of \(reference.registry) (\(request.url.redactedForMessages)) did not answer: \(redact(Self.describe(error)))")
        }
        guard response.status == 200 else {
            throw RegistryError(response.status == 401 || response.status == 403 ? .unauthorized : .unexpectedStatus,
                                "the token server of \(reference.registry) refused \(scope) (HTTP \(response.status))" +
                                (credential == nil ? "; no credentials are configured for \(reference.registry)" : "; check the credentials for \(reference.registry)"),
                                status: response.status)
        }
        struct TokenResponse: Decodable { var token: String?; var access_token: String?; var expires_in: Double? }
        guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: response.body),
              let token = [decoded.token, decoded.access_token].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw RegistryError(.invalidDocument, "the token server of \(reference.registry) answered without a token")
        }
        remember([token])
        let lifetime = decoded.expires_in.flatMap { $0 > 0 ? $0 : nil } ?? Self.defaultTokenLifetime
        return BearerToken(value: token, expires: options.now().addingTimeInterval(lifetime), challenge: challenge)
    }

    /// application/x-www-form-urlencoded: everything but unreserved characters percent-encoded.
    static func formEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? value
    }
}
