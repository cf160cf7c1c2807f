import Ember

/// Updates parameters from their gradients (PyTorch's `torch.optim.Optimizer`).
///
/// State lives in tensors per parameter (momentum buffers, moment estimates), so it can
/// be saved in a checkpoint with `stateDict()` and restored with `loadStateDict(_:)`.
public protocol Optimizer: AnyObject {
    /// The parameters updated, in order; state is keyed by position in this list.
    var parameters: [Parameter] { get }
    /// Learning rate of the next step (set it from a schedule).
    var lr: Double { get set }
    /// Per-parameter state by name (`exp_avg`, `momentum_buffer`, …).
    var state: [[String: Tensor]] { get set }
    /// Applies one update from the current gradients; parameters without a gradient
    /// are skipped.
    func step()
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for p in parameters { p.grad = nil }
    }

    /// The state as flat names (`state.0.exp_avg`, …, `lr`), for checkpoints.
    public func stateDict() -> [String: Tensor] {
        var out: [String: Tensor] = ["lr": Tensor(scalar: lr, dtype: .float64)]
        for (i, entries) in state.enumerated() {
            for (name, t) in entries { out["state.\(i).\(name)"] = t }
        }
        return out
    }

    /// Restores a state saved by `stateDict()`; throws, changing nothing, if it does not
    /// fit these parameters.
    public func loadStateDict(_ saved: [String: Tensor]) throws {
        var restored = [[String: Tensor]](repeating: [:], count: parameters.count)
        for (key, t) in saved where key != "lr" {
            let parts = key.split(separator: ".", maxSplits: 2)
            guard parts.count == 3, parts[0] == "state", let i = Int(parts[1]), i >= 0, i < parameters.count else {
                throw OptimizerStateError("unexpected entry '\(key)' for \(parameters.count) parameters")
            }
            let name = String(parts[2])
            if name != "step" && t.shape != parameters[i].shape {
                throw OptimizerStateError("'\(key)' has shape \(OpMessage.format(t.shape)), parameter \(i) has \(OpMessage.format(parameters[i].shape))")
            }
            restored[i][name] = name == "step" ? t.to(.float64) : t.to(parameters[i].dtype).contiguous()
        }
        guard let lr = saved["lr"], lr.numel == 1 else { throw OptimizerStateError("missing 'lr'") }
        self.lr = lr.item()
        state = restored
    }
}

/// Why an optimizer state could not be restored.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let description: String
    init(_ message: String) { description = "cannot load optimizer state: " + message }
}

/// A tensor of zeros shaped as `p`, for a fresh state entry.
func zerosLike(_ p: Parameter) -> Tensor { Tensor.zeros(p.shape, dtype: p.dtype) }

/// One optimizer's update of one parameter, as a loop over raw elements: `p` the
/// parameter, `g` its gradient, `s` its state tensors in the order the optimizer keeps.
protocol ElementwiseUpdate {
    func apply<T: BinaryFloatingPoint>(_ n: Int, _ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                       _ s: [UnsafeMutablePointer<T>])
}

extension ElementwiseUpdate {
    /// Applies the update to `p` in place, in its dtype.
    func run(_ p: Parameter, grad: Tensor, state: [Tensor]) {
        let tensors = [p as Tensor, grad.to(p.dtype).contiguous()] + state
        switch p.dtype {
        case .float32: Tensor.withUnsafeMutablePointers(tensors, as: Float.self) { split(p.numel, $0) }
        case .float64: Tensor.withUnsafeMutablePointers(tensors, as: Double.self) { split(p.numel, $0) }
        default:
            preconditionFailure("optimizer: parameter dtype \(p.dtype) is not floating point")
        }
    }

    /// Applies the update over parts of the elements in parallel.
    private func split<T: BinaryFloatingPoint>(_ n: Int, _ pointers: [UnsafeMutablePointer<T>]) {
        parallelFor(n) { range in
            let part = pointers.map { $0 + range.lowerBound }
            apply(range.count, part[0], part[1], Array(part[2...]))
        }
    }
}

/// Parameters that share optimizer settings (PyTorch's param groups).
public struct ParameterGroup {
    /// The parameters.
    public var parameters: [Parameter]
    /// Their weight decay; nil takes the optimizer's.
    public var weightDecay: Double?

    /// A group of `parameters`, with its own weight decay if given.
    public init(_ parameters: [Parameter], weightDecay: Double? = nil) {
        self.parameters = parameters
        self.weightDecay = weightDecay
    }
}
