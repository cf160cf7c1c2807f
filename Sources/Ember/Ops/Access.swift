/// Reading values out of tensors and writing into them.
extension Tensor {
    /// The single value of a one-element tensor, as a Double.
    public func item() -> Double {
        precondition(numel == 1, "item: tensor of shape \(OpMessage.format(shape)) has \(numel) elements, not 1")
        return contiguous().scalars(as: Double.self)[0]
    }

    /// All values in row-major order, converted to `T`.
    public func scalars<T: TensorElement>(as _: T.Type) -> [T] {
        let t = to(T.dtype).contiguous()
        return Array(UnsafeBufferPointer(start: t.pointer(T.self), count: numel))
    }

    /// Values as `Float`s in row-major order.
    public var floats: [Float] { scalars(as: Float.self) }

    /// Values as `Double`s in row-major order.
    public var doubles: [Double] { scalars(as: Double.self) }

    /// Values as `Int`s in row-major order.
    public var ints: [Int] { scalars(as: Int64.self).map { Int($0) } }

    /// Overwrites this tensor's elements with `source` (broadcast to `self.shape`,
    /// converted to `self.dtype`), as PyTorch's `copy_`. Views see the change.
    ///
    /// In-place writes would corrupt values saved for a backward pass, so they are
    /// refused on tensors that record gradients unless grad mode is off (as in an
    /// optimizer step inside `withNoGrad`).
    public func copy(from source: Tensor) {
        checkInPlace("copy")
        precondition(Shape.broadcast(source.shape, shape) == shape,
                     "copy: cannot write \(OpMessage.format(source.shape)) into \(OpMessage.format(shape))")
        Copy.assign(source.to(dtype), to: self)
    }

    /// In-place `self += other` (see `copy(from:)` for when in-place writes are allowed).
    public static func += (lhs: Tensor, rhs: Tensor) { lhs.update(rhs, .add) }
    /// In-place `self -= other`.
    public static func -= (lhs: Tensor, rhs: Tensor) { lhs.update(rhs, .sub) }
    /// In-place `self *= other`.
    public static func *= (lhs: Tensor, rhs: Tensor) { lhs.update(rhs, .mul) }
    /// In-place `self /= other`.
    public static func /= (lhs: Tensor, rhs: Tensor) { lhs.update(rhs, .div) }
    /// In-place `self *= value`.
    public static func *= (lhs: Tensor, rhs: Double) { lhs.update(lhs.scalar(rhs), .mul) }

    /// Sets every element to zero (PyTorch's `zero_`).
    public func zero() {
        checkInPlace("zero")
        Copy.assign(Tensor(scalar: 0, dtype: dtype), to: self)
    }

    /// `self = self op rhs`: computed straight into this tensor when it is contiguous,
    /// already of the result's dtype and `rhs` does not overlap it in another layout;
    /// through a temporary otherwise.
    private func update(_ rhs: Tensor, _ op: BinaryOp) {
        checkInPlace(op.rawValue + "_")
        precondition(Shape.broadcast(shape, rhs.shape) == shape,
                     "\(op.rawValue)_: cannot update \(OpMessage.format(shape)) in place with \(OpMessage.format(rhs.shape))")
        let sameOrApart = rhs.storage !== storage || (rhs.offset == offset && rhs.shape == shape && rhs.strides == strides)
        withNoGrad {
            if isContiguous && sameOrApart && Kernels.resultType(self, rhs, op) == dtype {
                Kernels.binary(self, rhs, op, into: self)
            } else {
                Copy.assign(Kernels.binary(self, rhs, op).to(dtype), to: self)
            }
        }
    }

    private func checkInPlace(_ op: String) {
        precondition(!(GradMode.isEnabled && requiresGrad),
                     "\(op): in-place update of a tensor that requires grad; do it inside withNoGrad { } or on detach()")
    }
}

extension Tensor {
    /// Calls `body` with a pointer to the elements of this tensor, which must be
    /// contiguous and of the dtype `T` stores; for passing data to C libraries.
    public func withUnsafeMutablePointer<T: TensorElement, R>(as _: T.Type, _ body: (UnsafeMutablePointer<T>) throws -> R) rethrows -> R {
        precondition(T.dtype == dtype, OpMessage.dtype(op: "withUnsafeMutablePointer", dtype, expected: "\(T.dtype)"))
        precondition(isContiguous, "withUnsafeMutablePointer: tensor of shape \(OpMessage.format(shape)) is not contiguous")
        return try body(pointer(T.self))
    }
}

extension Tensor {
    /// Calls `body` with pointers to the elements of each of `tensors`, which must all
    /// be contiguous and of the dtype `T` stores (fused optimizer updates use this).
    public static func withUnsafeMutablePointers<T: TensorElement, R>(
        _ tensors: [Tensor], as _: T.Type, _ body: ([UnsafeMutablePointer<T>]) throws -> R
    ) rethrows -> R {
        for t in tensors {
            precondition(t.dtype == T.dtype && t.isContiguous,
                         "withUnsafeMutablePointers: tensor \(OpMessage.format(t.shape)) of \(t.dtype) is not contiguous \(T.dtype)")
        }
        return try withExtendedLifetime(tensors) { try body(tensors.map { $0.pointer(T.self) }) }
    }
}
