/// One recorded op in the autograd graph: the tensors it read and a rule that maps the
/// gradient of its output to gradients of those inputs (the chain rule for one op).
///
/// A node holds its inputs, never its output, so the graph is a DAG of strong
/// references from results back to leaves; `backward()` drops each node's rule and
/// inputs once it has run, freeing what the forward pass saved.
final class Node {
    /// Op name, for messages and printing (`"mul"`, `"matmul"`).
    let name: String
    /// The tensors the op read, in the order the rule returns gradients for them.
    private(set) var inputs: [Tensor]
    /// Output gradient in, one gradient (or nil) per input out. Gradients may have the
    /// broadcast shape of the output; the engine sums them down to each input's shape.
    private(set) var rule: ((Tensor) -> [Tensor?])?

    init(name: String, inputs: [Tensor], rule: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.rule = rule
    }

    /// Frees the saved tensors once the rule has been applied.
    func release() {
        rule = nil
        inputs = []
    }
}

extension Tensor {
    /// Records `name` as the op that made `self` from `inputs`, if any input requires a
    /// gradient and grad mode is on. Returns `self` for chaining.
    ///
    /// The rule runs during `backward()`. Write it with Tensor ops so that gradients of
    /// gradients work (`backward(createGraph: true)`).
    @discardableResult
    func recorded(_ name: String, _ inputs: [Tensor], _ rule: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        attach(Node(name: name, inputs: inputs, rule: rule))
        return self
    }
}
