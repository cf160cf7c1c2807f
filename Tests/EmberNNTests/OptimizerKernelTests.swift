import CEmberMath
import Ember
import EmberNN
import XCTest

/// The float32 optimizer updates that run in C kernels, against the float64 updates
/// (which follow PyTorch step by step, see `FixtureTests`), in every vector width.
final class OptimizerKernelTests: XCTestCase {
    /// 37 elements: two AVX-512 vectors and a tail of 5, four AVX2 vectors and a tail of 5.
    let shape = [37]

    func testAdamInFloat32MatchesFloat64InEveryVectorWidth() {
        let makers: [(String, ([Parameter]) -> Adam)] = [
            ("adam", { Adam(parameters: $0, lr: 0.01) }),
            ("adam_l2", { Adam(parameters: $0, lr: 0.01, betas: (0.8, 0.9), weightDecay: 0.1) }),
            ("adamw", { AdamW(parameters: $0, lr: 0.01, weightDecay: 0.1) }),
        ]
        let generator = Generator(seed: 7)
        let start = Tensor.randn(shape, dtype: .float64, generator: generator)
        let grads = (0..<4).map { _ in Tensor.randn(shape, dtype: .float64, generator: generator) }
        for (name, make) in makers {
            let expected = run(make, from: start, grads: grads)
            var widths: [Int32: [Float]] = [:]
            defer { ember_limit_kernel_vector_bits(512) }
            for bits: Int32 in [512, 256, 0] where ember_limit_kernel_vector_bits(bits) == bits {
                let result = run(make, from: start.to(.float32), grads: grads.map { $0.to(.float32) })
                assertClose(result, expected, tolerance: 1e-6, "\(name), \(bits)-bit kernels")
                widths[bits] = result.floats
            }
            XCTAssertEqual(Set(widths.values).count, 1, "\(name): the kernels' versions round differently")
        }
    }

    /// The parameter after one optimizer step per gradient.
    private func run(_ make: ([Parameter]) -> Adam, from start: Tensor, grads: [Tensor]) -> Tensor {
        let p = Parameter(start.clone())
        let optimizer = make([p])
        for g in grads {
            p.grad = g
            optimizer.step()
        }
        return p
    }
}
