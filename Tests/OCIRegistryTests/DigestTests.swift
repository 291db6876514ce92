import Foundation
import OCIRegistry
import Testing

@Suite struct DigestTests {
    @Test func computesAndVerifiesSHA256() throws {
        let digest = Digest.sha256(of: Data("hello".utf8))
        #expect(digest.description == "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(digest.verifies(Data("hello".utf8)))
        #expect(!digest.verifies(Data("hello!".utf8)))
        #expect(try Digest(parsing: digest.description) == digest)
    }

    @Test(arguments: ["", "sha256", "sha256:", "sha256:ABC", "md5:d41d8cd98f00b204e9800998ecf8427e",
                      "sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
                      "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982", "sha256:zz"])
    func refusesWhatIsNotADigest(text: String) {
        #expect(throws: RegistryError.self) { try Digest(parsing: text) }
    }

    @Test func roundTripsThroughJSON() throws {
        let digest = Digest.sha256(of: Data())
        let data = try JSONEncoder().encode([digest])
        #expect(try JSONDecoder().decode([Digest].self, from: data) == [digest])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Digest].self, from: Data(#"["sha256:nope"]"#.utf8)) }
    }
}
