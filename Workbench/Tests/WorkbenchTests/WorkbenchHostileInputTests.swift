// Hostile input for the Workbench module: numbers beyond Int, non-ASCII digits, empty, 1 MB and 10 MB strings, JSON of
// the wrong shape or types, NaN, deep nesting and bytes that are not UTF-8. Nothing may trap: names are refused
// (nil), documents are explained (a `.channel` error naming the document).
import Bakery
import Foundation
import Testing
import WorkbenchImages

@Suite struct WorkbenchHostileInputTests {
    static let tenMegabytes = 10 * 1024 * 1024
    static let beyondInt = "99999999999999999999"

    /// Names that are no version of either grammar.
    static let hostileNames: [String] = [
        "", " ", "+", "-", ".", "..", "...", "+.", "-+", "!", "v", "V", "\u{0}", "2026.04.0+526.pro2\u{0}",
        "\(beyondInt).04.0+526.pro2", "2026.04.\(beyondInt)+526.pro2", "2026.04.0+\(beyondInt).pro2", "2026.04.0+526.pro\(beyondInt)",
        "2026.04.0-\(beyondInt)+526.pro2", "10000.01.0+1.pro1",
        "２０２６.０４.０+５２６.pro2", "٢٠٢٦.٠٤.٠+٥٢٦.pro2", "2026.0⁴.0+526.pro2", "2026.04.0+526.pro²", "2026.04.0+526.pro2\u{301}",
        "2026.04.0+526.pro2🙂", "🙂", "İ", "ǅ",
    ]

    /// PEP 440 strings that overflow or misuse a part.
    static let hostilePositronNames: [String] = [
        "\(beyondInt)", "\(beyondInt)!1.0", "1!\(beyondInt)", "1.\(beyondInt)", "1.0a\(beyondInt)", "1.0.post\(beyondInt)", "1.0-\(beyondInt)",
        "1.0.dev\(beyondInt)", "1.0+\(beyondInt)", "1.0+", "1.0+.", "1.0+a..b", "1.0-", "1.0_", "1.0.dev-", "1!", "v", "vv1", "1.0+ü",
        "١.٠", "１.０", "1.0\u{301}", "1.0 ", " 1.0",
    ]

    /// `piece` repeated to `count` bytes (1 MB unless asked).
    static func huge(_ piece: String, count: Int = 1 << 18) -> String {
        String(repeating: piece, count: count / max(piece.utf8.count, 1))
    }

    /// 256 KB names (the suite is a product team's quick check; 1 MB and 10 MB names were tried by hand and
    /// behave the same, linearly slower): a build beyond Int, a local label, full-width digits, pre-release
    /// identifiers with leading zeros, release parts, dots and a pro number.
    static var hugeNames: [String] {
        ["2026.04.0+" + huge("1"), "1.0+" + huge("a"), huge("１"), huge("1"), "2026.04.0-" + huge("01.") + "1+1.pro1",
         huge("1."), huge("."), "2026.04.0+526.pro" + huge("9")]
    }

    // MARK: names

    @Test(arguments: hostileNames)
    func workbenchVersionRefusesHostileNames(name: String) {
        #expect(WorkbenchVersion(name) == nil, "'\(name)'")
        #expect(WorkbenchVersion.problem(with: name)?.isEmpty == false, "'\(name)' is refused without a reason")
        #expect(WorkbenchProduct().isValidVersionName(name, image: "workbench") == false)
        #expect(WorkbenchProduct().versionNameHint(name, image: "workbench").contains("2026.04.0+526.pro2"))
    }

    @Test(arguments: hostileNames + hostilePositronNames)
    func positronVersionNeverTraps(name: String) {
        // Some are PEP 440 (e.g. "1.0+" is not, "1!" is not, "1.0-" is not); none may trap, and a parsed one orders.
        if let version = PositronVersion(name) {
            #expect(!(version < version), "'\(name)' orders before itself")
            #expect(version == PositronVersion(name), "'\(name)' is not equal to itself")
        }
    }

    @Test func numbersBeyondIntAreRefusedNotTruncated() {
        #expect(PositronVersion("1.0-\(Self.beyondInt)") == nil)
        #expect(PositronVersion("1.0a\(Self.beyondInt)") == nil)
        #expect(PositronVersion("1.0+\(Self.beyondInt)") == nil)
        #expect(PositronVersion("\(Self.beyondInt)") == nil)
        #expect(PositronVersion("9223372036854775807") != nil, "Int.max itself is a number")
        #expect(WorkbenchVersion("9999.12.9223372036854775807+9223372036854775807.pro9223372036854775807") != nil)
        #expect(WorkbenchVersion("9999.12.9223372036854775808+1.pro1") == nil)
        #expect(PositronVersions.sorted(["1.0-\(Self.beyondInt)", "2026.03.0-212", "١.٠"]) == ["2026.03.0-212", "1.0-\(Self.beyondInt)", "١.٠"])
    }

    @Test func hugeNamesAreRefusedQuickly() {
        let started = Date()
        // (Compared as Bools: a failed expectation would print the whole name.)
        for name in Self.hugeNames {
            let refused = WorkbenchVersion(name) == nil, explained = WorkbenchVersion.problem(with: name) != nil
            #expect(refused && explained, "a \(name.utf8.count)-byte name starting \(name.prefix(20))")
            _ = PositronVersion(name)
        }
        let longDaily = WorkbenchVersion("2026.04.0-" + Self.huge("a.") + "daily+1.pro1") != nil
        #expect(longDaily, "pre-release identifiers have no length limit in the grammar")
        let manyParts = PositronVersion(Self.huge("1.") + "0") != nil
        #expect(manyParts, "a hundred thousand release parts are PEP 440")
        #expect(Date().timeIntervalSince(started) < 120, "refusing these names took \(Date().timeIntervalSince(started)) s")
    }

    // MARK: documents

    /// Documents every reader must explain: not JSON, JSON of the wrong shape or types, NaN and infinities,
    /// nesting deeper than any parser's stack, bytes that are not UTF-8, and a 10 MB version string.
    static var hostileDocuments: [(String, Data)] {
        let deep = 100_000
        return [
            ("empty", Data()), ("NaN", Data("NaN".utf8)), ("a string", Data("\"2026.04.0+526.pro2\"".utf8)), ("null", Data("null".utf8)),
            ("a number", Data("1e999".utf8)), ("not UTF-8", Data([0xFF, 0xFE, 0xFD, 0x00])), ("a BOM only", Data([0xEF, 0xBB, 0xBF])),
            ("deep arrays", Data((String(repeating: "[", count: deep) + String(repeating: "]", count: deep)).utf8)),
            ("deep objects", Data((String(repeating: "{\"a\":", count: deep) + "1" + String(repeating: "}", count: deep)).utf8)),
            ("releases of the wrong type", Data(#"{"releases":"2026.03.0-212","version":["x"]}"#.utf8)),
            ("versions of the wrong type", Data(#"{"releases":[{"version":2026.03}],"version":2026.04}"#.utf8)),
            ("null versions", Data(#"{"releases":[{"version":null}],"version":null}"#.utf8)),
            ("NaN versions", Data(#"{"releases":[{"version":NaN}],"version":NaN}"#.utf8)),
            ("infinite versions", Data(#"{"releases":[{"version":1e999}],"version":-1e999}"#.utf8)),
            ("a 10 MB version", Data(("{\"releases\":[{\"version\":\"" + huge("1", count: tenMegabytes) + "\"}],\"version\":\"" + huge("1") + "\"}").utf8)),
            ("a version with unicode digits", Data(#"{"releases":[{"version":"٢٠٢٦.٠٣.٠-٢١٢"}],"version":"２０２６.０４.０"}"#.utf8)),
        ]
    }

    @Test func positronListsExplainHostileDocuments() {
        for (name, document) in Self.hostileDocuments {
            do {
                let versions = try PositronVersions.versions(fromReleases: document)
                Issue.record("\(name): read as \(versions.prefix(3))")
            } catch {
                #expect(error.code == .channel && error.message.contains("all-releases.json"), "\(name): \(error)")
            }
            do {
                let version = try PositronVersions.version(fromDailies: document)
                Issue.record("\(name): read as \(version.prefix(40))")
            } catch {
                #expect(error.code == .channel && error.message.contains("releases.json"), "\(name): \(error)")
            }
        }
    }

    /// The same documents, and documents of the right shape with hostile values, for both channels' readers.
    @Test(arguments: [PositProduct.workbench, .workbenchSession])
    func channelReadersExplainHostileDocuments(product: PositProduct) {
        let section = product == .workbench ? ("server", "workbench") : ("session", "session")
        func release(_ version: String, _ url: String) -> Data {
            Data(#"{"rstudio":{"pro":{"stable":{"\#(section.0)":{"installer":{"noble":{"version":\#(version),"url":\#(url)}}}}}}}"#.utf8)
        }
        func daily(_ version: String, _ link: String) -> Data {
            Data(#"{"products":{"\#(section.1)":{"platforms":{"noble-amd64":{"version":\#(version),"link":\#(link)}}}}}"#.utf8)
        }
        let url = "\"https://example.com/rstudio-workbench-2026.04.0-526.pro2-amd64.deb\""
        let values: [(String, Data, Data)] = [
            ("a numeric version", release("2026.04", url), daily("2026.05", url)),
            ("a NaN version", release("NaN", url), daily("NaN", url)),
            ("a 1 MB version", release("\"" + Self.huge("1") + "\"", url), daily("\"2026.05.0-daily+" + Self.huge("1") + "\"", url)),
            ("unicode digits", release("\"２０２６.０４.０+５２６.pro2\"", url), daily("\"٢٠٢٦.٠٥.٠-daily+1.pro1\"", url)),
            ("an empty version", release("\"\"", url), daily("\"\"", url)),
            ("a URL of the wrong type", release("\"2026.04.0+526.pro2\"", "1"), daily("\"2026.05.0-daily+1.pro1\"", "{}")),
            ("a 1 MB URL", release("\"2026.04.0+526.pro2\"", "\"" + Self.huge("%") + "\""), daily("\"2026.05.0-daily+1.pro1\"", "\"" + Self.huge("\\u0000") + "\"")),
            ("an empty URL", release("\"2026.04.0+526.pro2\"", "\"\""), daily("\"2026.05.0-daily+1.pro1\"", "\"\"")),
        ]
        let documents = Self.hostileDocuments.map { ($0.0, $0.1, $0.1) } + values
        let ubuntu = BuildOS.identify("Ubuntu 24.04")
        for (name, releaseDocument, dailyDocument) in documents {
            for (channel, document) in [(ReleaseChannel.release, releaseDocument), (.preview, dailyDocument), (.daily, dailyDocument)] {
                do {
                    let got = try WorkbenchChannels(product: product).release(from: document, channel: channel, os: ubuntu, architecture: "amd64")
                    Issue.record("\(name) \(channel): read as \(got.version.prefix(40)) \(got.downloadURL.prefix(60))")
                } catch {
                    #expect(error.code == .channel && (error.message.contains("downloads.json") || error.message.contains("index.json")),
                            "\(name) \(channel): \(error.message.prefix(300))")
                }
            }
        }
    }

    /// Hostile arguments besides the document: architectures, operating systems and release branches nobody
    /// knows, a 1 MB branch, pinned versions and channel releases that cannot be substituted.
    @Test func channelArgumentsAreExplained() throws {
        let document = Data("{}".utf8)
        let channels = WorkbenchChannels(product: .workbench)
        for architecture in ["", "AMD64", "amd64 ", "ａｍｄ64", Self.huge("x")] {
            #expect(throws: BakeryError.self) { try channels.release(from: document, channel: .daily, os: .identify("Ubuntu 24.04"), architecture: architecture) }
            #expect(throws: BakeryError.self) { try WorkbenchVersion("2026.04.0+526.pro2")?.sessionComponentsURL(architecture: architecture) }
            #expect(throws: BakeryError.self) { try PositronVersion("2026.03.0-212")?.serverURL(architecture: architecture) }
            #expect(throws: BakeryError.self) { try PositronVersions.releasesURL(architecture: architecture) }
        }
        let strange = [BuildOS.unknown, .scratch, .identify(""), .identify("Ubuntu 99.04"), .identify("Debian 99"),
                       BuildOS(family: .rhel, name: "", version: "", codename: nil), BuildOS(family: .sles, name: "sles", version: Self.huge("."), codename: nil),
                       BuildOS(family: .debian, name: "ubuntu", version: "24.04", codename: "")]
        for os in strange {
            // A key or a clear error; never a trap.
            _ = try? WorkbenchChannels.osKey(of: os)
            #expect(throws: BakeryError.self) { try channels.release(from: document, channel: .release, os: os, architecture: "amd64") }
            _ = try? WorkbenchVersion("2026.04.0+526.pro2")?.downloadURL(os: os, architecture: "amd64")
        }
        for branch in ["", ".", "..", "２０２６.05", "latest\u{0}", Self.huge("a") + "/", "a/../b"] {
            let error = try #require(throwing(try WorkbenchChannels(product: .workbench, releaseBranch: branch).documentURL(for: .daily)), "'\(branch.prefix(20))'")
            #expect(error.code == .channel)
        }
        let release = try WorkbenchChannels(product: .workbench, releaseBranch: Self.huge("a") + "/").documentURL(for: .release).absoluteString
        #expect(release == "https://posit.co/wp-content/uploads/downloads.json", "the release channel reads no branch")
        let odd = [ChannelRelease(version: "", downloadURL: "https://example.com/x.deb"),
                   ChannelRelease(version: Self.huge("1"), downloadURL: "https://example.com/" + Self.huge("1")),
                   ChannelRelease(version: "٢٠٢٦", downloadURL: "")]
        for release in odd {
            for pinned in ["", "2026.04.0+526.pro2", Self.huge("2")] {
                // A URL or a `.channel` error; the 1 MB version is in its own URL, so that one substitutes.
                do { _ = try channels.downloadURL(forPinned: pinned, basedOn: release) } catch { #expect(error.code == .channel) }
            }
        }
    }

    private func throwing(_ body: @autoclosure () throws(BakeryError) -> URL) -> BakeryError? {
        do { _ = try body(); return nil } catch { return error }
    }
}
