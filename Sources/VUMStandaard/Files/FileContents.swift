#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file read or written whole, or the reason it could not be in the system's words ("No such file or
/// directory", "Is a directory", "Permission denied"). Foundation on Linux says "The operation could not
/// be completed. (NSCocoaErrorDomain error 256.)" for a folder, and refuses /dev/null as a permission
/// problem.
public enum FileContents {
    /// Every byte of the file at `path`.
    public static func bytes(_ path: String) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
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
                throw FileError(path: path, errno: errno)
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// Replaces the file at `path` with `bytes` at once: they go to a new file beside it, which is then
    /// renamed over it, so a reader never sees half of them and a failed write leaves the old file. The
    /// file never has more than `permissions` (less when the umask says so), from the moment it exists:
    /// 0o600 for a secret is never readable by others, not even briefly.
    public static func write(_ bytes: some Collection<UInt8>, to path: String, permissions: UInt16 = 0o644)
        throws(FileError)
    {
        let temporary = path + ".tmp-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(permissions))
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        var failure: Int32?
        writeAll(fd, Array(bytes), failure: &failure)
        if close(fd) != 0, failure == nil { failure = errno }
        if failure == nil, rename(temporary, path) != 0 { failure = errno }
        if let failure {
            unlink(temporary)
            throw FileError(path: path, errno: failure)
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], failure: inout Int32?) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
    }

    /// Makes the folder at `path` and any folder above it that is missing (`mkdir -p`); a folder that is
    /// there already is fine, a file in its place is "it is a file, not a folder".
    public static func makeFolder(_ path: String, permissions: UInt16 = 0o755) throws(FileError) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let root = path.hasPrefix("/") ? "/" : ""
        for end in parts.indices {
            let folder = root + parts[...end].joined(separator: "/")
            if mkdir(folder, mode_t(permissions)) == 0 { continue }
            let code = errno
            var info = stat()
            guard code == EEXIST, stat(folder, &info) == 0 else { throw FileError(path: folder, errno: code) }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                let which = end == parts.index(before: parts.endIndex) ? "it" : folder
                throw FileError(path: folder, reason: "\(which) is a file, not a folder")
            }
        }
    }

    /// The file at `path` as UTF-8 text.
    public static func text(_ path: String) throws(FileError) -> String {
        let bytes = try bytes(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FileError(path: path, reason: "is not UTF-8 text")
        }
        return text
    }
}

/// `write(2)`: inside ``FileContents`` the name is its own method.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }

/// Why a file could not be read or written; its description is the reason alone, for messages that name
/// the file in their own words ("cannot read the PC4 table \(path): \(error)").
public struct FileError: Error, CustomStringConvertible, Sendable {
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
