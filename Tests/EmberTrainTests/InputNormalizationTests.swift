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
            (CNN(classes: 10, dropout: 0.5, normalization: normalization), CNN(classes: 10, dropout: 0.5)),
            (MLP(inFeatures: 784, hidden: [16], classes: 10, normalization: normalization), MLP(inFeatures: 784, hidden: [16], classes: 10)),
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

    func testMetadataCarriesTheNormalizationAndRejectsHalfOfIt() throws {
        var spec = ModelSpec(kind: .cnn)
        spec.dropout = 0.5
        spec.normalization = InputNormalization(mean: 0.2859147890270812, std: 0.3529884701174647)
        XCTAssertEqual(spec.metadata["input_mean"], "0.2859147890270812")
        XCTAssertEqual(try ModelSpec(metadata: spec.metadata), spec, "a float64 survives its text form exactly")
        let rebuilt = try ModelSpec(metadata: spec.metadata).build() as! CNN
        XCTAssertEqual(rebuilt.normalization, spec.normalization)

        var older = spec.metadata
        older["input_mean"] = nil
        older["input_std"] = nil
        XCTAssertNil(try ModelSpec(metadata: older).normalization, "files from before normalisation read pixels as they are")

        var half = spec.metadata
        half["input_std"] = nil
        XCTAssertThrowsError(try ModelSpec(metadata: half)) {
            XCTAssertEqual("\($0)", "metadata has only one of 'input_mean' and 'input_std'; a normalisation needs both")
        }
        var zero = spec.metadata
        zero["input_std"] = "0"
        XCTAssertThrowsError(try ModelSpec(metadata: zero)) {
            XCTAssertEqual("\($0)", "metadata 'input_mean' = '0.2859147890270812' and 'input_std' = '0' must be a finite mean and a positive standard deviation")
        }
    }
}
