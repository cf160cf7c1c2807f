import ArgumentParser
import Ember
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// The options a training run was started with; `config.json` of a run directory.
struct TrainConfig: Codable {
    var model: String
    var epochs: Int
    var batchSize: Int
    var lr: Double
    var optimizer: String
    var momentum: Double
    var weightDecay: Double
    var l1: Double
    var dropout: Double
    var batchNorm: Bool
    var hidden: [Int]
    var patience: Int?
    var schedule: String
    var clip: Double?
    var valSize: Int
    var seed: UInt64
    var threads: Int
    var data: String
    var positiveClass: Int
    var negativeClass: Int
    /// The training images' statistics the MLP or CNN standardises its input with;
    /// absent with `--no-normalize` (and in runs made before there was normalisation).
    var normalization: InputNormalization?

    /// The model these options describe.
    var spec: ModelSpec {
        var spec = ModelSpec(kind: ModelSpec.Kind(rawValue: model)!)
        spec.hidden = hidden
        spec.dropout = dropout
        spec.batchNorm = batchNorm
        spec.positiveClass = positiveClass
        spec.negativeClass = negativeClass
        spec.normalization = normalization
        return spec
    }
}

/// What `config.json` holds: a run's options, flat, beside the machine it ran on.
private struct ConfigFile<Options: Encodable>: Encodable {
    let options: Options
    let machine: Machine

    private enum Keys: String, CodingKey { case machine }

    func encode(to encoder: Encoder) throws {
        try options.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(machine, forKey: .machine)
    }
}

/// Final figures of a run; `summary.json`.
struct Summary: Codable {
    var testLoss: Double?
    var testAccuracy: Double
    var valLoss: Double?
    var bestValLoss: Double?
    var epochs: Int
    var steps: Int
    var trainSamplesPerSec: Double
    var wallS: Double
}

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

    /// An existing run to continue from `path` and its saved configuration, which
    /// `check` may refuse (another model's run); refuses a folder without a checkpoint.
    static func resuming<Config: Decodable>(_ path: String, as type: Config.Type,
                                            check: (Config) throws -> Void) throws -> (RunDirectory, Config) {
        let run = RunDirectory(url: URL(fileURLWithPath: path))
        let config = try run.read(type, from: run.config)
        try check(config)
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

    /// Writes `config.json`: the run's options and the machine this process runs on
    /// (CPU, BLAS kernel set, threads, under `machine`), so its figures can be
    /// explained later. Reading a config back ignores `machine`.
    func writeConfig<Config: Encodable>(_ config: Config) throws {
        try write(ConfigFile(options: config, machine: .current), to: self.config)
    }

    func write<T: Encodable>(_ value: T, to file: URL) throws {
        try JSONFormat.encoder(pretty: true).encode(value).write(to: file, options: .atomic)
    }

    func read<T: Decodable>(_ type: T.Type, from file: URL) throws -> T {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw CLIError("missing \(file.path): is \(url.path) a run directory?")
        }
        do {
            return try JSONFormat.decoder().decode(type, from: data)
        } catch {
            throw CLIError("\(file.path) is not a valid \(file.lastPathComponent)")
        }
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

/// A model file read whole: where it is, its tensors by name and its `__metadata__`.
typealias ModelFile = (file: URL, tensors: [String: Tensor], metadata: [String: String])

/// The weights and metadata of a model file: `path` is a run directory (its
/// `model.safetensors`) or a safetensors file.
func readModelFile(_ path: String) throws -> ModelFile {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw CLIError("no such checkpoint: \(path)")
    }
    let file = isDirectory.boolValue ? RunDirectory(url: URL(fileURLWithPath: path)).model : URL(fileURLWithPath: path)
    let (tensors, metadata) = try SafeTensors.read(file)
    return (file, Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) }), metadata)
}

/// A trained classifier and its spec, from a run directory or a safetensors file
/// whose `__metadata__` names the model.
func loadClassifier(_ path: String) throws -> (model: any Layer, spec: ModelSpec) {
    let (_, tensors, metadata) = try readModelFile(path)
    let spec = try ModelSpec(metadata: metadata)
    let model = spec.build()
    try model.loadStateDict(tensors)
    model.eval()
    return (model, spec)
}
