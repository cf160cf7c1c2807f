import Synchronization

/// How many post-accumulate hooks this process has registered, so that a backward pass
/// without any skips looking for them.
enum GradHooks {
    static let registered = Atomic<Int>(0)
}

extension Tensor {
    /// Calls `hook` with this leaf during every `backward()` that reaches it, as soon as
    /// its `grad` holds the whole of that pass's gradient (every use of the leaf summed),
    /// while the pass goes on through the rest of the graph. Data-parallel training
    /// starts averaging a bucket of gradients across processes there, so communication
    /// overlaps the remaining computation. PyTorch's `register_post_accumulate_grad_hook`.
    public func registerPostAccumulateGradHook(_ hook: @escaping (Tensor) -> Void) {
        precondition(isLeaf && requiresGrad, "registerPostAccumulateGradHook: only a leaf that requires grad accumulates one (shape \(OpMessage.format(shape)))")
        postAccumulateGradHooks.append(hook)
        GradHooks.registered.add(1, ordering: .relaxed)
    }
}
