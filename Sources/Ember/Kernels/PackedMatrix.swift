import CEmberMath

/// The right operand `B` (`[k, n]`) of many products `C = A·B` with the same `B`: a
/// recurrent layer's weights, multiplied at every time step. For float32 it is packed
/// once into `CEmberMath`'s panel layout and multiplied by Ember's own kernel, which
/// saves the packing a BLAS call repeats every time (OpenBLAS has no pre-packed
/// product; repacking `Wₕₕ` was an eighth of an LSTM step). Float64, and products too
/// few to pay for packing, use BLAS on `B` where it lies.
struct PackedMatrix<T: BLASElement> {
    let k: Int, n: Int
    private let source: UnsafePointer<T>, leading: Int, transposed: Bool
    /// The packed floats, or nil when products go to BLAS.
    private let packed: Tensor?

    /// `B[i][j]` is `b[i·leading + j]`, or `b[j·leading + i]` when `transposed` (a
    /// row-major weight `[n, k]` used as its transpose). Packs when `T` is `Float` and
    /// `pack` is true; `b` must outlive the value either way.
    init(_ b: UnsafePointer<T>, leading: Int, transposed: Bool, k: Int, n: Int, pack: Bool) {
        self.k = k
        self.n = n
        source = b
        self.leading = leading
        self.transposed = transposed
        guard pack, T.self == Float.self else {
            packed = nil
            return
        }
        let storage = Tensor(uninitializedShape: [ember_packed_size(k, n)], dtype: .float32)
        ember_pack(UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), leading, transposed ? 1 : 0, k, n,
                   storage.pointer(Float.self))
        packed = storage
    }

    /// `c = a·B`, or `c += a·B` when `accumulate`: `a` `[m, k]` with rows `lda` apart,
    /// `c` `[m, n]` with rows `ldc` apart. One thread.
    func multiply(m: Int, _ a: UnsafePointer<T>, lda: Int, into c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool) {
        guard m > 0, n > 0 else { return }
        if let packed {
            ember_gemm_packed(m, n, k, UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda, packed.pointer(Float.self),
                              UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc, accumulate ? 1 : 0)
        } else {
            T.gemm(false, transposed, m, n, k, 1, a, lda, source, leading, accumulate ? 1 : 0, c, ldc)
        }
    }
}
