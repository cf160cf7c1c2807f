/// Shape ops. Those that can are views sharing storage (no copy): `reshape` and
/// `view` of contiguous data, `squeeze`, `unsqueeze`, `permute`, `transpose`,
/// `expand`, `slice`, `select`.
extension Tensor {
    /// The same elements in another shape; one entry may be -1 to be inferred. A view
    /// when the strides allow one (as `view`), a copy otherwise.
    public func reshape(_ newShape: [Int]) -> Tensor {
        let target = inferShape(newShape)
        if target == shape { return self }
        if let viewed = Shape.viewStrides(shape: shape, strides: strides, as: target) {
            return restrided(shape: target, strides: viewed, name: "reshape")
        }
        let source = contiguous()
        let input = self
        return source.view(shape: target, strides: Shape.contiguousStrides(target), offset: source.offset)
            .recorded("reshape", [input]) { g in [g.reshape(input.shape)] }
    }

    /// The same elements in another shape without copying (PyTorch's `view`); stops if
    /// the strides cannot show them so (split or merged dims must be contiguous among
    /// themselves): use `reshape` there.
    public func view(_ newShape: [Int]) -> Tensor {
        let target = inferShape(newShape)
        precondition(Shape.viewStrides(shape: shape, strides: strides, as: target) != nil,
                     "view: tensor of shape \(OpMessage.format(shape)) with strides \(OpMessage.format(strides)) cannot be viewed as \(OpMessage.format(target)); use reshape()")
        return reshape(target)
    }

    /// Dimensions `startDim...endDim` merged into one.
    public func flatten(startDim: Int = 0, endDim: Int = -1) -> Tensor {
        if ndim == 0 { return reshape([1]) }
        let s = Shape.normalize(startDim, rank: ndim, op: "flatten"), e = Shape.normalize(endDim, rank: ndim, op: "flatten")
        precondition(s <= e, "flatten: startDim \(startDim) comes after endDim \(endDim) for shape \(OpMessage.format(shape))")
        return reshape(Array(shape[..<s]) + [Shape.count(Array(shape[s...e]))] + Array(shape[(e + 1)...]))
    }

    /// Dimensions of size 1 removed (only `dim`, if given and of size 1).
    public func squeeze(_ dim: Int? = nil) -> Tensor {
        var keep = Array(0..<ndim).filter { shape[$0] != 1 }
        if let dim {
            let d = Shape.normalize(dim, rank: ndim, op: "squeeze")
            keep = Array(0..<ndim).filter { $0 != d || shape[$0] != 1 }
        }
        return restrided(shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, name: "squeeze")
    }

    /// A dimension of size 1 inserted at `dim` (which may equal `ndim`).
    public func unsqueeze(_ dim: Int) -> Tensor {
        let d = Shape.normalize(dim, rank: ndim + 1, op: "unsqueeze")
        var newShape = shape, newStrides = strides
        newShape.insert(1, at: d)
        newStrides.insert(d < ndim ? strides[d] * shape[d] : 1, at: d)
        return restrided(shape: newShape, strides: newStrides, name: "unsqueeze")
    }

    /// Dimensions reordered: result dimension `i` is input dimension `dims[i]`.
    public func permute(_ dims: [Int]) -> Tensor {
        let ds = dims.map { Shape.normalize($0, rank: ndim, op: "permute") }
        precondition(ds.count == ndim && Set(ds).count == ndim,
                     "permute: \(dims) is not a permutation of the \(ndim) dimensions of \(OpMessage.format(shape))")
        var inverse = [Int](repeating: 0, count: ndim)
        for (i, d) in ds.enumerated() { inverse[d] = i }
        return view(shape: ds.map { shape[$0] }, strides: ds.map { strides[$0] }, offset: offset)
            .recorded("permute", [self]) { g in [g.permute(inverse)] }
    }

    /// Dimensions `dim0` and `dim1` swapped.
    public func transpose(_ dim0: Int, _ dim1: Int) -> Tensor {
        var order = Array(0..<ndim)
        order.swapAt(Shape.normalize(dim0, rank: ndim, op: "transpose"), Shape.normalize(dim1, rank: ndim, op: "transpose"))
        return permute(order)
    }

    /// The transpose of a matrix (the last two dimensions of a batch of them).
    public var mT: Tensor { transpose(-2, -1) }

    /// A view repeating size-1 dimensions (and new leading ones) to `newShape`, without
    /// copying; -1 keeps a dimension's size.
    public func expand(_ newShape: [Int]) -> Tensor {
        precondition(newShape.count >= ndim, "expand: cannot expand \(OpMessage.format(shape)) to fewer dimensions \(OpMessage.format(newShape))")
        let lead = newShape.count - ndim
        var target = newShape
        for i in 0..<ndim where newShape[lead + i] == -1 { target[lead + i] = shape[i] }
        guard Shape.broadcast(shape, target) == target else {
            preconditionFailure("expand: cannot expand \(OpMessage.format(shape)) to \(OpMessage.format(newShape))")
        }
        if target == shape { return self }
        let newStrides = Shape.broadcastStrides(shape: shape, strides: strides, to: target)
        // The engine sums the gradient back down to this tensor's shape.
        return view(shape: target, strides: newStrides, offset: offset).recorded("expand", [self]) { g in [g] }
    }

    /// Elements `start, start + step, …` below `end` along `dim`, as a view. Negative
    /// bounds count from the end; bounds past the end are clipped, as in Python slices.
    public func slice(dim: Int, start: Int = 0, end: Int? = nil, step: Int = 1) -> Tensor {
        let d = Shape.normalize(dim, rank: ndim, op: "slice")
        precondition(step > 0, "slice: step must be positive, got \(step)")
        let n = shape[d]
        func clip(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + n : i, 0), n) }
        let lo = clip(start), hi = Swift.max(lo, clip(end ?? n))
        var newShape = shape, newStrides = strides
        newShape[d] = (hi - lo + step - 1) / step
        newStrides[d] = strides[d] * step
        let inputShape = shape
        return view(shape: newShape, strides: newStrides, offset: offset + lo * strides[d])
            .recorded("slice", [self]) { g in [g.embedded(in: inputShape, dim: d, start: lo, step: step)] }
    }

    /// `length` elements from `start` along `dim`, as a view.
    public func narrow(dim: Int, start: Int, length: Int) -> Tensor {
        let d = Shape.normalize(dim, rank: ndim, op: "narrow")
        precondition(start >= 0 && length >= 0 && start + length <= shape[d],
                     "narrow: \(start)..<\(start + length) is out of range for dimension \(dim) of \(OpMessage.format(shape))")
        return slice(dim: d, start: start, end: start + length)
    }

    /// The sub-tensor at `index` along `dim`, that dimension removed (a view).
    public func select(dim: Int, index: Int) -> Tensor {
        let d = Shape.normalize(dim, rank: ndim, op: "select")
        let i = index < 0 ? index + shape[d] : index
        precondition(i >= 0 && i < shape[d], "select: index \(index) is out of range for dimension \(dim) of \(OpMessage.format(shape))")
        return slice(dim: d, start: i, end: i + 1).squeeze(d)
    }

    /// `self[i]`: the sub-tensor at `i` along the first dimension.
    public subscript(_ index: Int) -> Tensor { select(dim: 0, index: index) }

    /// `self[range]`: a slice along the first dimension.
    public subscript(_ range: Range<Int>) -> Tensor { slice(dim: 0, start: range.lowerBound, end: range.upperBound) }

    /// A contiguous tensor with the same values: `self` if already contiguous.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        return contiguousCopy()
    }

    /// A copy that shares no storage with `self`, contiguous (PyTorch's `clone`);
    /// gradients flow through it.
    public func clone() -> Tensor { contiguousCopy() }

    /// A fresh contiguous copy, recorded for autograd.
    func contiguousCopy() -> Tensor {
        Copy.contiguous(self).recorded("contiguous", [self]) { g in [g] }
    }

    /// `self` as `dtype` (a copy unless it already is); gradients flow between float types.
    public func to(_ dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let source = self.dtype
        let out = Copy.convert(self, to: dtype)
        guard dtype.isFloatingPoint, source.isFloatingPoint else { return out }
        return out.recorded("to", [self]) { g in [g.to(source)] }
    }

    /// A view with the same element order but other dimensions (squeeze, unsqueeze).
    private func restrided(shape newShape: [Int], strides newStrides: [Int], name: String) -> Tensor {
        let inputShape = shape
        return view(shape: newShape, strides: newStrides, offset: offset)
            .recorded(name, [self]) { g in [g.reshape(inputShape)] }
    }

    /// `newShape` with a -1 entry inferred and the element count checked.
    private func inferShape(_ newShape: [Int]) -> [Int] {
        var target = newShape
        if let i = newShape.firstIndex(of: -1) {
            let known = Shape.count(newShape.enumerated().filter { $0.offset != i }.map(\.element))
            precondition(known > 0 && numel % known == 0, OpMessage.reshape(shape, newShape))
            target[i] = numel / known
        }
        precondition(Shape.count(target) == numel && target.allSatisfy({ $0 >= 0 }), OpMessage.reshape(shape, newShape))
        return target
    }

    /// Zeros of `shape` with `self` written at `start, start + step, …` along `dim`:
    /// the adjoint of `slice`, whose backward is `slice` again.
    func embedded(in shape: [Int], dim: Int, start: Int, step: Int) -> Tensor {
        let out = Tensor.zeros(shape, dtype: dtype)
        let end = start + (self.shape[dim] - 1) * step + 1
        Copy.assign(self, to: out.slice(dim: dim, start: start, end: end, step: step))
        return out.recorded("sliceBackward", [self]) { g in [g.slice(dim: dim, start: start, end: end, step: step)] }
    }
}
