import XCTest
import Ember
import EmberModels
import EmberNN

/// The input standardisation of the MLP and CNN: its statistics, its place in the
/// models, and its travel through a model file's `__metadata__`.
final class InputNormalizationTests: XCTestCase {
    func testFittingTakesTheMeanAndPopulationStandardDeviationOfEveryElement() {
        let images = Tensor([0, 1, 2, 3, 4, 5, 6, 7] as [Float], shape: [2, 1, 2, 2])
        let normalization = InputNormalization(fitting: images)
        XCTAssertEqual(normalization.mean, 3.5)
        XCTAssertEqual(normalization.std, 5.25.squareRoot(), accuracy: 1e-12)   // Σ(x − 3.5)² / 8 = 42 / 8
        let standardized = normalization(images)
        XCTAssertEqual(standardized.dtype, .float32)
        XCTAssertEqual(standardized.shape, [2, 1, 2, 2])
        XCTAssertEqual(standardized.doubles[0], -3.5 / 5.25.squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(standardized.doubles[7], 3.5 / 5.25.squareRoot(), accuracy: 1e-6)

        let blank = InputNormalization(fitting: Tensor.full([2, 1, 2, 2], 0.25))
        XCTAssertEqual(blank, InputNormalization(mean: 0.25, std: 1), "equal pixels are only centred")
    }

    /// A model with a normalisation reads raw pixels as the same model without one reads
    /// standardised pixels; the normalisation adds no parameters.
    func testModelsStandardizeTheirInputBeforeTheFirstLayer() throws {
        let normalization = InputNormalization(mean: 0.3, std: 0.4)
        let x = Tensor.rand([3, 1, 28, 28], generator: Generator(seed: 1))
        manualSeed(2)
        let pairs: [(any Layer, any Layer)] = [
            (CNN(CNNConfig(normalization: normalization)), CNN(CNNConfig())),
            (MLP(MLPConfig(hidden: [16], normalization: normalization)), MLP(MLPConfig(hidden: [16]))),
        ]
        for (normalizing, plain) in pairs {
            XCTAssertEqual(normalizing.stateDict().map(\.name), plain.stateDict().map(\.name))
            try plain.loadStateDict(Dictionary(uniqueKeysWithValues: normalizing.stateDict().map { ($0.name, $0.tensor) }))
            normalizing.eval()
            plain.eval()
            let difference: Double = withNoGrad { (normalizing(x) - plain((x - 0.3) / 0.4)).abs().max().item() }
            XCTAssertLessThan(difference, 1e-5)
            let unnormalized: Double = withNoGrad { (normalizing(x) - plain(x)).abs().max().item() }
            XCTAssertGreaterThan(unnormalized, 1e-2, "the normalisation changes what the model computes")
        }
    }

    func testModelFilesCarryTheNormalizationAndRejectHalfOfIt() throws {
        let config = CNNConfig(normalization: InputNormalization(mean: 0.2859147890270812, std: 0.3529884701174647))
        let model = config.build()
        let file = try ModelFile(contentsOf: temporaryModelFile(model.stateDict(), metadata: ModelFile.metadata(.cnn(config))))
        XCTAssertEqual(file.config, AnyModelConfig.cnn(config), "a float64 survives the JSON exactly")
        XCTAssertEqual((try file.model() as? CNN)?.normalization, config.normalization)

        // The first format: two metadata strings, both or neither.
        var first = ["model": "cnn", "format": "ember-classifier-1", "classes": "10", "dropout": "0.5", "batch_norm": "false",
                     "input_mean": "0.2859147890270812", "input_std": "0.3529884701174647"]
        XCTAssertEqual(try ModelFile(contentsOf: temporaryModelFile(model.stateDict(), metadata: first)).config, AnyModelConfig.cnn(config))
        var older = first
        older["input_mean"] = nil
        older["input_std"] = nil
        guard case let .cnn(plain) = try ModelFile(contentsOf: temporaryModelFile(model.stateDict(), metadata: older)).config else {
            return XCTFail("a CNN file")
        }
        XCTAssertNil(plain.normalization, "files from before normalisation read pixels as they are")
        first["input_std"] = nil
        XCTAssertThrowsError(try ModelFile(contentsOf: temporaryModelFile([], metadata: first))) {
            XCTAssertTrue("\($0)".hasSuffix(": metadata has only one of 'input_mean' and 'input_std'; a normalisation needs both"), "\($0)")
        }
        first["input_std"] = "0"
        XCTAssertThrowsError(try ModelFile(contentsOf: temporaryModelFile([], metadata: first))) {
            XCTAssertTrue("\($0)".hasSuffix(": metadata 'input_mean' = '0.2859147890270812' and 'input_std' = '0' must be a finite mean and a positive standard deviation"), "\($0)")
        }
        // A zero standard deviation in today's format is refused too.
        let zero = #"{"kind":"cnn","classes":10,"dropout":0.5,"batch_norm":false,"normalization":{"mean":0.3,"std":0}}"#
        XCTAssertThrowsError(try ModelFile(contentsOf: temporaryModelFile([], metadata: ["format": ModelFile.format, "model": "cnn", "config": zero]))) {
            XCTAssertTrue("\($0)".hasSuffix("normalization needs a finite mean and a positive standard deviation, got mean 0.3 and std 0.0"), "\($0)")
        }
    }
}
