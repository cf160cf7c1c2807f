/// Checks the gradients `backward()` computes against central finite differences, as
/// PyTorch's `torch.autograd.gradcheck`. Use float64 inputs.
///
/// `f` maps the inputs to one tensor. For a fixed random upstream gradient `v`, the
/// analytic vector-Jacobian products `vᵀ ∂f/∂xᵢ` from `backward(v)` are compared with
/// `vᵀ (f(x + εeⱼ) − f(x − εeⱼ)) / 2ε` for every element `j` of every input that
/// requires grad.
///
/// - Returns: the largest mismatch `|analytic − numeric| / (atol + rtol·|numeric|)`;
///   the check passes when it is at most 1. A NaN on either side makes it NaN, which
///   fails every comparison (`mismatch <= 1` is false), as a NaN gradient should.
public func gradcheck(_ inputs: [Tensor], eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3,
                      generator: Generator = Generator(seed: 1), _ f: ([Tensor]) -> Tensor) -> Double {
    for x in inputs where x.requiresGrad {
        precondition(x.dtype == .float64, "gradcheck: use float64 inputs, got \(x.dtype)")
        x.grad = nil
    }
    let output = f(inputs)
    let v = Tensor.randn(output.shape, dtype: output.dtype, generator: generator)
    output.backward(v)
    // Read every analytic gradient before any numeric evaluation, which runs `f` again.
    let analytic = inputs.map { x in x.requiresGrad ? (x.grad?.doubles ?? [Double](repeating: 0, count: x.numel)) : [] }
    for x in inputs { x.grad = nil }
    var worst = 0.0
    for (x, expected) in zip(inputs, analytic) where x.requiresGrad {
        precondition(x.isContiguous, "gradcheck: inputs must be contiguous")
        let data = x.pointer(Double.self)
        for j in 0..<x.numel {
            let saved = data[j]
            data[j] = saved + eps
            let plus = withNoGrad { (f(inputs) * v).sum().item() }
            data[j] = saved - eps
            let minus = withNoGrad { (f(inputs) * v).sum().item() }
            data[j] = saved
            let numeric = (plus - minus) / (2 * eps)
            let mismatch = Swift.abs(expected[j] - numeric) / (atol + rtol * Swift.abs(numeric))
            if mismatch.isNaN || mismatch > worst { worst = mismatch }
        }
    }
    for x in inputs { x.grad = nil }
    return worst
}
