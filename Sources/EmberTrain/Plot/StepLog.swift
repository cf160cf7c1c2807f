import EmberNN
import Foundation

/// The mean training loss over a span of steps; one line of `steps.jsonl`.
public struct StepRecord: Codable, Equatable, Sendable {
    /// The span's last step.
    public var step: Int
    /// Mean training loss over the span's batches.
    public var trainLoss: Double

    /// A record.
    public init(step: Int, trainLoss: Double) {
        self.step = step
        self.trainLoss = trainLoss
    }
}

/// Appends the mean training loss of every `every` steps to `steps.jsonl`, finer than
/// the per-epoch `metrics.jsonl`, for training curves. A resumed run first drops the
/// points written after its checkpoint, so none is repeated.
public final class StepLog: Callback {
    /// The file written.
    public let url: URL
    /// Steps per point.
    public var every: Int { window.every }
    private var window: LossWindow

    /// Logs to `url` every `every` steps.
    public init(url: URL, every: Int = 10) {
        self.url = url
        window = LossWindow(every: every)
    }

    public func trainingBegan(_ trainer: Trainer) throws {
        try JSONFormat.rewrite(Self.records(at: url).filter { $0.step <= trainer.step }, to: url)
    }

    public func batchEnded(_ trainer: Trainer, index: Int, count: Int, loss: Double) {
        guard let mean = window.add(loss, step: trainer.step) else { return }
        try? JSONFormat.append(StepRecord(step: trainer.step, trainLoss: mean), to: url)
    }

    /// The records in a log (none if there is no file); throws naming a line that is not a record.
    public static func records(at url: URL) throws -> [StepRecord] {
        try JSONFormat.lines(of: StepRecord.self, at: url, each: "a step record") ?? []
    }
}
