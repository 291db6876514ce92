import OCIRegistry
import Testing

@Suite struct AuthChallengeTests {
    @Test func readsDistributionsBasicChallenge() {
        #expect(AuthChallenge.parse(#"Basic realm="test-realm""#) == [AuthChallenge(scheme: "Basic", parameters: ["realm": "test-realm"])])
    }

    @Test func readsABearerChallengeWhoseScopeHoldsCommas() {
        let header = #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull,push""#
        let challenges = AuthChallenge.parse(header)
        #expect(challenges.count == 1)
        #expect(challenges.first?.scheme == "Bearer")
        #expect(challenges.first?["realm"] == "https://auth.docker.io/token")
        #expect(challenges.first?["service"] == "registry.docker.io")
        #expect(challenges.first?["scope"] == "repository:library/ubuntu:pull,push")
    }

    @Test func readsGHCRsChallengeWithAnError() {
        let header = #"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:posit-dev/workbench:pull",error="insufficient_scope""#
        let challenge = AuthChallenge.parse(header).first
        #expect(challenge?.parameters == ["realm": "https://ghcr.io/token", "service": "ghcr.io",
                                          "scope": "repository:posit-dev/workbench:pull", "error": "insufficient_scope"])
    }

    @Test func normalisesSchemeCaseAndParameterNames() {
        let challenge = AuthChallenge.parse(#"bEaReR Realm="r", SERVICE=svc"#).first
        #expect(challenge?.scheme == "Bearer")
        #expect(challenge?.hasScheme("BEARER") == true)
        #expect(challenge?.parameters == ["realm": "r", "service": "svc"])
        #expect(challenge?["Service"] == "svc")
        #expect(AuthChallenge.parse("Negotiate").first?.scheme == "Negotiate")
    }

    @Test func readsSeveralChallengesInOneHeader() {
        let header = #"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple", Bearer realm="https://t.example/token",scope="a,b""#
        let challenges = AuthChallenge.parse(header)
        #expect(challenges.map(\.scheme) == ["Newauth", "Basic", "Bearer"])
        #expect(challenges[0].parameters == ["realm": "apps", "type": "1", "title": #"Login to "apps""#])
        #expect(challenges[1].parameters == ["realm": "simple"])
        #expect(challenges[2].parameters == ["realm": "https://t.example/token", "scope": "a,b"])
    }

    @Test func toleratesSpacesAroundEqualsAndCommas() {
        let challenges = AuthChallenge.parse(#"  Bearer   realm = "r" ,  service="s" ,, Basic realm="b"  "#)
        #expect(challenges == [AuthChallenge(scheme: "Bearer", parameters: ["realm": "r", "service": "s"]),
                               AuthChallenge(scheme: "Basic", parameters: ["realm": "b"])])
    }

    @Test func keepsAToken68() {
        let challenges = AuthChallenge.parse("Negotiate YIIBhgYGKwYBBQUC==, Basic realm=x")
        #expect(challenges == [AuthChallenge(scheme: "Negotiate", parameters: ["token68": "YIIBhgYGKwYBBQUC=="]),
                               AuthChallenge(scheme: "Basic", parameters: ["realm": "x"])])
    }

    @Test(arguments: ["", "   ", ",,,", "\"quoted\"", "=", "@@@"])
    func findsNothingInJunk(header: String) {
        #expect(AuthChallenge.parse(header).isEmpty)
    }

    @Test func keepsWhatItReadBeforeJunk() {
        #expect(AuthChallenge.parse(#"Bearer realm="r",service="unterminated"#) == [AuthChallenge(scheme: "Bearer", parameters: ["realm": "r"])])
        #expect(AuthChallenge.parse(#"Bearer realm="r" trailing junk here"#) == [AuthChallenge(scheme: "Bearer", parameters: ["realm": "r"])])
        #expect(AuthChallenge.parse(#"Bearer realm="r", =oops"#) == [AuthChallenge(scheme: "Bearer", parameters: ["realm": "r"])])
        #expect(AuthChallenge.parse(#"Bearer realm=x, "quoted" junk"#) == [AuthChallenge(scheme: "Bearer", parameters: ["realm": "x"])])
        // `realm=` alone reads as a token68; what follows is no challenge of its own.
        #expect(AuthChallenge.parse(#"Bearer realm=, service="s""#).map(\.scheme) == ["Bearer"])
    }

    @Test func readsUTF8InQuotedValues() {
        #expect(AuthChallenge.parse(#"Basic realm="Zürich registry""#).first?["realm"] == "Zürich registry")
    }
}
