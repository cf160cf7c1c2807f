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

    /// A new run's folder, `path` or else `runs/NAME-TIME`, refusing one that already
    /// holds a run; nothing is created yet.
    static func vacant(_ path: String?, defaultName name: String) throws -> RunDirectory {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let path = path ?? "runs/\(name)-\(stamp)"
        let run = RunDirectory(url: URL(fileURLWithPath: path))
        let fm = FileManager.default
        if fm.fileExists(atPath: run.config.path) || fm.fileExists(atPath: run.checkpoint.path) {
            throw CLIError("\(path) already holds a run: continue it with --resume \(path), or choose another --out")
        }
        return run
    }

    /// An existing run to continue from `path` and its saved configuration, checked;
    /// refuses a folder without a checkpoint. Writes nothing.
    static func resuming(_ path: String) throws -> (RunDirectory, RunConfig) {
        let run = RunDirectory(url: URL(fileURLWithPath: path))
        guard let data = FileManager.default.contents(atPath: run.config.path) else {
            throw CLIError("missing \(run.config.path): is \(path) a run directory?")
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
        guard FileManager.default.fileExists(atPath: run.checkpoint.path) else {
            throw CLIError("\(path) has no checkpoint.safetensors to resume from")
        }
        return (run, config)
    }

    /// Creates the folder (and its parents) if missing.
    func create() throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create run directory \(url.path): \(error.localizedDescription)")
        }
    }

    /// Writes `config.json`: the run's configuration and the machine this process runs
    /// on (CPU, BLAS kernel set, threads, under `machine`), so its figures can be
    /// explained later. Reading a config back ignores `machine`.
    func writeConfig(_ config: RunConfig) throws {
        try write(ConfigFile(config: config, machine: .current), to: self.config)
    }

    /// Writes `value` as indented JSON, atomically.
    func write<T: Encodable>(_ value: T, to file: URL) throws {
        try ConfigJSON.encoder(pretty: true).encode(value).write(to: file, options: .atomic)
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
