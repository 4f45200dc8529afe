import Foundation
import Testing
import VUMStandaard

@Suite("FileContents: a file read whole, or why not in the system's words")
struct FileContentsTests {
    @Test("bytes and text as written; an empty device is empty, not a permission problem")
    func reads() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vum-file-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Larger than one read, so the pieces are joined in order.
        let written = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(written).write(to: URL(fileURLWithPath: path))
        #expect(try FileContents.bytes(path) == written)
        try "bron = gemeente-utrecht\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try FileContents.text(path) == "bron = gemeente-utrecht\n")
        #expect(try FileContents.bytes("/dev/null").isEmpty)
    }

    @Test("a missing file, a folder, and bytes that are not UTF-8 each say so")
    func refuses() throws {
        let folder = FileManager.default.temporaryDirectory.path
        #expect(throws: FileError.self) { try FileContents.bytes(folder + "/vum-nonexistent-file") }
        func reason(_ body: () throws -> Void) -> String? {
            do { try body() } catch { return (error as? FileError)?.description ?? "\(error)" }
            return nil
        }
        #expect(reason { _ = try FileContents.bytes(folder + "/vum-nonexistent-file") } == "No such file or directory")
        #expect(reason { _ = try FileContents.text(folder) } == "Is a directory")
        let path = folder + "/vum-latin1-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0x63, 0x61, 0x66, 0xE9]).write(to: URL(fileURLWithPath: path))
        #expect(reason { _ = try FileContents.text(path) } == "is not UTF-8 text")
        #expect(try FileContents.bytes(path) == [0x63, 0x61, 0x66, 0xE9])
    }

    @Test("a write replaces the file whole; into a missing folder or onto a folder it says why and leaves nothing")
    func writes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vum-write-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("report.html").path
        try FileContents.write("first, and longer".utf8, to: path)
        try FileContents.write("second".utf8, to: path)
        #expect(try FileContents.text(path) == "second")
        let secret = folder.appendingPathComponent("passwords.env").path
        try FileContents.write("VUM_PASSWORD_X=y\n".utf8, to: secret, permissions: 0o600)
        #expect((try FileManager.default.attributesOfItem(atPath: secret)[.posixPermissions] as? Int) == 0o600)
        func reason(_ body: () throws -> Void) -> String? {
            do { try body() } catch { return (error as? FileError)?.description ?? "\(error)" }
            return nil
        }
        #expect(
            reason { try FileContents.write([1], to: folder.path + "/nope/report.html") } == "No such file or directory"
        )
        let sub = folder.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        #expect(reason { try FileContents.write([1], to: sub.path) } == "Is a directory")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == [
                "passwords.env", "report.html", "sub",
            ])
    }

    @Test("folders made with every missing parent; a folder already there is fine; a file in the way says so")
    func folders() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vum-mkdir-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let deep = folder.appendingPathComponent("a/b/c").path
        try FileContents.makeFolder(deep)
        try FileContents.makeFolder(deep + "/")
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: deep, isDirectory: &isFolder) && isFolder.boolValue)
        func reason(_ body: () throws -> Void) -> String? {
            do { try body() } catch { return (error as? FileError)?.description ?? "\(error)" }
            return nil
        }
        let file = folder.appendingPathComponent("a/file").path
        try FileContents.write("x".utf8, to: file)
        #expect(reason { try FileContents.makeFolder(file) } == "it is a file, not a folder")
        #expect(reason { try FileContents.makeFolder(file + "/below") } == "\(file) is a file, not a folder")
        #expect(reason { try FileContents.makeFolder("/proc/vum-test") } != nil)
    }
}
