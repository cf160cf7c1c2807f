import Ember
import EmberNN

/// Logs training to TensorBoard: every `every` steps the mean training loss since the
/// last point (`train/batch_loss`), and after each epoch (each evaluation, for
/// step-counted training) `train/loss`, `train/accuracy`, `val/loss`, `val/accuracy`,
/// `lr`, `train/samples_per_sec` and `train/tokens_per_sec`, whichever the epoch has,
/// at the step reached. With `histograms`, each parameter's values too, under
/// `weights/<name>`.
public final class TensorBoardLogger: Callback {
    /// The event file's writer.
    public let writer: SummaryWriter
    /// Steps between training-loss points.
    public var every: Int { window.every }
    /// Whether to log the distribution of every parameter after each epoch.
    public let histograms: Bool
    private var window: LossWindow

    /// Logs into the folder `logDir` (created if needed).
    public init(logDir: String, every: Int = 10, histograms: Bool = false) throws {
        window = LossWindow(every: every)
        writer = try SummaryWriter(logDir: logDir)
        self.histograms = histograms
    }

    public func batchEnded(_ trainer: Trainer, index: Int, count: Int, loss: Double) {
        guard let mean = window.add(loss, step: trainer.step) else { return }
        try? writer.addScalar("train/batch_loss", mean, step: trainer.step)
    }

    public func epochEnded(_ trainer: Trainer, record: EpochRecord) throws {
        let scalars: [(String, Double?)] = [
            ("train/loss", record.trainLoss), ("train/accuracy", record.trainAccuracy),
            ("val/loss", record.valLoss), ("val/accuracy", record.valAccuracy), ("lr", record.lr),
            ("train/samples_per_sec", record.samplesPerSec), ("train/tokens_per_sec", record.tokensPerSec),
        ]
        for case let (tag, value?) in scalars { try writer.addScalar(tag, value, step: record.step) }
        if histograms {
            for (name, parameter) in trainer.model.namedParameters() {
                try writer.addHistogram("weights/\(name)", parameter, step: record.step)
            }
        }
        try writer.flush()
    }

    public func trainingEnded(_ trainer: Trainer) throws { try writer.flush() }
}
