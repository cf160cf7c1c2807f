import Ember
import EmberData
import EmberNN
import EmberTrain
import XCTest

/// Counting answers by true and predicted class, as scikit-learn's confusion_matrix
/// (rows are the truth), its table and its SVG.
final class ConfusionMatrixTests: XCTestCase {
    func testCountsAreByTruthThenPrediction() {
        var matrix = ConfusionMatrix(labels: ["cat", "dog", "<bird>"])
        // sklearn.metrics.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2]) = [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
        matrix.add(predictions: [0, 1, 1, 2, 0, 2], targets: [0, 0, 1, 2, 2, 2])
        XCTAssertEqual(matrix.counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
        XCTAssertEqual(matrix.total, 6)
        XCTAssertEqual(matrix.accuracy, 4.0 / 6.0, accuracy: 1e-12)
        XCTAssertEqual(ConfusionMatrix(labels: ["a"]).accuracy, 0, "empty")

        XCTAssertEqual(matrix.table(), """
            true \\ predicted     0     1     2   recall
            0 cat                1     1     0    50.0%
            1 dog                0     1     0   100.0%
            2 <bird>             1     0     2    66.7%
            """)
        let svg = matrix.svg(title: "pets & birds")
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        XCTAssertTrue(svg.contains("pets &amp; birds") && svg.contains("&lt;bird&gt;") && !svg.contains("<bird>"))
        XCTAssertEqual(svg.components(separatedBy: "<rect x=").count - 1, 9, "a cell for each pair")
        XCTAssertEqual(svg.components(separatedBy: "fill=\"rgb(0,80,255)\"").count - 1, 1, "dog's full row is the one darkest cell")
    }

    /// A model's answers on a loader: a fixed linear map whose largest logit is known.
    func testAModelsAnswersOnALoader() {
        let model = Linear(inFeatures: 2, outFeatures: 2, bias: false)
        withNoGrad { model.weight.copy(from: Tensor([1, 0, 0, 1] as [Float], shape: [2, 2])) }
        let data = TensorDataset(inputs: Tensor([3, 1, 0, 2, 5, 4, 1, 9] as [Float], shape: [4, 2]), targets: Tensor([0, 1, 1, 1] as [Int64]))
        let matrix = ConfusionMatrix.of(model, on: DataLoader(data, batchSize: 3), labels: ["x", "y"])
        XCTAssertEqual(matrix.counts, [[1, 0], [1, 2]])
    }
}
