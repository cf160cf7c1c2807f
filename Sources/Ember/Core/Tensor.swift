/// An n-dimensional array with a run-time dtype, and a node in the autograd graph.
///
/// A tensor is a view: a `shape`, `strides` (in elements) and an `offset` into shared
/// storage, so `transpose`, slicing, `expand` and `reshape` of contiguous data cost no
/// copy. Ops return new tensors; a tensor's values never change behind an autograd
/// graph's back (in-place updates are refused on tensors that record gradients).
///
/// ```swift
/// let w = Tensor.randn([3, 2]).requiringGrad()
/// let loss = (x.matmul(w) - y).pow(2).mean()
/// loss.backward()
/// print(w.grad!)   // [3, 2]
/// ```
///
/// `Tensor` is not open: its one subclass is `Parameter`, inside this module.
public class Tensor: @unchecked Sendable {
    /// Size of each dimension; `[]` for a scalar.
    public let shape: [Int]
    /// Distance in elements between neighbours along each dimension (0 where expanded).
    public let strides: [Int]
    /// Index in `storage` of the first element, in elements.
    public let offset: Int
    /// Element type.
    public let dtype: DType
    let storage: Storage

    /// Whether gradients flow to this tensor. Set it on leaves with `requiringGrad()`;
    /// results of ops on such tensors require it too while grad mode is on.
    public private(set) var requiresGrad: Bool
    /// The gradient accumulated by `backward()` on a leaf that requires it, shaped as `self`.
    public var grad: Tensor?
    /// The autograd node that made this tensor, `nil` for leaves.
    var gradFn: Node?
    /// Called by `backward()` once this leaf's gradient for the pass is complete.
    var postAccumulateGradHooks: [(Tensor) -> Void] = []

    init(storage: Storage, shape: [Int], strides: [Int], offset: Int, dtype: DType) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.dtype = dtype
        self.requiresGrad = false
    }

    /// A fresh contiguous tensor with uninitialised contents.
    convenience init(uninitializedShape shape: [Int], dtype: DType) {
        let n = Shape.count(shape)
        self.init(storage: Storage(byteCount: n * dtype.itemSize), shape: shape,
                  strides: Shape.contiguousStrides(shape), offset: 0, dtype: dtype)
    }

    /// A tensor sharing this one's storage with another layout (a view).
    func view(shape: [Int], strides: [Int], offset: Int) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
    }

    /// Number of dimensions.
    public var ndim: Int { shape.count }
    /// Number of elements.
    public var numel: Int { Shape.count(shape) }
    /// Whether this tensor was made by the user rather than by an op that records.
    public var isLeaf: Bool { gradFn == nil }
    /// Name of the op that produced this tensor in the graph, if any (`"mul"`, `"matmul"`).
    public var gradFnName: String? { gradFn?.name }

    /// Size of dimension `dim` (negative counts from the end).
    public func size(_ dim: Int) -> Int { shape[Shape.normalize(dim, rank: ndim, op: "size")] }

    /// Whether elements lie in row-major order with no gaps.
    public var isContiguous: Bool {
        var expected = 1
        for i in stride(from: ndim - 1, through: 0, by: -1) where shape[i] != 1 {
            if strides[i] != expected { return false }
            expected &*= shape[i]
        }
        return true
    }

    /// Marks a floating-point leaf as needing gradients and returns it.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        precondition(isLeaf, "requiringGrad: only leaf tensors can change requiresGrad; use detach() first")
        precondition(!flag || dtype.isFloatingPoint,
                     OpMessage.dtype(op: "requiringGrad", dtype, expected: "a floating-point type"))
        requiresGrad = flag
        return self
    }

    /// Marks a result of a recording op: it requires grad and remembers its node.
    func attach(_ node: Node) {
        gradFn = node
        requiresGrad = true
    }

    /// A tensor sharing this one's data, cut from the graph (`requiresGrad` false).
    public func detach() -> Tensor {
        view(shape: shape, strides: strides, offset: offset)
    }

    /// Typed pointer to the first element of this view.
    @inline(__always)
    func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        storage.data.assumingMemoryBound(to: T.self) + offset
    }
}
