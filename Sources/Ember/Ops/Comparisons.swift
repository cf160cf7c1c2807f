/// Elementwise comparisons with broadcasting. They give bool tensors and no gradient.
extension Tensor {
    /// `self == other`.
    public func eq(_ other: Tensor) -> Tensor { Kernels.compare(self, other, .eq) }
    /// `self != other`.
    public func ne(_ other: Tensor) -> Tensor { Kernels.compare(self, other, .ne) }
    /// `self < other`.
    public func lt(_ other: Tensor) -> Tensor { Kernels.compare(self, other, .lt) }
    /// `self <= other`.
    public func le(_ other: Tensor) -> Tensor { Kernels.compare(self, other, .le) }
    /// `self > other`.
    public func gt(_ other: Tensor) -> Tensor { Kernels.compare(self, other, .gt) }
    /// `self >= other`.
    public func ge(_ other: Tensor) -> Tensor { Kernels.compare(self, other, .ge) }

    /// `self == value`.
    public func eq(_ value: Double) -> Tensor { eq(scalar(value)) }
    /// `self != value`.
    public func ne(_ value: Double) -> Tensor { ne(scalar(value)) }
    /// `self < value`.
    public func lt(_ value: Double) -> Tensor { lt(scalar(value)) }
    /// `self <= value`.
    public func le(_ value: Double) -> Tensor { le(scalar(value)) }
    /// `self > value`.
    public func gt(_ value: Double) -> Tensor { gt(scalar(value)) }
    /// `self >= value`.
    public func ge(_ value: Double) -> Tensor { ge(scalar(value)) }

    /// Logical and of two bool tensors.
    public func logicalAnd(_ other: Tensor) -> Tensor { Kernels.binary(self.to(.bool), other.to(.bool), .mul) }
    /// Logical or of two bool tensors.
    public func logicalOr(_ other: Tensor) -> Tensor { Kernels.binary(self.to(.bool), other.to(.bool), .add) }
    /// Logical not of a bool tensor.
    public func logicalNot() -> Tensor { eq(Tensor(scalar: 0, dtype: dtype)) }

    /// `torch.isfinite`: true where an element is neither infinite nor NaN (always, for
    /// integers and bools); a bool tensor of the same shape.
    public func isFinite() -> Tensor {
        guard dtype.isFloatingPoint else { return Tensor.ones(shape, dtype: .bool) }
        // x − x is 0 for every finite x, and NaN for ±∞ and NaN.
        return withNoGrad { (detach() - detach()).eq(0) }
    }

    /// Whether every element is finite: `torch.isfinite(x).all()`.
    public var allFinite: Bool { isFinite().logicalNot().sum().item() == 0 }
}
