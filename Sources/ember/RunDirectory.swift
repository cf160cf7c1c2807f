import ArgumentParser
import Ember
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// A run directory: the one folder where a run's results live (`--out DIR`).
struct RunDirectory {
    let url: URL

    var config: URL { url.appendingPathComponent("config.json") }
    var metrics: URL { url.appendingPathComponent("metrics.jsonl") }
    var steps: URL { url.appendingPathComponent("steps.jsonl") }
    var summary: URL { url.appendingPathComponent("summary.json") }
    var model: URL { url.appendingPathComponent("model.safetensors") }
    var checkpoint: URL { url.appendingPathComponent("checkpoint.safetensors") }

    /// Files a run writes beside its config, checkpoint and summary: what a run stopped
    /// before its first checkpoint may have left, and a restart removes.
    var partial: [URL] { [metrics, steps, model, url.appendingPathComponent("curves.svg")] }

    /// Whether the folder holds a run worth keeping: one with a checkpoint, or finished.
    var holdsRun: Bool {
        [checkpoint, summary].contains { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// A new run's folder, `path` or else `runs/NAME-TIME`, refusing one that holds a run
    /// (a folder whose run stopped before its first checkpoint may be used again);
    /// nothing is created yet.
    static func vacant(_ path: String?, defaultName name: String) throws -> RunDirectory {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let path = path ?? "runs/\(name)-\(stamp)"
        guard !path.isEmpty else { throw CLIError("--out is empty: name the run directory, or leave --out out for runs/\(name)-TIME") }
        let run = RunDirectory(url: URL(fileURLWithPath: path))
        guard !run.holdsRun else {
            throw CLIError("\(path) already holds a run: continue it with --resume \(path), or choose another --out")
        }
        return run
    }

    /// An existing run to continue from `path`, locked (unless not `locking`: a
    /// data-parallel run's other processes only read it), with its saved configuration,
    /// checked, and whether it has a checkpoint to continue from (a run stopped before
    /// its first one starts over). Writes nothing but the lock.
    static func resuming(_ path: String, locking: Bool = true) throws -> (run: RunDirectory, config: RunConfig, lock: RunLock?, checkpointed: Bool) {
        let run = RunDirectory(url: URL(fileURLWithPath: path))
        guard FileManager.default.fileExists(atPath: run.config.path) else {
            throw CLIError("missing \(run.config.path): is \(path) a run directory?")
        }
        let lock = locking ? try RunLock(run.url) : nil
        let data: Data
        do {
            data = try RegularFile.contents(of: run.config, limit: 1 << 20)
        } catch {
            throw CLIError("cannot read \(error)")
        }
        let config: RunConfig
        do {
            config = try ConfigJSON.decode(RunConfig.self, from: data)
            try config.validate()
        } catch let error as ConfigError {
            if let old = try? JSONSerialization.jsonObject(with: data) as? [String: Any], old["model"] is String {
                throw CLIError("\(run.config.path) is from an Ember before run configs were nested (it names its model as a string): this version cannot continue it; its model.safetensors still loads in ember eval, generate and fill")
            }
            throw CLIError("\(run.config.path): \(error)")
        }
        let checkpointed = FileManager.default.fileExists(atPath: run.checkpoint.path)
        if !checkpointed && run.holdsRun {
            throw CLIError("\(path) has finished and has no checkpoint.safetensors to resume from")
        }
        return (run, config, lock, checkpointed)
    }

    /// Creates the folder (and its parents) if missing and locks it for this process.
    /// Throws if another process holds the folder or, for a new run, has meanwhile
    /// left a run in it.
    func claim(newRun: Bool) throws -> RunLock {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create run directory \(url.path): \(error.localizedDescription)")
        }
        let lock = try RunLock(url)
        if newRun {
            guard !holdsRun else {
                throw CLIError("\(url.path) already holds a run: continue it with --resume \(url.path), or choose another --out")
            }
        }
        return lock
    }

    /// Removes what a run stopped before its first checkpoint left (`partial`).
    private func removePartialFiles() throws {
        for file in partial where FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
    }

    /// Removes the temporary files of writes a killed process left half done
    /// (`.model.safetensors.PID.tmp`), and for a run that starts from the beginning what
    /// an attempt stopped before its first checkpoint left; only the lock's holder may
    /// call it.
    func removeLeftovers(startingOver: Bool) throws {
        if startingOver { try removePartialFiles() }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            try FileManager.default.removeItem(at: url.appendingPathComponent(name))
        }
    }

    /// Whether `file` is one of the files a run writes, in a folder holding a run (its
    /// config or metrics): a file other commands must not overwrite.
    static func isRunFile(_ file: URL) -> Bool {
        let file = file.resolvingSymlinksInPath()
        let run = RunDirectory(url: file.deletingLastPathComponent())
        let own = [run.config, run.checkpoint, run.summary, run.url.appendingPathComponent(".lock")] + run.partial
        return [run.config, run.metrics].contains { FileManager.default.fileExists(atPath: $0.path) }
            && own.contains { $0.lastPathComponent == file.lastPathComponent }
    }

    /// Writes `config.json`: the run's configuration and the machine this process runs
    /// on (CPU, BLAS kernel set, threads, under `machine`), so its figures can be
    /// explained later. Reading a config back ignores `machine`.
    func writeConfig(_ config: RunConfig) throws {
        try write(ConfigFile(config: config, machine: .current), to: self.config)
    }

    /// Writes `value` as indented JSON, atomically; throws a one-line error, writing
    /// nothing, for a value JSON cannot hold (a NaN or an infinity).
    func write<T: Encodable>(_ value: T, to file: URL) throws {
        let data: Data
        do {
            data = try ConfigJSON.encoder(pretty: true).encode(value)
        } catch EncodingError.invalidValue(let number, let context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw CLIError("cannot write \(file.path): \(key) is \(number), which JSON cannot hold")
        }
        try data.write(to: file, options: .atomic)
    }
}

/// What `config.json` holds: a run's configuration beside the machine it ran on.
private struct ConfigFile: Encodable {
    let config: RunConfig
    let machine: Machine

    private enum Keys: String, CodingKey { case machine }

    func encode(to encoder: Encoder) throws {
        try config.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(machine, forKey: .machine)
    }
}

/// Runs `body`, turning any thrown error into one line on standard error and exit
/// status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// An error the CLI reports in one line before exiting with status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The model file at `path`: a run directory's `model.safetensors`, or a safetensors
/// file; `gpt` completes a nanoGPT file that lacks Ember's description.
func readModelFile(_ path: String, gpt: NanoGPTHints = NanoGPTHints()) throws -> ModelFile {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw CLIError("no such checkpoint: \(path)")
    }
    let url = isDirectory.boolValue ? RunDirectory(url: URL(fileURLWithPath: path)).model : URL(fileURLWithPath: path)
    return try ModelFile(contentsOf: url, gpt: gpt)
}
