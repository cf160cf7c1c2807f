import Ember

/// What one epoch of training produced; one line of `metrics.jsonl`.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// Epochs completed (1 for the first).
    public var epoch: Int
    /// Optimizer steps taken so far.
    public var step: Int
    /// Mean training loss over the epoch's batches.
    public var trainLoss: Double
    /// Fraction of training samples classified correctly, while training.
    public var trainAccuracy: Double?
    /// Mean validation loss, if there is a validation set.
    public var valLoss: Double?
    /// Validation accuracy, if there is a validation set.
    public var valAccuracy: Double?
    /// Learning rate of the epoch's last step.
    public var lr: Double
    /// Training samples per second, evaluation excluded.
    public var samplesPerSec: Double
    /// Training tokens per second, for sequence models (`Trainer.tokensPerSample`).
    public var tokensPerSec: Double?
    /// Seconds since training started, evaluation included.
    public var elapsedS: Double

    /// A record of one epoch.
    public init(epoch: Int, step: Int, trainLoss: Double, trainAccuracy: Double?, valLoss: Double?, valAccuracy: Double?,
                lr: Double, samplesPerSec: Double, tokensPerSec: Double? = nil, elapsedS: Double) {
        self.epoch = epoch
        self.step = step
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.valLoss = valLoss
        self.valAccuracy = valAccuracy
        self.lr = lr
        self.samplesPerSec = samplesPerSec
        self.tokensPerSec = tokensPerSec
        self.elapsedS = elapsedS
    }
}

/// Hooks into the training loop (progress, logging, early stopping, checkpoints).
/// Every method has an empty default.
public protocol Callback: AnyObject {
    /// Before the first epoch (of this call to `fit`).
    func trainingBegan(_ trainer: Trainer) throws
    /// After each optimizer step: batch `index` of `count`, with that batch's loss.
    func batchEnded(_ trainer: Trainer, index: Int, count: Int, loss: Double)
    /// After each epoch's evaluation; set `trainer.shouldStop` to end training.
    func epochEnded(_ trainer: Trainer, record: EpochRecord) throws
    /// After the last epoch.
    func trainingEnded(_ trainer: Trainer) throws
    /// State to keep in checkpoints (names without a prefix), for exact resumption.
    func checkpointState() -> [String: Tensor]
    /// Restores what `checkpointState()` returned.
    func restore(checkpointState: [String: Tensor]) throws
}

extension Callback {
    public func trainingBegan(_ trainer: Trainer) throws {}
    public func batchEnded(_ trainer: Trainer, index: Int, count: Int, loss: Double) {}
    public func epochEnded(_ trainer: Trainer, record: EpochRecord) throws {}
    public func trainingEnded(_ trainer: Trainer) throws {}
    public func checkpointState() -> [String: Tensor] { [:] }
    public func restore(checkpointState: [String: Tensor]) throws {}
}
