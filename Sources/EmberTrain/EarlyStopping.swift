import Ember
import EmberNN

/// Stops training when the validation loss has not improved by `minDelta` for
/// `patience` epochs, and puts back the weights of the best epoch at the end.
public final class EarlyStopping: Callback {
    /// Epochs without improvement tolerated.
    public let patience: Int
    /// Smallest decrease that counts as an improvement.
    public let minDelta: Double
    /// Best validation loss so far.
    public private(set) var bestLoss = Double.infinity
    /// The epoch that reached it.
    public private(set) var bestEpoch = 0
    private var staleEpochs = 0
    private var bestState: [(name: String, tensor: Tensor)] = []

    /// Stops after `patience` epochs without the validation loss falling by more than `minDelta`.
    public init(patience: Int, minDelta: Double = 0) {
        precondition(patience >= 0, "EarlyStopping: patience must be non-negative, got \(patience)")
        self.patience = patience
        self.minDelta = minDelta
    }

    public func epochEnded(_ trainer: Trainer, record: EpochRecord) throws {
        guard let loss = record.valLoss else { return }
        if loss < bestLoss - minDelta {
            bestLoss = loss
            bestEpoch = record.epoch
            staleEpochs = 0
            bestState = trainer.model.stateDict().map { ($0.name, $0.tensor.detach().clone()) }
        } else {
            staleEpochs += 1
            if staleEpochs > patience { trainer.shouldStop = true }
        }
    }

    public func trainingEnded(_ trainer: Trainer) throws {
        guard !bestState.isEmpty, bestEpoch != trainer.epoch else { return }
        try trainer.model.loadStateDict(Dictionary(uniqueKeysWithValues: bestState.map { ($0.name, $0.tensor) }))
    }

    public func checkpointState() -> [String: Tensor] {
        var state: [String: Tensor] = ["best_loss": Tensor(scalar: bestLoss, dtype: .float64),
                                       "best_epoch": Tensor([Int64(bestEpoch)], shape: []),
                                       "stale_epochs": Tensor([Int64(staleEpochs)], shape: [])]
        for (name, t) in bestState { state["best." + name] = t }
        return state
    }

    public func restore(checkpointState state: [String: Tensor]) throws {
        guard let loss = state["best_loss"], let epoch = state["best_epoch"], let stale = state["stale_epochs"] else {
            throw TrainingError.badCheckpoint("early stopping state is missing")
        }
        bestLoss = loss.item()
        bestEpoch = Int(epoch.item())
        staleEpochs = Int(stale.item())
        bestState = state.filter { $0.key.hasPrefix("best.") }.map { (String($0.key.dropFirst(5)), $0.value) }.sorted { $0.name < $1.name }
    }
}
