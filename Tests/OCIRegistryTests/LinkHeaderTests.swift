import Foundation
import OCIRegistry
import Testing

@Suite struct LinkHeaderTests {
    @Test func findsTheNextPageOfATagList() {
        #expect(LinkHeader.next(#"</v2/rs/sample/tags/list?last=1.0&n=2>; rel="next""#) == "/v2/rs/sample/tags/list?last=1.0&n=2")
    }

    @Test func acceptsUnquotedAndCaseVariedRelations() {
        #expect(LinkHeader.next("</v2/_catalog?last=b&n=1>; REL=Next") == "/v2/_catalog?last=b&n=1")
        #expect(LinkHeader.next(#"<https://r.example/v2/x/tags/list?last=a>;rel="prefetch next""#) == "https://r.example/v2/x/tags/list?last=a")
    }

    @Test func picksNextAmongSeveralLinks() {
        let header = #"</page/1>; rel="prev"; title="a, b; c", </page/3>; rel="next", </page/9>; rel="last""#
        #expect(LinkHeader.next(header) == "/page/3")
    }

    @Test(arguments: [nil, "", "garbage", #"</only/prev>; rel="prev""#, "<unterminated; rel=next", #"<>; rel="next""#] as [String?])
    func findsNoNextPage(header: String?) {
        #expect(LinkHeader.next(header) == nil)
    }

    @Test func resolvesTheNextPageAgainstTheRequest() throws {
        let base = try #require(URL(string: "http://127.0.0.1:5000/v2/rs/sample/tags/list?n=2"))
        let url = LinkHeader.next(#"</v2/rs/sample/tags/list?last=b&n=2>; rel="next""#, relativeTo: base)
        #expect(url?.absoluteString == "http://127.0.0.1:5000/v2/rs/sample/tags/list?last=b&n=2")
    }
}

@Suite struct TransientFailureTests {
    /// Each item of reference-behavior §15.5, as a registry or client would phrase it.
    @Test(arguments: ["manifest for ghcr.io/o/i:1 not found", "MANIFEST_UNKNOWN: manifest unknown", "blob unknown to registry",
                      "NAME_UNKNOWN: repository name not known to registry; name unknown", "digest mismatch: expected sha256:a, got sha256:b",
                      "received unexpected HTTP status: 502 Bad Gateway", "status 503", "response 500 from server", "HTTP 429",
                      "toomanyrequests: Too Many Requests", "Service Temporarily Unavailable", "context deadline exceeded (Client.Timeout exceeded)",
                      "request timed out", "dial tcp 10.0.0.1:443: i/o timeout", "read: connection reset by peer",
                      "dial tcp 127.0.0.1:5000: connect: connection refused", "unexpected EOF", "Post \"https://x/v2/\": EOF"])
    func retriesEachTransientFailureOfTheReference(message: String) {
        #expect(TransientFailure.isTransient(status: nil, message: message))
    }

    @Test(arguments: [500, 502, 503, 504, 599, 429, 408, 404])
    func retriesTransientStatuses(status: Int) {
        #expect(TransientFailure.isTransient(status: status, message: ""))
    }

    @Test(arguments: [(401, "unauthorized: authentication required"), (403, "denied: requested access to the resource is denied"),
                      (400, "MANIFEST_INVALID: manifest invalid"), (nil, "denied"), (nil, "invalid username/password"),
                      (nil, "port 5000 closed"), (nil, "sha256:5000abc refers to 1500 bytes"), (nil, "geofence"), (nil, "seofault"),
                      (405, "unsupported"), (nil, "")] as [(Int?, String)])
    func failsFastOnOtherFailures(status: Int?, message: String) {
        #expect(!TransientFailure.isTransient(status: status, message: message))
    }

    @Test func readsOnlyTheFirstFiftyLines() {
        let padding = Array(repeating: "progress line", count: 50).joined(separator: "\n")
        #expect(!TransientFailure.isTransient(status: nil, message: padding + "\nconnection refused"))
        #expect(TransientFailure.isTransient(status: nil, message: "connection refused\n" + padding))
    }

    @Test func backsOffTwoSecondsDoublingUpToThirtyTwo() {
        let waits = (1...8).map { TransientFailure.backoff(attempt: $0) }
        #expect(waits == [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32), .seconds(32), .seconds(32), .seconds(32)])
        #expect(TransientFailure.backoff(attempt: 0) == .seconds(2))
        #expect(TransientFailure.backoff(attempt: Int.max) == .seconds(32))
        #expect(TransientFailure.attempts == 5)
    }
}

@Suite struct HostileInputTests {
    static let huge = String(repeating: "a,\"=<;@:/", count: 120_000)

    @Test func parsersReturnQuicklyOnMegabyteInputs() {
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: RegistryError.self) { try ImageReference(parsing: Self.huge) }
            #expect(throws: RegistryError.self) { try Platform(parsing: Self.huge) }
            _ = AuthChallenge.parse("Bearer " + Self.huge)
            _ = AuthChallenge.parse("Bearer realm=\"" + Self.huge)
            #expect(LinkHeader.next("<" + Self.huge) == nil)
            #expect(LinkHeader.next("</x>" + Self.huge) == nil)
            #expect(!TransientFailure.isTransient(status: nil, message: Self.huge))
        }
        #expect(elapsed < .seconds(10), "took \(elapsed)")
    }
}
