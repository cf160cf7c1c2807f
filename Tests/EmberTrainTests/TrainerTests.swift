import Foundation
import XCTest
import Ember
import EmberData
import EmberModels
import EmberNN
@testable import EmberTrain

final class TrainerTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Three noisy Gaussian classes in 4-D.
    private func blobs(_ n: Int, seed: UInt64) -> TensorDataset {
        let g = Generator(seed: seed)
        let labels = Tensor.randint(0, 3, [n], generator: g)
        let centres = Tensor([2, 0, 0, 1, -2, 1, 0, 0, 0, -2, 2, -1] as [Float], shape: [3, 4])
        return TensorDataset(inputs: centres.indexSelect(dim: 0, index: labels) + Tensor.randn([n, 4], generator: g), targets: labels)
    }

    private func makeTrainer(epochs: Int, callbacks: [any Callback], seed: UInt64 = 1) -> Trainer {
        manualSeed(seed)
        let model = MLP(MLPConfig(inFeatures: 4, hidden: [16], classes: 3, dropout: 0.2))
        return Trainer(model: model, optimizer: Adam(parameters: model.parameters(), lr: 0.01),
                       train: DataLoader(blobs(240, seed: 2), batchSize: 32, shuffle: true, seed: 3),
                       validation: DataLoader(blobs(90, seed: 4), batchSize: 45), epochs: epochs, callbacks: callbacks)
    }

    func testLossFallsAndRecordsEveryEpoch() throws {
        var lines: [String] = []
        let trainer = makeTrainer(epochs: 8, callbacks: [ProgressBar(interactive: false) { lines.append($0) }])
        try trainer.fit()
        XCTAssertEqual(trainer.history.map(\.epoch), Array(1...8))
        XCTAssertLessThan(trainer.history.last!.trainLoss, trainer.history.first!.trainLoss * 0.7)
        XCTAssertGreaterThan(trainer.history.last!.valAccuracy!, 0.8)
        XCTAssertEqual(trainer.step, 8 * 8)
        XCTAssertTrue(lines.contains { $0.hasPrefix("epoch 8: train loss") && $0.contains("val loss") })
    }

    /// An objective over whole batches replaces `loss(model(inputs), targets)` in training
    /// and validation alike (here cross-entropy with label smoothing, so the numbers
    /// differ from the default loss's); accuracy is then not measured.
    func testAnObjectiveReplacesTheLossEverywhere() throws {
        let trainer = makeTrainer(epochs: 3, callbacks: [])
        let model = trainer.model
        var calls = 0
        trainer.objective = { batch in
            calls += 1
            return crossEntropy(model(batch.inputs), batch.targets, labelSmoothing: 0.2)
        }
        try trainer.fit()
        XCTAssertEqual(calls, 3 * 8 + 3 * 2, "every training batch and every validation batch")
        XCTAssertLessThan(trainer.history.last!.trainLoss, trainer.history.first!.trainLoss)
        XCTAssertNil(trainer.history.last!.trainAccuracy)
        XCTAssertNil(trainer.history.last!.valAccuracy)
        let validation = DataLoader(blobs(90, seed: 4), batchSize: 45)
        let smoothed = Trainer.evaluate(model, validation) { crossEntropy(model($0.inputs), $0.targets, labelSmoothing: 0.2) }
        XCTAssertEqual(trainer.history.last!.valLoss!, smoothed, accuracy: 1e-6)
        XCTAssertNotEqual(Trainer.evaluate(model, validation).loss, smoothed, accuracy: 1e-3)
    }

    /// The data-parallel hooks: `afterBackward` once a step, between backward and the
    /// step (the gradients exist); `sumAcrossProcesses` makes each epoch's record the
    /// group's (here a group of two identical processes: twice the samples, the same
    /// mean loss) and lets any process's stop end every process's training.
    func testDataParallelHooksSeeEveryStepAndMakeTheRecordsTheGroups() throws {
        let alone = makeTrainer(epochs: 2, callbacks: [])
        try alone.fit()
        let trainer = makeTrainer(epochs: 4, callbacks: [])
        var synchronized = 0, sums: [[Double]] = []
        trainer.afterBackward = {
            XCTAssertTrue(trainer.model.parameters().allSatisfy { $0.grad != nil })
            synchronized += 1
        }
        trainer.sumAcrossProcesses = { values in
            sums.append(values)
            return values.count == 1 ? [trainer.epoch == 2 ? 1 : 0] : values.map { $0 * 2 }
        }
        try trainer.fit()
        XCTAssertEqual(synchronized, 2 * 8, "stopped after epoch 2, as the other process asked")
        XCTAssertEqual(trainer.history.count, 2)
        XCTAssertEqual(sums.map(\.count), [3, 1, 3, 1], "loss sum, samples and correct, then the stop, each epoch")
        for (record, own) in zip(trainer.history, alone.history) {
            XCTAssertEqual(record.trainLoss, own.trainLoss, accuracy: 1e-12)
            XCTAssertEqual(record.trainAccuracy!, own.trainAccuracy!, accuracy: 1e-12)
        }
        XCTAssertEqual(trainer.trainSamples, 2 * alone.trainSamples, "the group's samples")
    }

    func testEarlyStoppingStopsAndRestoresTheBestEpoch() throws {
        // A learning rate far too high makes validation loss rise after the start.
        let early = EarlyStopping(patience: 1)
        let trainer = makeTrainer(epochs: 30, callbacks: [early])
        trainer.optimizer.lr = 0.5
        var bestWeights: [Double] = []
        final class Spy: Callback {
            let onEpoch: (Trainer, EpochRecord) -> Void
            init(_ onEpoch: @escaping (Trainer, EpochRecord) -> Void) { self.onEpoch = onEpoch }
            func epochEnded(_ trainer: Trainer, record: EpochRecord) throws { onEpoch(trainer, record) }
        }
        trainer.callbacks.append(Spy { trainer, record in
            if record.epoch == early.bestEpoch { bestWeights = trainer.model.parameters()[0].doubles }
        })
        try trainer.fit()
        XCTAssertLessThan(trainer.epoch, 30, "stopped early")
        XCTAssertEqual(trainer.epoch, early.bestEpoch + 2, "patience 1: stops on the second epoch without improvement")
        XCTAssertEqual(early.bestLoss, trainer.history.compactMap(\.valLoss).min())
        XCTAssertEqual(trainer.model.parameters()[0].doubles, bestWeights, "best epoch's weights restored")
    }

    func testResumeFromCheckpointMatchesAnUninterruptedRun() throws {
        let uninterrupted = makeTrainer(epochs: 4, callbacks: [EarlyStopping(patience: 5)])
        try uninterrupted.fit()

        let first = makeTrainer(epochs: 2, callbacks: [EarlyStopping(patience: 5), Checkpointing(directory: directory, metadata: ["model": "mlp"])])
        try first.fit()
        // Whatever happens to the process between, resuming reads only the files.
        manualSeed(999)
        let (tensors, metadata) = try SafeTensors.read(directory.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertEqual(metadata["model"], "mlp")
        let resumed = makeTrainer(epochs: 4, callbacks: [EarlyStopping(patience: 5), Checkpointing(directory: directory, metadata: ["model": "mlp"])], seed: 42)
        try resumed.restore(checkpoint: Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) }), history: first.history)
        XCTAssertEqual(resumed.epoch, 2)
        try resumed.fit()
        for (a, b) in zip(uninterrupted.model.parameters(), resumed.model.parameters()) {
            XCTAssertEqual(a.floats, b.floats)
        }
        XCTAssertEqual(uninterrupted.history.map(\.valLoss), resumed.history.map(\.valLoss))
    }

    func testCheckpointThatDoesNotFitIsRejectedWithoutChangingAnything() throws {
        let trainer = makeTrainer(epochs: 1, callbacks: [])
        let before = trainer.model.parameters().map(\.floats)
        var state = Dictionary(uniqueKeysWithValues: trainer.checkpointState().map { ($0.name, $0.tensor) })
        state["model.0.weight"] = Tensor.zeros([3, 3])
        XCTAssertThrowsError(try trainer.restore(checkpoint: state, history: [])) { error in
            XCTAssertTrue("\(error)".contains("0.weight expects [16, 4], got [3, 3]"), "\(error)")
        }
        XCTAssertEqual(trainer.model.parameters().map(\.floats), before)
        XCTAssertThrowsError(try trainer.restore(checkpoint: [:], history: []))
    }

    func testNonFiniteLossStopsNamingTheStepAndKeepsTheLastGoodCheckpoint() throws {
        let trainer = makeTrainer(epochs: 3, callbacks: [Checkpointing(directory: directory, metadata: [:])])
        try trainer.fit()
        let good = try Data(contentsOf: directory.appendingPathComponent("checkpoint.safetensors"))
        trainer.epochs = 5
        trainer.loss = { logits, targets in crossEntropy(logits, targets) * (trainer.step >= 26 ? .nan : 1.0) }
        XCTAssertThrowsError(try trainer.fit()) { error in
            XCTAssertEqual("\(error)", "training stopped: loss became nan at step 27 (epoch 4)")
        }
        XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent("checkpoint.safetensors")), good)
    }

    func testMetricsLogWritesOneJSONObjectPerEpoch() throws {
        let url = directory.appendingPathComponent("metrics.jsonl")
        let trainer = makeTrainer(epochs: 2, callbacks: [MetricsLog(url: url)])
        try trainer.fit()
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let object = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as! [String: Any]
        for key in ["epoch", "step", "train_loss", "val_loss", "val_accuracy", "lr", "samples_per_sec", "elapsed_s"] {
            XCTAssertNotNil(object[key], key)
        }
        XCTAssertEqual(try MetricsLog.records(at: url, upTo: 1).map(\.epoch), [1])
    }

    func testResumeIsExactUnderEverySchedule() throws {
        let schedules: [(String, any LearningRateSchedule)] = [
            ("step", StepLR(lr: 0.02, stepSize: 12, gamma: 0.5)),
            ("cosine", CosineAnnealingLR(lr: 0.02, totalSteps: 48, minLR: 0.002)),
            ("warm-up then cosine", LinearWarmup(warmupSteps: 10, then: CosineAnnealingLR(lr: 0.02, totalSteps: 38))),
        ]
        for (name, schedule) in schedules {
            let run = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            func trainer(epochs: Int, seed: UInt64) -> Trainer {
                let t = makeTrainer(epochs: epochs, callbacks: [EarlyStopping(patience: 2), Checkpointing(directory: run, metadata: [:])], seed: seed)
                t.schedule = schedule
                return t
            }
            let uninterrupted = trainer(epochs: 6, seed: 1)
            try uninterrupted.fit()
            try trainer(epochs: 3, seed: 1).fit()
            let (tensors, _) = try SafeTensors.read(run.appendingPathComponent("checkpoint.safetensors"))
            let resumed = trainer(epochs: 6, seed: 7)
            try resumed.restore(checkpoint: Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) }), history: [])
            try resumed.fit()
            XCTAssertEqual(uninterrupted.model.parameters().map(\.floats), resumed.model.parameters().map(\.floats), name)
            XCTAssertEqual(uninterrupted.history.suffix(3).map(\.lr), resumed.history.map(\.lr), name)
            XCTAssertEqual(uninterrupted.history.suffix(3).map(\.valLoss), resumed.history.map(\.valLoss), name)
        }
    }

    func testResumeDropsTheRecordsAfterItsCheckpoint() throws {
        let metrics = directory.appendingPathComponent("metrics.jsonl")
        let first = makeTrainer(epochs: 2, callbacks: [MetricsLog(url: metrics), Checkpointing(directory: directory, metadata: [:])])
        try first.fit()
        // A kill after the third epoch's record but before its checkpoint, and an append
        // a full disk cut short.
        var third = first.history[1]
        third.epoch = 3
        try JSONFormat.append(third, to: metrics)
        let handle = try FileHandle(forWritingTo: metrics)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"epoch\":4,\"st".utf8))
        try handle.close()
        let (tensors, _) = try SafeTensors.read(directory.appendingPathComponent("checkpoint.safetensors"))
        let resumed = makeTrainer(epochs: 4, callbacks: [MetricsLog(url: metrics), Checkpointing(directory: directory, metadata: [:])])
        try resumed.restore(checkpoint: Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) }),
                            history: try MetricsLog.records(at: metrics, upTo: .max))
        XCTAssertEqual(resumed.history.map(\.epoch), [1, 2])
        try resumed.fit()
        XCTAssertEqual(try MetricsLog.records(at: metrics, upTo: .max).map(\.epoch), [1, 2, 3, 4])
    }

    func testACheckpointHoldingNaNIsNotResumed() throws {
        let trainer = makeTrainer(epochs: 1, callbacks: [])
        for name in ["model.0.weight", "optimizer.0.exp_avg_sq"] {
            var state = Dictionary(uniqueKeysWithValues: trainer.checkpointState().map { ($0.name, $0.tensor) })
            if state[name] == nil { state[name] = Tensor.zeros([16, 4]) }
            var values = state[name]!.doubles
            values[values.count / 2] = .nan
            state[name] = Tensor(values, shape: state[name]!.shape).to(state[name]!.dtype)
            XCTAssertThrowsError(try trainer.restore(checkpoint: state, history: [])) { error in
                XCTAssertTrue("\(error)".contains("NaN or infinite values (\(name))"), "\(error)")
            }
        }
    }

    func testANonFiniteValidationLossStopsBeforeTheEpochIsLoggedOrSaved() throws {
        let metrics = directory.appendingPathComponent("metrics.jsonl")
        let trainer = makeTrainer(epochs: 4, callbacks: [MetricsLog(url: metrics), Checkpointing(directory: directory, metadata: [:])])
        trainer.loss = { logits, targets in crossEntropy(logits, targets) * (trainer.model.training || trainer.epoch < 3 ? 1.0 : .infinity) }
        XCTAssertThrowsError(try trainer.fit()) { error in
            XCTAssertEqual("\(error)", "training stopped: validation loss became inf after epoch 3")
        }
        XCTAssertEqual(try MetricsLog.records(at: metrics, upTo: .max).map(\.epoch), [1, 2])
        let (tensors, _) = try SafeTensors.read(directory.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertEqual(tensors.first { $0.name == "trainer.epoch" }?.tensor.item(), 2)
    }
}
