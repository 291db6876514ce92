import Bakery
import Testing

@Suite struct DerivationTests {
    @Test func displayNamesFollowPythonTitle() {
        #expect(NameDerivation.displayName("connect-content-init") == "Connect Content Init")
        #expect(NameDerivation.displayName("my_img2x") == "My_Img2X")
        #expect(NameDerivation.pythonTitle("hELLO wORLD") == "Hello World")
    }

    @Test func extensionsAndTagNames() {
        #expect(NameDerivation.extension("Ubuntu 24.04") == "ubuntu2404")
        #expect(NameDerivation.extension("Rocky 9") == "rocky9")
        #expect(NameDerivation.extension("Standard Edition") == "standardedition")
        #expect(NameDerivation.tagDisplayName("Ubuntu 24.04") == "ubuntu-24.04")
        #expect(NameDerivation.tagDisplayName("Standard Edition") == "standard-edition")
        #expect(NameDerivation.subpath("My Image") == "my-image")
    }

    @Test func buildOSIdentification() {
        #expect(BuildOS.identify("Ubuntu 24.04").codename == "noble")
        #expect(BuildOS.identify("Ubuntu 22.04").family == .debian)
        #expect(BuildOS.identify("Ubuntu").version == "26.04")
        #expect(BuildOS.identify("Debian 12").codename == "bookworm")
        #expect(BuildOS.identify("Red Hat 9") == BuildOS(family: .rhel, name: "rhel", version: "9", codename: nil))
        #expect(BuildOS.identify("Rocky Linux 8.10").name == "rocky")
        #expect(BuildOS.identify("AlmaLinux 10").majorVersion == "10")
        #expect(BuildOS.identify("scratch") == .scratch)
        #expect(BuildOS.identify("Plan9 4") == .unknown)
        #expect(BuildOS.identify("Ubuntu 24.04").family.packageSuffix == "deb")
        #expect(BuildOS.identify("RHEL 9").family.versionSeparator == "-")
    }

    @Test func urlsAreNormalised() throws {
        #expect(HTTPURL.parse("github.com/posit-dev/images-connect")?.text == "https://github.com/posit-dev/images-connect")
        #expect(HTTPURL.parse("docs.Example.COM")?.text == "https://docs.example.com/")
        #expect(HTTPURL.parse("http://example.com:80/a?b#c")?.text == "http://example.com/a?b#c")
        #expect(HTTPURL.parse("https://example.com:8443")?.text == "https://example.com:8443/")
        #expect(HTTPURL.parse("<REPLACE ME>") == nil)
        #expect(HTTPURL.parse("ftp://x.org") == nil)
        #expect(HTTPURL.parse("https://bad_host-.com") == nil)
        #expect(HTTPURL.parse("example.com:99999") == nil)
    }

    @Test func peopleParse() {
        #expect(NameEmail.parse("Posit Docker Team <docker@posit.co>") == NameEmail(name: "Posit Docker Team", email: "docker@posit.co"))
        #expect(NameEmail.parse("jane@Example.COM")?.description == "jane <jane@example.com>")
        #expect(NameEmail.parse("Team <nope>") == nil)
        #expect(NameEmail.parse("no email here") == nil)
    }

    @Test func releaseNumbersCompareZeroPadded() throws {
        let a = try #require(ReleaseNumbers("4.3")), b = try #require(ReleaseNumbers("4.3.0"))
        let c = try #require(ReleaseNumbers("4.4.1")), d = try #require(ReleaseNumbers("4.5"))
        #expect(a == b)
        #expect(c < d)
        #expect(ReleaseNumbers("v3.13")?.components == [3, 13])
        #expect(ReleaseNumbers("x1") == nil)
    }

    @Test func tagPatternRule() {
        #expect(TagPattern.isValidPattern("{{ Version }}-{{ OS }}"))
        #expect(TagPattern.isValidPattern("latest"))
        #expect(TagPattern.isValidPattern("{{ Version | regexReplace('[+]', '-') }}"))
        #expect(!TagPattern.isValidPattern("Latest"))
        #expect(!TagPattern.isValidPattern("a b"))
        #expect(!TagPattern.isValidPattern(""))
    }
}
