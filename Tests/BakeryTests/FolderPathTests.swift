import Foundation
import Bakery
import Testing

/// One notion of a folder: spellings normalise to the same components, unsafe ones are rejected.
@Suite struct FolderPathTests {
    @Test(arguments: [("img1", "img1"), ("img1/", "img1"), ("./img1", "img1"), ("img1//", "img1"), ("img1/.", "img1"),
                      ("./img1/./", "img1"), (".//img1", "img1"), ("a//b/./c/", "a/b/c"), ("2026.03", "2026.03"), ("a b", "a b")])
    func spellingsOfOneFolderNormaliseAlike(_ spelling: String, _ folder: String) throws {
        #expect(try #require(FolderPath.parse(spelling).folder).description == folder)
    }

    @Test(arguments: [("", FolderPath.Problem.empty), (".", .itself), ("./", .itself), (".//.", .itself), ("..", .parent),
                      ("a/../b", .parent), ("x/..", .parent), ("/abs", .absolute), ("~/x", .absolute), ("a\\b", .backslash),
                      ("a\u{0}b", .control(0)), ("a\nb", .control(10)), ("x\u{85}", .control(0x85)), (".git", .reserved(".git")),
                      ("x/.git/y", .reserved(".git"))])
    func unsafeSpellingsAreRejected(_ spelling: String, _ problem: FolderPath.Problem) {
        #expect(FolderPath.parse(spelling).problem == problem)
    }

    @Test(arguments: [("..", FolderPath.Problem.parent), (".", .itself), ("a/b", .separator), ("../x", .separator), ("/x", .absolute),
                      ("x/..", .separator), ("", .empty), ("a\tb", .control(9)), (".git", .reserved(".git"))])
    func namesMustBeOneFolderName(_ name: String, _ problem: FolderPath.Problem) {
        #expect(FolderPath.name(name).problem == problem)
    }

    @Test func containmentIsByComponentNeverByStringPrefix() throws {
        let a = try #require(FolderPath.parse("img1").folder), b = try #require(FolderPath.parse("img1/template").folder), c = try #require(FolderPath.parse("img10").folder)
        #expect(a.contains(b) && !b.contains(a) && a.overlaps(b) && b.overlaps(a))
        #expect(!a.overlaps(c) && !c.overlaps(a))
        #expect(a.contains(a))
    }
}

/// Patterns that can backtrack exponentially are refused before they run; ordinary ones pass.
@Suite struct RegexSafetyTests {
    @Test(arguments: ["(a+)+b", "(a*)*", "(a|b+)*c", "((ab)+)+", "(x+){1,}", "(a+|b)+", "(?:a+)+", "(?P<x>a+)*", "(a)\\1", "(?P<n>a)(?P=n)", "(.*)*x"])
    func nestedRepetitionIsRefused(_ pattern: String) {
        #expect(RegexSafety.problem(pattern) != nil)
        #expect(throws: BakeryError.self) { try RegexSafety.compile(pattern, what: "--image-name") }
    }

    @Test(arguments: ["conn.*", "(foo|bar)+", "[(a+)+]", "a{2,3}", "(a){2,}", "(\\d+\\.)+\\d", "((a+)b)+", "^(\\d+)\\.(\\d+).*$", "workbench(-session)?", "\\(a+\\)+"])
    func ordinaryPatternsPass(_ pattern: String) throws {
        #expect(RegexSafety.problem(pattern) == nil)
        _ = try RegexSafety.compile(pattern, what: "--image-name")
    }

    @Test func theRefusedPatternWouldHaveTakenExponentialTime() throws {
        // The reason for the rule, measured on a small input: 2^22 ways to split 22 a's.
        let regex = try NSRegularExpression(pattern: "(a+)+b")
        let input = String(repeating: "a", count: 22)
        let started = Date()
        _ = regex.firstMatch(in: input, range: NSRange(location: 0, length: 22))
        let slow = Date().timeIntervalSince(started)
        let linear = try NSRegularExpression(pattern: "a+b")
        let started2 = Date()
        _ = linear.firstMatch(in: input, range: NSRange(location: 0, length: 22))
        #expect(slow > 10 * Date().timeIntervalSince(started2))
    }
}
