import Dispatch
import Ember
import EmberData
import EmberNN
import Foundation

/// Training that could not go on, and why.
public enum TrainingError: Error, CustomStringConvertible {
    /// The training loss became NaN or infinite; the weights are those of the step before.
    case nonFinite(loss: Double, epoch: Int, step: Int)
    /// The validation loss after an epoch was NaN or infinite; no callback saw the epoch.
    case nonFiniteValidation(loss: Double, epoch: Int)
    /// A checkpoint that does not fit this model, optimizer or run.
    case badCheckpoint(String)

    public var description: String {
        switch self {
        case .nonFinite(let loss, let epoch, let step):
            return "training stopped: loss became \(loss) at step \(step) (epoch \(epoch))"
        case .nonFiniteValidation(let loss, let epoch):
            return "training stopped: validation loss became \(loss) after epoch \(epoch)"
        case .badCheckpoint(let why):
            return "cannot resume: \(why)"
        }
    }
}

/// The training loop: epochs of batches (forward, loss, backward, optimizer step),
/// evaluation after each epoch, and callbacks around it all.
///
/// ```swift
/// let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters()),
///                       train: trainLoader, validation: validationLoader, epochs: 5,
///                       callbacks: [ProgressBar(), EarlyStopping(patience: 2)])
/// try trainer.fit()
/// ```
public final class Trainer {
    /// The model being trained; maps a batch's inputs to logits.
    public let model: any Layer
    /// Updates the model's parameters.
    public let optimizer: any Optimizer
    /// Training batches.
    public let train: DataLoader
    /// Validation batches, evaluated after each epoch.
    public let validation: DataLoader?
    /// Epochs to train in all.
    public var epochs: Int
    /// Optimizer steps to train in all, if set: the epoch that reaches it ends there
    /// (step-counted training, where an epoch is the span between evaluations).
    public var maxSteps: Int?
    /// Learning rate for each step; nil keeps the optimizer's.
    public var schedule: (any LearningRateSchedule)?
    /// Clip the global gradient norm to this, if set.
    public var clipNorm: Double?
    /// Coefficient of an L1 penalty on all parameters added to the loss (0: none).
    public var l1: Double = 0
    /// Tokens in each sample, for sequence models: throughput is then also reported in
    /// tokens per second.
    public var tokensPerSample: Int?
    /// The loss of logits against targets.
    public var loss: (Tensor, Tensor) -> Tensor = { crossEntropy($0, $1) }
    /// The loss of a whole batch, for a model whose loss is not `loss(model(inputs),
    /// targets)` (a synthesiser's, over mels and durations); when set it replaces
    /// `loss`, in training and validation, and accuracy is not measured.
    public var objective: ((Batch) -> Tensor)?
    /// Runs after each backward pass, before clipping and the optimizer step:
    /// data-parallel training averages the gradients over its processes here
    /// (`DistributedDataParallel.synchronize`).
    public var afterBackward: (() throws -> Void)?
    /// Processes training together, data-parallel, each on its batches of `train`'s
    /// size in lockstep: the progress shown per batch counts all of their samples.
    public var processes = 1
    /// Sums figures over the processes of data-parallel training (each epoch's loss sum,
    /// samples and correct answers, and whether any process's callbacks would stop), so
    /// that every process records and decides alike; nil: this process's own.
    public var sumAcrossProcesses: (([Double]) throws -> [Double])?
    /// Called around the loop, in order.
    public var callbacks: [any Callback]
    /// Set by a callback to end training after the current epoch.
    public var shouldStop = false
    /// Epochs completed.
    public private(set) var epoch = 0
    /// Optimizer steps taken.
    public private(set) var step = 0
    /// One record per completed epoch.
    public private(set) var history: [EpochRecord] = []
    /// Seconds spent in training steps (evaluation excluded), over all epochs.
    public private(set) var trainSeconds = 0.0
    /// Training samples processed.
    public private(set) var trainSamples = 0
    /// Seconds of each step this trainer ran (forward, loss, backward, update; not the
    /// wait for data), for throughput from the median step, robust to a busy machine.
    public private(set) var stepSeconds: [Double] = []
    /// Fraction of this epoch's training samples classified correctly so far (nil for
    /// targets that are not class indices).
    public private(set) var runningAccuracy: Double?
    /// The model's parameters, found once (reflection is not free).
    private lazy var parameters = model.parameters()

    /// A loop training `model` with `optimizer` on `train` for `epochs`, evaluating on
    /// `validation` after each epoch.
    public init(model: any Layer, optimizer: any Optimizer, train: DataLoader, validation: DataLoader? = nil,
                epochs: Int, callbacks: [any Callback] = []) {
        self.model = model
        self.optimizer = optimizer
        self.train = train
        self.validation = validation
        self.epochs = epochs
        self.callbacks = callbacks
    }

    /// Trains from the current epoch to `epochs` or until a callback stops it.
    /// Throws `TrainingError.nonFinite` as soon as the loss is NaN or infinite, and
    /// `.nonFiniteValidation` for an epoch whose validation loss is (before any callback
    /// logs or saves that epoch).
    public func fit() throws {
        let start = DispatchTime.now()
        let elapsedBefore = history.last?.elapsedS ?? 0
        shouldStop = false
        for c in callbacks { try c.trainingBegan(self) }
        while epoch < epochs && !shouldStop && step < (maxSteps ?? .max) {
            model.train()
            var lossSum = 0.0, correct = 0, seen = 0
            // Training time counts everything but evaluation: steps, waiting for data, callbacks.
            let epochStart = DispatchTime.now()
            let batches = train.batches(epoch: epoch)
            for (index, batch) in batches.enumerated() {
                if step >= maxSteps ?? .max { break }
                let stepStart = DispatchTime.now()
                if let schedule { optimizer.lr = schedule.learningRate(at: step) }
                optimizer.zeroGrad()
                var logits: Tensor?, objective: Tensor
                if let batchLoss = self.objective {
                    objective = batchLoss(batch)
                } else {
                    let output = model(batch.inputs)
                    (logits, objective) = (output, loss(output, batch.targets))
                }
                if l1 > 0 { objective = objective + l1Penalty(parameters) * l1 }
                let value = objective.item()
                // Checked before the step, so the weights stay those of the last good step.
                guard value.isFinite else { throw TrainingError.nonFinite(loss: value, epoch: epoch + 1, step: step + 1) }
                objective.backward()
                try afterBackward?()
                if let clipNorm { clipGradNorm(parameters, maxNorm: clipNorm) }
                optimizer.step()
                stepSeconds.append(Self.seconds(since: stepStart))
                step += 1
                let n = batch.targets.shape[0]
                lossSum += value * Double(n)
                seen += n
                if let logits, let hits = Self.correct(logits, batch.targets) {
                    correct += hits
                    runningAccuracy = Double(correct) / Double(seen)
                } else {
                    runningAccuracy = nil
                }
                for c in callbacks { c.batchEnded(self, index: index, count: batches.count, loss: value) }
            }
            let epochSeconds = Self.seconds(since: epochStart)
            if let sum = sumAcrossProcesses {
                let totals = try sum([lossSum, Double(seen), Double(correct)])
                (lossSum, seen, correct) = (totals[0], Int(totals[1]), Int(totals[2]))
                if runningAccuracy != nil { runningAccuracy = Double(correct) / Double(Swift.max(seen, 1)) }
            }
            epoch += 1
            trainSeconds += epochSeconds
            trainSamples += seen
            let evaluation = validation.map { evaluate($0) }
            if let loss = evaluation?.loss, !loss.isFinite { throw TrainingError.nonFiniteValidation(loss: loss, epoch: epoch) }
            let record = EpochRecord(
                epoch: epoch, step: step, trainLoss: lossSum / Double(Swift.max(seen, 1)),
                trainAccuracy: runningAccuracy,
                valLoss: evaluation?.loss, valAccuracy: evaluation?.accuracy, lr: optimizer.lr,
                samplesPerSec: Double(seen) / Swift.max(epochSeconds, 1e-9),
                tokensPerSec: tokensPerSample.map { Double(seen * $0) / Swift.max(epochSeconds, 1e-9) },
                elapsedS: elapsedBefore + Self.seconds(since: start))
            history.append(record)
            for c in callbacks { try c.epochEnded(self, record: record) }
            if let sum = sumAcrossProcesses { shouldStop = try sum([shouldStop ? 1 : 0])[0] > 0 }
        }
        for c in callbacks { try c.trainingEnded(self) }
    }

    /// Mean loss and accuracy over `loader`, in eval mode and without recording; the
    /// model is left in eval mode.
    public func evaluate(_ loader: DataLoader) -> (loss: Double, accuracy: Double?) {
        guard let objective else { return Self.evaluate(model, loader, loss: loss) }
        return (Self.evaluate(model, loader, objective: objective), nil)
    }

    /// Mean of `objective` (a batch's loss) over `loader`, each batch weighted by its
    /// samples, with `model` in eval mode (where it is left) and without recording.
    public static func evaluate(_ model: any Layer, _ loader: DataLoader, objective: (Batch) -> Tensor) -> Double {
        model.eval()
        return withNoGrad {
            var total = 0.0, seen = 0
            for batch in loader.batches(epoch: 0) {
                let n = batch.targets.shape[0]
                total += objective(batch).item() * Double(n)
                seen += n
            }
            return total / Double(Swift.max(seen, 1))
        }
    }

    /// Mean loss and accuracy of `model` over `loader` (accuracy when targets are
    /// class indices of `[N]`).
    public static func evaluate(_ model: any Layer, _ loader: DataLoader,
                                loss: (Tensor, Tensor) -> Tensor = { crossEntropy($0, $1) }) -> (loss: Double, accuracy: Double?) {
        model.eval()
        return withNoGrad {
            var total = 0.0, correct = 0, seen = 0, classified = true
            for batch in loader.batches(epoch: 0) {
                let logits = model(batch.inputs)
                let n = batch.targets.shape[0]
                total += loss(logits, batch.targets).item() * Double(n)
                seen += n
                if let hits = Self.correct(logits, batch.targets) { correct += hits } else { classified = false }
            }
            let count = Double(Swift.max(seen, 1))
            return (total / count, classified ? Double(correct) / count : nil)
        }
    }

    /// Samples whose largest logit is the target class, for `[N, C]` logits and `[N]`
    /// int64 targets; nil for other kinds of targets.
    static func correct(_ logits: Tensor, _ targets: Tensor) -> Int? {
        guard logits.ndim == 2, targets.ndim == 1, targets.dtype == .int64 else { return nil }
        return withNoGrad { Int(logits.argmax(dim: 1).eq(targets).sum().item()) }
    }

    private static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

extension Trainer {
    /// Everything needed to continue exactly where training stands: model weights and
    /// buffers (`model.`), optimizer state (`optimizer.`), each callback's state
    /// (`callback.<i>.`), the position and the default generator's state (`trainer.`).
    public func checkpointState() -> [(name: String, tensor: Tensor)] {
        var out = model.stateDict().map { ("model." + $0.name, $0.tensor) }
        out += optimizer.stateDict().sorted { $0.key < $1.key }.map { ("optimizer." + $0.key, $0.value) }
        for (i, c) in callbacks.enumerated() {
            out += c.checkpointState().sorted { $0.key < $1.key }.map { ("callback.\(i)." + $0.key, $0.value) }
        }
        out.append(("trainer.epoch", Tensor([Int64(epoch)], shape: [])))
        out.append(("trainer.step", Tensor([Int64(step)], shape: [])))
        out.append(("trainer.train_seconds", Tensor(scalar: trainSeconds, dtype: .float64)))
        out.append(("trainer.train_samples", Tensor([Int64(trainSamples)], shape: [])))
        out.append(("trainer.generator", Tensor(Generator.default.state.map { Int64(bitPattern: $0) })))
        return out
    }

    /// Restores a state saved by `checkpointState()`, with the epoch records so far (those
    /// after the checkpoint's epoch are dropped); throws `TrainingError.badCheckpoint`
    /// if it does not fit, or if its weights or optimizer state hold a NaN or infinity
    /// (a run that went bad is not continued).
    public func restore(checkpoint: [String: Tensor], history: [EpochRecord]) throws {
        func part(_ prefix: String) -> [String: Tensor] {
            Dictionary(uniqueKeysWithValues: checkpoint.filter { $0.key.hasPrefix(prefix) }.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
        }
        guard let epoch = checkpoint["trainer.epoch"], let step = checkpoint["trainer.step"],
              let seconds = checkpoint["trainer.train_seconds"], let samples = checkpoint["trainer.train_samples"],
              let generator = checkpoint["trainer.generator"], generator.numel == 4 else {
            throw TrainingError.badCheckpoint("the checkpoint lacks the trainer's position")
        }
        let spoiled = checkpoint.filter { ($0.key.hasPrefix("model.") || $0.key.hasPrefix("optimizer.")) && !$0.value.allFinite }.keys.sorted()
        guard spoiled.isEmpty else {
            throw TrainingError.badCheckpoint("the checkpoint holds NaN or infinite values (\(spoiled.prefix(3).joined(separator: ", "))\(spoiled.count > 3 ? " and \(spoiled.count - 3) more" : ""))")
        }
        do {
            let model = part("model.")
            try self.model.loadStateDict(model)
            try optimizer.loadStateDict(part("optimizer."))
            for (i, c) in callbacks.enumerated() { try c.restore(checkpointState: part("callback.\(i).")) }
        } catch {
            throw TrainingError.badCheckpoint("\(error)")
        }
        self.epoch = Int(epoch.item())
        self.step = Int(step.item())
        trainSeconds = seconds.item()
        trainSamples = Int(samples.item())
        Generator.default.state = generator.scalars(as: Int64.self).map { UInt64(bitPattern: $0) }
        self.history = history.filter { $0.epoch <= self.epoch }
    }
}
