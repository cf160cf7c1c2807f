extension Tensor {
    /// Computes the gradient of this scalar with respect to every leaf that requires
    /// one, adding it to the leaf's `grad` (PyTorch's `loss.backward()`).
    ///
    /// - Parameters:
    ///   - gradient: upstream gradient shaped as `self`; may be omitted for a scalar.
    ///   - retainGraph: keep the graph so `backward` can run through it again.
    ///   - createGraph: record the backward pass itself, so the gradients can be
    ///     differentiated again (Hessian-vector products, gradient penalties).
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false) {
        precondition(requiresGrad, "backward: tensor does not require grad and has no gradFn")
        let seed: Tensor
        if let gradient {
            precondition(gradient.shape == shape, OpMessage.mismatch(op: "backward", shape, gradient.shape))
            seed = gradient
        } else {
            precondition(numel == 1, "backward: gradient can be implied only for a scalar, got shape \(OpMessage.format(shape))")
            seed = Tensor.ones(shape, dtype: dtype)
        }
        withGradMode(createGraph) {
            runBackward(seed: seed, retainGraph: retainGraph || createGraph)
        }
    }

    private func runBackward(seed: Tensor, retainGraph: Bool) {
        guard let root = gradFn else {
            var claimed: Set<ObjectIdentifier> = [ObjectIdentifier(seed.storage)]
            accumulate(seed, claimed: &claimed)
            for hook in postAccumulateGradHooks { hook(self) }
            return
        }
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        // Storage already handed out as a leaf's gradient (or the caller's seed): a leaf
        // gets a copy instead, so updating one gradient in place never changes another.
        var claimed: Set<ObjectIdentifier> = [ObjectIdentifier(seed.storage)]
        let order = Tensor.reverseTopologicalOrder(from: root)
        var hooked = HookedLeaves(order)
        for node in order {
            guard let grad = pending.removeValue(forKey: ObjectIdentifier(node)) else {
                for input in node.inputs { hooked.arrived(input) }
                continue
            }
            guard let rule = node.rule else {
                preconditionFailure("backward: the graph through '\(node.name)' was already freed; pass retainGraph: true to the first backward")
            }
            let inputGrads = rule(grad)
            let inputs = node.inputs
            if !retainGraph { node.release() }
            for (input, g) in zip(inputs, inputGrads) {
                defer { hooked.arrived(input) }
                guard input.requiresGrad, var g else { continue }
                if g.shape != input.shape { g = g.sumTo(input.shape) }
                if let parent = input.gradFn {
                    let key = ObjectIdentifier(parent)
                    pending[key] = pending[key].map { $0 + g } ?? g
                } else {
                    input.accumulate(g, claimed: &claimed)
                }
            }
        }
    }

    /// The leaves of a backward pass that have post-accumulate hooks, each with the
    /// number of the graph's edges still to reach it: when the last one has, its
    /// gradient is complete and its hooks run (while the pass goes on to other nodes).
    private struct HookedLeaves {
        private var waiting: [ObjectIdentifier: Int] = [:]

        /// Counts the edges into hooked leaves; nothing to count (and nothing done per
        /// edge after) while no tensor in the process has a hook.
        init(_ order: [Node]) {
            guard GradHooks.registered.load(ordering: .relaxed) > 0 else { return }
            for node in order {
                for input in node.inputs where input.gradFn == nil && !input.postAccumulateGradHooks.isEmpty {
                    waiting[ObjectIdentifier(input), default: 0] += 1
                }
            }
        }

        /// One edge of the graph reached `input` (with a gradient or without).
        mutating func arrived(_ input: Tensor) {
            guard !waiting.isEmpty, input.gradFn == nil, !input.postAccumulateGradHooks.isEmpty, let left = waiting[ObjectIdentifier(input)] else { return }
            if left > 1 {
                waiting[ObjectIdentifier(input)] = left - 1
                return
            }
            waiting[ObjectIdentifier(input)] = nil
            if input.grad != nil { for hook in input.postAccumulateGradHooks { hook(input) } }
        }
    }

    /// Adds `g` to a leaf's `grad`. Without `createGraph`, the stored gradient owns its
    /// storage (it is `g` itself when nothing else holds that storage, else a copy), so
    /// optimizers and clipping may update it in place.
    private func accumulate(_ g: Tensor, claimed: inout Set<ObjectIdentifier>) {
        guard requiresGrad else { return }
        if let existing = grad {
            grad = existing + g
        } else if GradMode.isEnabled || (g.isContiguous && g.offset == 0 && g.numel * g.dtype.itemSize == g.storage.byteCount
                                         && claimed.insert(ObjectIdentifier(g.storage)).inserted) {
            grad = g
        } else {
            grad = g.contiguousCopy()
        }
    }

    /// Nodes reachable from `root`, each after every node that consumes its output.
    /// Iterative, so deep graphs (long RNN unrolls) cannot overflow the stack.
    private static func reverseTopologicalOrder(from root: Node) -> [Node] {
        var order: [Node] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack: [(node: Node, next: Int)] = [(root, 0)]
        while let (node, next) = stack.last {
            if next < node.inputs.count {
                stack[stack.count - 1].next += 1
                if let child = node.inputs[next].gradFn, visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                order.append(node)
                stack.removeLast()
            }
        }
        return order.reversed()
    }
}
