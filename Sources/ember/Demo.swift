import ArgumentParser
import Ember

/// `ember demo`: learning with autograd, from first principles. A perceptron learns a
/// linearly separable problem with Rosenblatt's rule, then a two-layer network learns
/// XOR (which no single perceptron can) by backpropagation and gradient descent.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train a perceptron and a small network with autograd.")

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Gradient-descent steps for the XOR network.")
    var steps: Int = 2000

    @Option(help: "Learning rate for the XOR network.")
    var lr: Double = 0.5

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps must be positive") }
        guard lr > 0 else { throw ValidationError("--lr must be positive") }
    }

    func run() throws {
        manualSeed(seed)
        perceptron()
        print("")
        xorNetwork()
    }

    /// Rosenblatt's rule on 200 points labelled by which side of a line they fall on:
    /// w ← w + (y − ŷ) x for each misclassified point, until an epoch has no mistakes.
    private func perceptron() {
        print("Perceptron, step activation, perceptron learning rule")
        let n = 200
        // Points on either side of the line 0.8 u − v + 0.1 = 0, pushed 0.2 away from it
        // so the classes are separated by a margin and the rule converges.
        let raw = Tensor.uniform([n, 2], low: -1, high: 1)                     // [n, 2]
        let u = raw.select(dim: 1, index: 0), v = raw.select(dim: 1, index: 1) // [n]
        let side = (u * 0.8 - v + 0.1).sign()                                  // [n]
        let x = Tensor.stack([u, v - side * 0.2], dim: 1)                      // [n, 2]
        let labels = side.gt(0).to(.float32)                                   // [n]
        let w = Tensor.zeros([2]), b = Tensor.zeros([])
        for epoch in 1...100 {
            var mistakes = 0
            for i in 0..<n {
                let xi = x[i]                                                  // [2]
                let prediction = (xi.matmul(w) + b).ge(0).to(.float32)         // []
                let error = labels[i] - prediction                             // []
                if error.item() != 0 {
                    mistakes += 1
                    w += xi * error
                    b += error
                }
            }
            let accuracy = (x.matmul(w) + b).ge(0).to(.float32).eq(labels).to(.float32).mean().item()
            print("  epoch \(epoch): \(mistakes) mistakes, accuracy \(percent(accuracy))")
            if mistakes == 0 { break }
        }
        print("  learned w = \(w.floats.map { String(format: "%.3f", $0) }), b = \(String(format: "%.3f", b.item()))")
    }

    /// A 2-8-1 network (tanh hidden layer, sigmoid output) trained on XOR with binary
    /// cross-entropy; every gradient comes from `loss.backward()`.
    private func xorNetwork() {
        print("Two-layer network on XOR, tanh hidden layer, sigmoid output, gradient descent")
        let x = Tensor([0, 0, 0, 1, 1, 0, 1, 1] as [Float], shape: [4, 2])
        let y = Tensor([0, 1, 1, 0] as [Float], shape: [4, 1])
        let w1 = (Tensor.randn([2, 8]) * 1.0).requiringGrad(), b1 = Tensor.zeros([8]).requiringGrad()
        let w2 = (Tensor.randn([8, 1]) * 0.5).requiringGrad(), b2 = Tensor.zeros([1]).requiringGrad()
        let parameters = [w1, b1, w2, b2]
        for step in 1...steps {
            let hidden = (x.matmul(w1) + b1).tanh()                           // [4, 8]
            let p = (hidden.matmul(w2) + b2).sigmoid().clamp(min: 1e-7, max: 1 - 1e-7) // [4, 1]
            let loss = -(y * p.log() + (1.0 - y) * (1.0 - p).log()).mean()    // []
            for t in parameters { t.grad = nil }
            loss.backward()
            withNoGrad {
                for t in parameters { t -= t.grad! * lr }
            }
            if step == 1 || step % (steps / 10) == 0 {
                print("  step \(step): loss \(String(format: "%.4f", loss.item()))")
            }
        }
        let p = withNoGrad { ((x.matmul(w1) + b1).tanh().matmul(w2) + b2).sigmoid() }
        for i in 0..<4 {
            let input = x[i].floats.map { Int($0) }
            print("  xor\(input) = \(Int(y[i].item())): predicted \(String(format: "%.3f", p[i].item()))")
        }
    }

    private func percent(_ v: Double) -> String { String(format: "%.1f%%", 100 * v) }
}
