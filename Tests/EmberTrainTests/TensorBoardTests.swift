import Foundation
import XCTest
import Ember
import EmberData
import EmberModels
import EmberNN
@testable import EmberTrain

/// TensorBoard event files, read back by TensorBoard's own reader.
final class TensorBoardTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-tb-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testCRC32CAndRecordFraming() {
        XCTAssertEqual(CRC32C.checksum(Data("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum(Data(repeating: 0, count: 32)), 0x8A91_36AA)
        let framed = TFRecord.frame(Data("abc".utf8))
        XCTAssertEqual(framed.count, 8 + 4 + 3 + 4)
        XCTAssertEqual(Array(framed.prefix(8)), [3, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(framed[12..<15]), Array("abc".utf8))
        let crc = CRC32C.checksum(Data("abc".utf8))
        let masked = ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
        XCTAssertEqual(Array(framed.suffix(4)), withUnsafeBytes(of: masked.littleEndian) { Array($0) })
    }

    /// A short training run logged by `TensorBoardLogger`, then read with TensorBoard's
    /// `EventAccumulator`: every epoch's figures at its step, the batch losses every
    /// `every` steps and the weight histograms.
    func testEventAccumulatorReadsWhatTrainingLogged() throws {
        manualSeed(1)
        let g = Generator(seed: 2)
        let labels = Tensor.randint(0, 3, [96], generator: g)
        let inputs = Tensor.randn([96, 4], generator: g) + labels.to(.float32).unsqueeze(1)
        let model = MLP(MLPConfig(inFeatures: 4, hidden: [8], classes: 3))
        let logger = try TensorBoardLogger(logDir: directory.path, every: 2, histograms: true)
        let data = TensorDataset(inputs: inputs, targets: labels)
        let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), lr: 0.05),
                              train: DataLoader(data, batchSize: 16, shuffle: true, seed: 3),
                              validation: DataLoader(data, batchSize: 48), epochs: 3, callbacks: [logger])
        try trainer.fit()

        let code = """
        import json, sys
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
        acc = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "histograms": 0})
        acc.Reload()
        tags = acc.Tags()
        print(json.dumps({
            "scalars": {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags["scalars"]},
            "histograms": {t: [[e.step, e.histogram_value.num, e.histogram_value.min, e.histogram_value.max,
                                sum(e.histogram_value.bucket)] for e in acc.Histograms(t)] for t in tags["histograms"]}}))
        """
        let output = try Python.run(code, arguments: [directory.path], requiring: "tensorboard")
        let read = try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: [String: [[Double]]]]
        let scalars = read["scalars"]!, histograms = read["histograms"]!

        let history = trainer.history
        XCTAssertEqual(history.count, 3)
        let perEpoch: [(String, (EpochRecord) -> Double?)] = [
            ("train/loss", { $0.trainLoss }), ("train/accuracy", { $0.trainAccuracy }), ("val/loss", { $0.valLoss }),
            ("val/accuracy", { $0.valAccuracy }), ("lr", { $0.lr }), ("train/samples_per_sec", { $0.samplesPerSec }),
        ]
        for (tag, value) in perEpoch {
            let points = try XCTUnwrap(scalars[tag], "no \(tag) in \(scalars.keys.sorted())")
            XCTAssertEqual(points.map { Int($0[0]) }, history.map(\.step), tag)
            for (point, record) in zip(points, history) {
                XCTAssertEqual(point[1], Double(Float(value(record)!)), accuracy: 1e-9, tag)
            }
        }
        XCTAssertNil(scalars["train/tokens_per_sec"], "a classifier has no tokens")
        // 6 batches an epoch, 18 steps: a batch-loss point at every second step.
        XCTAssertEqual(scalars["train/batch_loss"]?.map { Int($0[0]) }, Array(stride(from: 2, through: 18, by: 2)))
        XCTAssertLessThan(scalars["train/batch_loss"]!.last![1], scalars["train/batch_loss"]!.first![1])

        XCTAssertEqual(Set(histograms.keys), Set(model.namedParameters().map { "weights/\($0.name)" }))
        let weights = try XCTUnwrap(histograms["weights/0.weight"])
        XCTAssertEqual(weights.map { Int($0[0]) }, history.map(\.step))
        let last = model.namedParameters()[0].parameter
        XCTAssertEqual(weights.last![1], 32)
        XCTAssertEqual(weights.last![2], last.min().item(), accuracy: 1e-6)
        XCTAssertEqual(weights.last![3], last.max().item(), accuracy: 1e-6)
        XCTAssertEqual(weights.last![4], 32, "every value in a bucket")
    }

    func testHistogramsLeaveOutNonFiniteValuesAndSpanTheWholeRange() throws {
        let extreme = [-Double.greatestFiniteMagnitude, .nan, 0, .infinity, 1, Double.greatestFiniteMagnitude, -.infinity]
        let histogram = try XCTUnwrap(SummaryWriter.histogram(extreme, buckets: 4))
        XCTAssertEqual(histogram.num, 4)
        XCTAssertEqual(histogram.min, -.greatestFiniteMagnitude)
        XCTAssertEqual(histogram.max, .greatestFiniteMagnitude)
        XCTAssertEqual(histogram.bucket, [1, 0, 2, 1])
        XCTAssertTrue(histogram.bucketLimit.allSatisfy(\.isFinite), "\(histogram.bucketLimit)")
        XCTAssertEqual(SummaryWriter.histogram([3, 3], buckets: 30)?.bucket, [2])
        XCTAssertNil(SummaryWriter.histogram([.nan, .infinity], buckets: 30))
    }

    func testAnUnwritableFolderIsAnError() {
        XCTAssertThrowsError(try SummaryWriter(logDir: "/proc/ember-cannot-write-here")) { error in
            XCTAssertEqual("\(error)", "cannot create the folder /proc/ember-cannot-write-here")
        }
    }
}
