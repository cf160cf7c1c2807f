#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Starting the programs that make data (espeak-ng, espeak-align) and waiting for them.
/// `posix_spawn` directly: Foundation's `Process` costs about 50 ms a start here (it
/// closes every possible descriptor in the child), several times these programs' runs.
enum Subprocess {
    /// Runs `path` with `arguments` (the first is its name); its standard output goes to
    /// the file `output` (or nowhere) and its standard error to the file `errors`.
    /// Returns its exit status.
    static func run(_ path: String, _ arguments: [String], output: URL? = nil, errors: URL) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output?.path ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errors.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw DataError("cannot start \(path): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED and WEXITSTATUS, which Swift does not import.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}
