import Bakery
import Testing

/// The CalVer grammar of reference §14.3 and the identifier precedence the product versions order by.
@Suite struct CalendarVersionTests {
    @Test func readsTheGrammar() throws {
        let v = try #require(CalendarVersion("2026.05.0-daily+187.pro3"))
        #expect(v.major == 2026 && v.minor == "05" && v.patch == 0)
        #expect(v.prerelease == ["daily"] && v.build == ["187", "pro3"])
        #expect(v.stream == "2026.05" && v.isPrerelease)
        #expect(CalendarVersion("2026.05") == nil)
        #expect(CalendarVersion("02026.05.0") == nil)
    }

    @Test func identifiersOrderLikeSemVer() {
        #expect(CalendarVersion.identifiersPrecede(["rc", "2"], ["rc", "10"]))
        #expect(!CalendarVersion.identifiersPrecede(["rc", "10"], ["rc", "2"]))
        #expect(CalendarVersion.identifiersPrecede(["1"], ["dev"]), "numbers before words")
        #expect(CalendarVersion.identifiersPrecede(["alpha"], ["beta"]))
        #expect(CalendarVersion.identifiersPrecede(["rc"], ["rc", "1"]), "a prefix first")
        #expect(!CalendarVersion.identifiersPrecede(["rc", "1"], ["rc", "1"]))
        // Numbers far beyond Int compare by their digits.
        #expect(CalendarVersion.identifiersPrecede(["99999999999999999999"], ["100000000000000000000"]))
        #expect(CalendarVersion.isNumericIdentifier("42") && !CalendarVersion.isNumericIdentifier("4a") && !CalendarVersion.isNumericIdentifier("")
                && !CalendarVersion.isNumericIdentifier("٤٢"))
    }
}
