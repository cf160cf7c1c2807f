import Ember
import EmberNN
import XCTest

/// `conv1d`, `padLast`, `adaptiveAvgPool1d` and the `Conv1d` layer against PyTorch
/// (`Fixtures/make_conv1d_fixtures.py`): outputs and every gradient, in float64.
final class Conv1dFixtureTests: XCTestCase {
    func testFunctionalFormsMatchPyTorch() {
        assertMatchesFixture("conv1d") { $0[0].conv1d(weight: $0[1], bias: $0[2], stride: 2, padding: 1, dilation: 2) }
        assertMatchesFixture("conv1d_groups") { $0[0].conv1d(weight: $0[1], bias: $0[2], padding: 1, groups: 2) }
        for mode in PaddingMode.allCases {
            assertMatchesFixture("pad_\(mode.rawValue)") { $0[0].padLast(left: 3, right: 2, mode: mode) }
        }
        assertMatchesFixture("adaptive_avg_pool1d") { $0[0].adaptiveAvgPool1d(outputSize: 4) }
    }

    /// The layer with the fixture's weights: its output and the gradients of the input,
    /// weight and bias.
    func testTheLayerMatchesPyTorchForEveryPadding() throws {
        let layers: [(String, Conv1d)] = [
            ("conv1d_same_even_kernel", Conv1d(inChannels: 2, outChannels: 3, kernelSize: 4, padding: Conv1d.same, dtype: .float64)),
            ("conv1d_same_dilated", Conv1d(inChannels: 2, outChannels: 3, kernelSize: 3, padding: Conv1d.same, dilation: 2, dtype: .float64)),
            ("conv1d_same_reflect", Conv1d(inChannels: 2, outChannels: 3, kernelSize: 4, padding: Conv1d.same, paddingMode: .reflect, dtype: .float64)),
        ] + PaddingMode.allCases.map {
            ("conv1d_\($0.rawValue)", Conv1d(inChannels: 2, outChannels: 3, kernelSize: 5, padding: 2, paddingMode: $0, dtype: .float64))
        }
        for (name, layer) in layers {
            let c = Fixtures.case(name)
            let inputs = c.inputs
            try layer.loadStateDict(["weight": inputs[1].detach(), "bias": inputs[2].detach()])
            let x = inputs[0]
            let y = layer(x)
            assertClose(y, c.output, tolerance: 1e-9, "\(name) output")
            (y * c.r).sum().backward()
            assertClose(try XCTUnwrap(x.grad), c.grads[0], tolerance: 1e-9, "\(name) input gradient")
            assertClose(try XCTUnwrap(layer.weight.grad), c.grads[1], tolerance: 1e-9, "\(name) weight gradient")
            assertClose(try XCTUnwrap(layer.bias?.grad), c.grads[2], tolerance: 1e-9, "\(name) bias gradient")
        }
        XCTAssertEqual(Conv1d(inChannels: 1, outChannels: 1, kernelSize: 3).stateDict().map(\.name), ["weight", "bias"])
        XCTAssertEqual(AdaptiveAvgPool1d(outputSize: 2)(Tensor([1, 2, 3, 4] as [Float], shape: [1, 1, 4])).floats, [1.5, 3.5])
    }
}
