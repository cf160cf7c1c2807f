import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import Ember
import EmberData
import EmberModels
import EmberNN
@testable import EmberTrain

/// Charts of training curves: round ticks, well-formed SVG with a line and a legend
/// entry per series, and the logs they are drawn from.
final class TrainingCurvesTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-curves-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testTicksAreRoundAndCoverTheData() {
        XCTAssertEqual(LineChart.ticks([0.31, 2.27]), [0, 0.5, 1, 1.5, 2, 2.5])
        XCTAssertEqual(LineChart.ticks([0, 1719]), [0, 500, 1000, 1500, 2000])
        XCTAssertEqual(LineChart.ticks([77.5, 89.3]), [76, 78, 80, 82, 84, 86, 88, 90])
        XCTAssertEqual(LineChart.ticks([0, 10_320]), [0, 2000, 4000, 6000, 8000, 10_000, 12_000], "not 0…15,000")
        XCTAssertEqual(LineChart.ticks([5, 5]), [2, 3, 4, 5, 6, 7, 8], "a flat series still gets an axis")
        XCTAssertEqual(LineChart.label(12_500, step: 2500), "12.5k")
        XCTAssertEqual(LineChart.label(2000, step: 2000), "2k")
        XCTAssertEqual(LineChart.label(0, step: 2000), "0")
        XCTAssertEqual(LineChart.label(0.25, step: 0.05), "0.25")
        XCTAssertEqual(LineChart.label(1500, step: 500), "1500")
    }

    /// Records of two epochs and finer losses, for a run without and with accuracies.
    private func log(name: String, accuracy: Bool) -> RunLog {
        let epochs = [(1, 50, 0.9, 0.8), (2, 100, 0.5, 0.55)].map { epoch, step, train, val in
            EpochRecord(epoch: epoch, step: step, trainLoss: train, trainAccuracy: accuracy ? 0.7 + 0.1 * Double(epoch) : nil,
                        valLoss: val, valAccuracy: accuracy ? 0.75 + 0.1 * Double(epoch) : nil, lr: 1e-3, samplesPerSec: 1000,
                        elapsedS: Double(epoch))
        }
        return RunLog(name: name, epochs: epochs, steps: (1...10).map { StepRecord(step: 10 * $0, trainLoss: 2 / Double($0)) })
    }

    private func elements(_ svg: String) throws -> [(name: String, attributes: [String: String], text: String)] {
        final class Collector: NSObject, XMLParserDelegate {
            var found: [(name: String, attributes: [String: String], text: String)] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) { found.append((name, attributes, "")) }
            func parser(_ parser: XMLParser, foundCharacters string: String) { found[found.count - 1].text += string }
        }
        let parser = XMLParser(data: Data(svg.utf8)), collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "well-formed XML: \(String(describing: parser.parserError))")
        // Characters after an element's end (newlines between elements) land on it too.
        return collector.found.map { ($0.name, $0.attributes, $0.text.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    func testOneRunGivesLossAndAccuracyPanelsWithLegends() throws {
        let svg = TrainingCurves.chart([log(name: "run", accuracy: true)], title: "cnn <fast> & small").svg()
        let found = try elements(svg)
        let texts = found.filter { $0.name == "text" }.map(\.text)
        XCTAssertEqual(found.first?.name, "svg")
        XCTAssertTrue(texts.contains("cnn <fast> & small"), "the title, read back through escaping")
        for label in ["Loss", "Accuracy", "step", "loss", "accuracy (%)"] { XCTAssertTrue(texts.contains(label), label) }
        XCTAssertEqual(texts.filter { $0 == "train" }.count, 2, "a legend entry in each panel")
        XCTAssertEqual(texts.filter { $0 == "validation" }.count, 2)
        let lines = found.filter { $0.name == "polyline" }
        XCTAssertEqual(lines.count, 4, "train and validation, loss and accuracy")
        XCTAssertEqual(lines[0].attributes["points"]?.split(separator: " ").count, 10, "the fine training loss")
        XCTAssertEqual(lines[1].attributes["points"]?.split(separator: " ").count, 2, "validation per epoch")
        XCTAssertNotEqual(lines[0].attributes["stroke"], lines[1].attributes["stroke"])
        XCTAssertTrue(texts.contains("0") && texts.contains("100"), "the step axis starts at 0")
    }

    func testSeveralRunsGetAColourEachAndNoAccuracyPanelWithoutAccuracies() throws {
        let found = try elements(TrainingCurves.chart([log(name: "a", accuracy: false), log(name: "b", accuracy: false)], title: "t").svg())
        let texts = found.filter { $0.name == "text" }.map(\.text)
        XCTAssertFalse(texts.contains("Accuracy"))
        XCTAssertEqual(Set(texts).intersection(["a train", "a validation", "b train", "b validation"]).count, 4)
        let lines = found.filter { $0.name == "polyline" }
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(lines[0].attributes["stroke"], lines[1].attributes["stroke"], "one colour per run")
        XCTAssertNotEqual(lines[0].attributes["stroke"], lines[2].attributes["stroke"])
        XCTAssertNotNil(lines[0].attributes["stroke-dasharray"], "training dashed")
        XCTAssertNil(lines[1].attributes["stroke-dasharray"], "validation solid")
    }

    func testRunLogReadsARunDirectoryAndNamesABrokenLine() throws {
        XCTAssertThrowsError(try RunLog(directory: directory)) { error in
            XCTAssertEqual("\(error)", "\(directory.path) is not a run directory: it has no readable metrics.jsonl")
        }
        let metrics = MetricsLog(url: directory.appendingPathComponent("metrics.jsonl"))
        for record in log(name: "x", accuracy: true).epochs { try metrics.append(record) }
        let read = try RunLog(directory: directory)
        XCTAssertEqual(read.epochs, log(name: "x", accuracy: true).epochs)
        XCTAssertEqual(read.steps, [])
        XCTAssertEqual(read.name, directory.lastPathComponent)
        try Data("{\"step\": 10, \"train_loss\": 1}\nnot json\n".utf8).write(to: directory.appendingPathComponent("steps.jsonl"))
        XCTAssertThrowsError(try RunLog(directory: directory)) { error in
            XCTAssertEqual("\(error)", "\(directory.path)/steps.jsonl: line 2 is not a step record")
        }
    }

    /// A trainer with `StepLog` and `CurvesPlot` leaves both files, and a resumed run
    /// drops the points logged after its checkpoint before adding its own.
    func testStepLogAndCurvesPlotFollowTraining() throws {
        manualSeed(0)
        let g = Generator(seed: 1)
        let data = TensorDataset(inputs: Tensor.randn([64, 3], generator: g), targets: Tensor.randint(0, 2, [64], generator: g))
        let model = MLP(MLPConfig(inFeatures: 3, hidden: [4], classes: 2))
        let steps = directory.appendingPathComponent("steps.jsonl")
        let trainer = Trainer(model: model, optimizer: SGD(parameters: model.parameters(), lr: 0.1),
                              train: DataLoader(data, batchSize: 8), validation: DataLoader(data, batchSize: 64), epochs: 2,
                              callbacks: [MetricsLog(url: directory.appendingPathComponent("metrics.jsonl")),
                                          StepLog(url: steps, every: 3), CurvesPlot(directory: directory, title: "t")])
        try trainer.fit()
        XCTAssertEqual(try StepLog.records(at: steps).map(\.step), [3, 6, 9, 12, 15])
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("curves.svg").path))

        // As if the run had stopped after step 16 and resumed from a checkpoint at step 8.
        let resumed = Trainer(model: model, optimizer: SGD(parameters: model.parameters(), lr: 0.1),
                              train: DataLoader(data, batchSize: 8), epochs: 2, callbacks: [StepLog(url: steps, every: 3)])
        try resumed.restore(checkpoint: Dictionary(uniqueKeysWithValues: trainer.checkpointState().map { ($0.name, $0.tensor) })
                                .merging(["trainer.epoch": Tensor([Int64(1)], shape: []), "trainer.step": Tensor([Int64(8)], shape: [])]) { $1 },
                            history: Array(trainer.history.prefix(1)))
        try resumed.fit()
        XCTAssertEqual(try StepLog.records(at: steps).map(\.step), [3, 6, 9, 12, 15])
    }
}
