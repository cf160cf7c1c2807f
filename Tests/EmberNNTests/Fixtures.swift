import Foundation
import XCTest
import Ember

/// PyTorch's outputs for the layer tests, made by `Fixtures/make_fixtures.py`.
enum Fixtures {
    static let layers = load("layers.json")
    /// Made by `Fixtures/make_recurrent_fixtures.py`.
    static let recurrent = load("recurrent.json")
    /// Made by `Fixtures/make_transformer_fixtures.py`.
    static let transformer = load("transformer.json")
    /// Made by `Fixtures/make_conv1d_fixtures.py`.
    static let convolution1d = load("conv1d.json")

    private static func load(_ file: String) -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + file)
        let data = try! Data(contentsOf: url)
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// One `with_grads` case: inputs (leaves requiring grad), `r`, output and gradients.
    struct Case {
        let raw: [String: Any]
        var inputs: [Tensor] { (raw["inputs"] as! [Any]).map { tensor($0).requiringGrad() } }
        var r: Tensor { tensor(raw["r"]!) }
        var output: Tensor { tensor(raw["output"]!) }
        var grads: [Tensor] { (raw["grads"] as! [Any]).map(tensor) }
        subscript(key: String) -> Tensor { tensor(raw[key]!) }
    }

    static func `case`(_ name: String) -> Case { Case(raw: (layers[name] ?? convolution1d[name]) as! [String: Any]) }

    /// A float64 tensor from `{"shape": [...], "data": [...]}`.
    static func tensor(_ value: Any) -> Tensor {
        let dict = value as! [String: Any]
        let shape = (dict["shape"] as! [NSNumber]).map(\.intValue)
        let data = (dict["data"] as! [NSNumber]).map(\.doubleValue)
        return Tensor(data, shape: shape)
    }
}

/// Asserts shape and values of `t` against `expected` within `tolerance`.
func assertClose(_ t: Tensor, _ expected: Tensor, tolerance: Double = 1e-9, _ what: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(t.shape, expected.shape, "\(what) shape", file: file, line: line)
    let a = t.doubles, b = expected.doubles
    guard a.count == b.count else { return }
    let worst = largestDifference(a, b)
    XCTAssertLessThanOrEqual(worst, tolerance, "\(what) differs by \(worst)", file: file, line: line)
}

/// The largest `|a[i] − b[i]|`; NaN when either side holds a NaN anywhere, so that a
/// check `worst <= tolerance` fails on it (`Array.max()` would skip the NaN).
func largestDifference(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0.0) { worst, pair in
        let difference = abs(pair.0 - pair.1)
        return worst.isNaN || difference.isNaN ? .nan : Swift.max(worst, difference)
    }
}

/// Runs `f` on a fixture's inputs and checks the output and the gradients of
/// `sum(output · r)` against PyTorch's.
func assertMatchesFixture(_ name: String, tolerance: Double = 1e-9, file: StaticString = #filePath, line: UInt = #line,
                          _ f: ([Tensor]) -> Tensor) {
    let c = Fixtures.case(name)
    let inputs = c.inputs
    let y = f(inputs)
    assertClose(y, c.output, tolerance: tolerance, "\(name) output", file: file, line: line)
    (y * c.r).sum().backward()
    for (i, (x, g)) in zip(inputs, c.grads).enumerated() {
        assertClose(x.grad ?? Tensor.zeros(x.shape, dtype: .float64), g, tolerance: tolerance, "\(name) gradient \(i)", file: file, line: line)
    }
}
