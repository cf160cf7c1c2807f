import Ember
import EmberNN
import Foundation

/// Appends each epoch's record as one JSON object per line (`metrics.jsonl`). A resumed
/// run first drops the records written after its checkpoint (an epoch logged before a
/// kill or a full disk stopped its checkpoint), so none is repeated.
public final class MetricsLog: Callback {
    /// The file written.
    public let url: URL

    /// Logs to `url`, keeping what is there up to the trainer's epoch.
    public init(url: URL) { self.url = url }

    public func trainingBegan(_ trainer: Trainer) throws {
        try JSONFormat.rewrite(Self.records(at: url, upTo: trainer.epoch), to: url)
    }

    public func epochEnded(_ trainer: Trainer, record: EpochRecord) throws { try append(record) }

    /// Appends `record` as one line.
    public func append(_ record: EpochRecord) throws { try JSONFormat.append(record, to: url) }

    /// The records in a log, up to epoch `upTo` (for resuming); throws naming a line
    /// that is not a record.
    public static func records(at url: URL, upTo epoch: Int) throws -> [EpochRecord] {
        (try JSONFormat.lines(of: EpochRecord.self, at: url, each: "an epoch record") ?? []).filter { $0.epoch <= epoch }
    }
}

/// Writes `checkpoint.safetensors` after every epoch (everything needed to resume) and
/// `model.safetensors` whenever the validation loss improves (every epoch without
/// validation), both atomically, with `metadata` naming the model.
public final class Checkpointing: Callback {
    /// The run directory.
    public let directory: URL
    /// Model name and hyper-parameters, stored in both files' `__metadata__`.
    public let metadata: [String: String]
    private var bestLoss = Double.infinity

    /// Writes into the run `directory`, with `metadata` (the model and its hyper-parameters) in both files.
    public init(directory: URL, metadata: [String: String]) {
        self.directory = directory
        self.metadata = metadata
    }

    /// `checkpoint.safetensors` in the run directory.
    public var checkpointURL: URL { directory.appendingPathComponent("checkpoint.safetensors") }
    /// `model.safetensors` in the run directory.
    public var modelURL: URL { directory.appendingPathComponent("model.safetensors") }

    public func epochEnded(_ trainer: Trainer, record: EpochRecord) throws {
        if record.valLoss.map({ $0 < bestLoss }) ?? true {
            bestLoss = record.valLoss ?? bestLoss
            try SafeTensors.write(trainer.model.stateDict(), metadata: metadata, to: modelURL)
        }
        try SafeTensors.write(trainer.checkpointState(), metadata: metadata, to: checkpointURL)
    }

    public func checkpointState() -> [String: Tensor] { ["best_loss": Tensor(scalar: bestLoss, dtype: .float64)] }

    public func restore(checkpointState state: [String: Tensor]) throws {
        guard let best = state["best_loss"] else { throw TrainingError.badCheckpoint("checkpointing state is missing") }
        bestLoss = best.item()
    }
}

/// The JSON-lines files of run directories (`metrics.jsonl`, `steps.jsonl`), in
/// `ConfigJSON`'s conventions: snake_case keys, sorted.
public enum JSONFormat {
    /// Appends `value` as one line to the JSON-lines file `url`, creating the file if
    /// there is none.
    static func append<T: Encodable>(_ value: T, to url: URL) throws {
        var line = try ConfigJSON.encoder().encode(value)
        line.append(0x0A)
        if let handle = try? FileHandle(forWritingTo: url) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } else {
            try line.write(to: url)
        }
    }

    /// Replaces the JSON-lines file `url` by `values`, one per line, atomically.
    static func rewrite<T: Encodable>(_ values: [T], to url: URL) throws {
        let encoder = ConfigJSON.encoder()
        var data = Data()
        for value in values {
            data.append(try encoder.encode(value))
            data.append(0x0A)
        }
        try data.write(to: url, options: .atomic)
    }

    /// The values of the JSON-lines file `url`, one per line, or nil when it cannot be
    /// read; throws `RunLogError` naming the first line that is not `each` (a `T`). A
    /// last line without its line break is an append cut short (a kill, a full disk)
    /// and is left out if it is not a `T`.
    static func lines<T: Decodable>(of type: T.Type, at url: URL, each: String) throws -> [T]? {
        guard let data = try? RegularFile.contents(of: url) else { return nil }
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        var values: [T] = []
        for (number, line) in lines.enumerated() where !line.isEmpty {
            do {
                values.append(try ConfigJSON.decoder().decode(T.self, from: Data(line)))
            } catch {
                if number == lines.count - 1 { break }
                throw RunLogError("\(url.path): line \(number + 1) is not \(each)")
            }
        }
        return values
    }
}

/// A run directory's logs that cannot be read.
public struct RunLogError: Error, CustomStringConvertible {
    /// What is wrong, naming the file.
    public let description: String
    init(_ description: String) { self.description = description }
}
