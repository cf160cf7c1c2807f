/// A tensor that a module learns (PyTorch's `nn.Parameter`): a leaf that requires grad.
///
/// It is a class with identity, so an optimizer keys its state by the parameter, and a
/// `Module` finds its parameters by looking for stored properties of this type. The
/// values change only in place (an optimizer step or loading weights, inside
/// `withNoGrad`), so every view and every holder sees the update.
public final class Parameter: Tensor, @unchecked Sendable {
    /// A parameter holding a contiguous copy of `tensor`'s values (floating point).
    public init(_ tensor: Tensor) {
        precondition(tensor.dtype.isFloatingPoint,
                     OpMessage.dtype(op: "Parameter", tensor.dtype, expected: "a floating-point type"))
        let data = Copy.contiguous(tensor)
        super.init(storage: data.storage, shape: data.shape, strides: data.strides, offset: 0, dtype: data.dtype)
        requiringGrad()
    }
}
