#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a database file cannot be opened or created at a path, in words a person can act on. SQLite says
/// only "unable to open database file" (error 14) for a missing folder, a folder given as the file and a
/// folder it may not write to alike.
public enum DatabasePlace {
    /// The reason SQLite cannot open or create a database at `path`, or nil when none is found here (the
    /// fault is then in the file itself, which SQLite's own message describes).
    public static func problem(_ path: String) -> String? {
        var info = stat()
        if stat(path, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR { return "\(path) is a folder, not a database file" }
            if access(path, R_OK | W_OK) != 0 { return "\(path): \(String(cString: strerror(errno)))" }
            return nil
        }
        let missing = errno
        // ENOTDIR: something on the way is a file; the folder is looked at below to say which.
        guard missing == ENOENT || missing == ENOTDIR else { return "\(path): \(String(cString: strerror(missing)))" }
        let folder = Self.folder(of: path)
        if stat(folder, &info) != 0 { return "the folder \(folder) does not exist" }
        if info.st_mode & S_IFMT != S_IFDIR { return "\(folder) is a file, not a folder" }
        // Creating the file, and SQLite's journal beside it, needs a folder it may write to.
        if access(folder, W_OK | X_OK) != 0 {
            return "cannot create files in \(folder): \(String(cString: strerror(errno)))"
        }
        return nil
    }

    /// What to say after "cannot open <store> <path>: ": the cause found here with SQLite's words in
    /// brackets, else SQLite's words and where to look.
    public static func explain(_ path: String, sqlite: String) -> String {
        problem(path).map { "\($0) (\(sqlite))" } ?? "\(sqlite); check the path and its permissions"
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
