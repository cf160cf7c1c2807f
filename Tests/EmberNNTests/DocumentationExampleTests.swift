import XCTest
import Ember
import EmberNN

/// The DocC articles' complete examples, kept true: "Getting started" fits a linear
/// layer, and "Writing a module" names its parameters as it says.
final class DocumentationExampleTests: XCTestCase {
    func testGettingStartedFitsTheLinearLayer() {
        manualSeed(0)
        let x = Tensor.randn([256, 3])                                      // [256, 3]
        let y = x.matmul(Tensor([2, -1, 0.5] as [Float])) + 1               // [256]
        let model = Linear(inFeatures: 3, outFeatures: 1)                   // [N, 3] -> [N, 1]
        let optimizer = SGD(parameters: model.parameters(), lr: 0.1)
        for _ in 0..<200 {
            let loss = mseLoss(model(x).reshape([-1]), y)
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
        }
        XCTAssertEqual(model.weight.doubles, [2, -1, 0.5], accuracy: 1e-3)
        XCTAssertEqual(model.bias!.doubles, [1], accuracy: 1e-3)
    }

    /// A two-layer classifier: [N, 784] -> [N, 10].
    final class Classifier: Module, Layer {
        let fc1 = Linear(inFeatures: 784, outFeatures: 128)
        let dropout = Dropout(p: 0.2)
        let fc2 = Linear(inFeatures: 128, outFeatures: 10)

        func callAsFunction(_ x: Tensor) -> Tensor {
            fc2(dropout(fc1(x).relu()))
        }
    }

    func testWritingAModuleNamesAndCountsItsParameters() {
        let model = Classifier()
        XCTAssertEqual(model.namedParameters().map(\.name), ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        XCTAssertEqual(model.parameterCount, 101_770)
        XCTAssertEqual(model(Tensor.randn([5, 784])).shape, [5, 10])
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
