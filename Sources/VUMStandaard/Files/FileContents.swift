#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file read whole, or the reason it could not be in the system's words ("No such file or directory",
/// "Is a directory", "Permission denied"). Foundation on Linux says "The operation could not be
/// completed. (NSCocoaErrorDomain error 256.)" for a folder, and refuses /dev/null as a permission problem.
public enum FileContents {
    /// Every byte of the file at `path`.
    public static func bytes(_ path: String) throws(FileReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError(path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        let size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + 1)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, errno: errno)
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// The file at `path` as UTF-8 text.
    public static func text(_ path: String) throws(FileReadError) -> String {
        let bytes = try bytes(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FileReadError(path: path, reason: "is not UTF-8 text")
        }
        return text
    }
}

/// Why a file could not be read; its description is the reason alone, for messages that name the file
/// in their own words ("cannot read the PC4 table \(path): \(error)").
public struct FileReadError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    init(path: String, errno code: Int32) {
        self.init(path: path, reason: String(cString: strerror(code)))
    }

    public var description: String { reason }
}
