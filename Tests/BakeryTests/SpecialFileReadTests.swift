// Files bakery reads that a user names or a folder holds: a FIFO there is refused at once, never waited on.
import Bakery
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SpecialFileReadTests {
    static func folderWithFIFO(at relative: String) throws -> (root: URL, fifo: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-fifo-\(UUID().uuidString)")
        let fifo = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: fifo.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard mkfifo(fifo.path, 0o600) == 0 else { throw POSIXError(.EIO) }
        return (root, fifo)
    }

    @Test func aMetadataFileThatIsAFIFOIsRefused() throws {
        let (root, fifo) = try Self.folderWithFIFO(at: "metadata.json")
        defer { try? FileManager.default.removeItem(at: root) }
        #expect {
            _ = try BuildMetadataFile.load(fifo)
        } throws: { error in
            (error as? BakeryError)?.message.contains("not a regular file") == true
        }
    }

    @Test func aMirrorDocumentThatIsAFIFOIsRefused() throws {
        let (root, _) = try Self.folderWithFIFO(at: "cdn.posit.co/r/versions.json")
        defer { try? FileManager.default.removeItem(at: root) }
        #expect {
            _ = try FolderDocumentSource(root: root).document(URL(string: "https://cdn.posit.co/r/versions.json")!)
        } throws: { error in
            let e = error as? BakeryError
            return e?.code == .versionResolution && e?.message.contains("not a regular file") == true
        }
    }
}
