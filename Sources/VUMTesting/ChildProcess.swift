import Foundation
import Glibc

/// Runs a program without blocking the cooperative pool: `posix_spawn`, output to a temporary file, and
/// `waitpid` on a thread of its own. (Foundation's `Process.waitUntilExit` was seen to miss the exit of a
/// child whose grandchildren daemonise, as `rabbitmq-server -detached` does.)
public enum ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Runs to completion.
    public static func run(_ executable: String, _ arguments: [String]) async throws -> Result {
        try await start(executable, arguments).wait()
    }

    /// Starts a program (a daemon under test) with extra environment variables; signal it and wait.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws
        -> Running
    {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("vum-child-\(UUID().uuidString).out").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else {
            unlink(outputPath)
            throw InboxError("could not start \(executable): \(String(cString: strerror(rc)))")
        }
        return Running(pid: pid, outputPath: outputPath)
    }

    /// A started program.
    public struct Running: Sendable {
        public let pid: pid_t
        let outputPath: String

        /// Sends a signal (SIGTERM for a graceful stop, SIGKILL for a crash).
        public func signal(_ signal: Int32) { kill(pid, signal) }

        /// What it printed so far.
        public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

        /// Waits for the exit; an exit by signal N is reported as status 128 + N.
        public func wait() async -> Result {
            let child = pid
            let status: Int32 = await withCheckedContinuation { continuation in
                let thread = Thread {
                    var status: Int32 = 0
                    while waitpid(child, &status, 0) == -1 && errno == EINTR {}
                    continuation.resume(returning: status)
                }
                thread.start()
            }
            let output = self.output
            unlink(outputPath)
            let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            return Result(status: exitCode, output: output)
        }
    }
}
