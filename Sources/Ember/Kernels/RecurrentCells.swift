/// The pointwise part of one recurrent step (everything after the two matrix
/// products), fused into one pass forward and one backward, for one batch row.
///
/// Gate order and equations are PyTorch's. With `p = x Wᵢₕᵀ + bᵢₕ` (the input
/// projection) and `q = h₋₁ Wₕₕᵀ + bₕₕ` (the recurrent one):
/// - RNN: `h = tanh(p + q)` or `relu(p + q)`;
/// - LSTM (gates i, f, g, o): `c = σ(f)·c₋₁ + σ(i)·tanh(g)`, `h = σ(o)·tanh(c)`;
/// - GRU (gates r, z, n): `n = tanh(pₙ + σ(r)·qₙ)`, `h = (1 − σ(z))·n + σ(z)·h₋₁`.
protocol RecurrentCell {
    /// Gate rows per hidden unit: `Wᵢₕ` is `[gates·H, I]`, `Wₕₕ` `[gates·H, H]`.
    static var gates: Int { get }
    /// Whether a cell state `c` travels beside `h` (LSTM).
    static var hasCellState: Bool { get }
    /// Whether `q` must stay apart from `p` (GRU scales part of it by the reset gate);
    /// otherwise the kernel adds it onto `p` and the cell reads only `p`.
    static var keepsRecurrentProjection: Bool { get }
    /// Computes `h` (and `c`) at hidden units `j ..< j + V.width`, overwriting `p` with
    /// what `backward` needs (the activated gates).
    static func forward<V: Lanes>(_ row: CellForwardRow<V.Element>, _ j: Int, _: V.Type)
    /// Gradients of the pre-activations (`dp`, `dq`) and of the previous state, given
    /// the gradients reaching `h` and `c` at hidden units `j ..< j + V.width`.
    static func backward<V: Lanes>(_ row: CellBackwardRow<V.Element>, _ j: Int, _: V.Type)
}

/// One batch row of a forward step: the projections in, the new state out.
struct CellForwardRow<T> {
    /// Input projection `[gates·H]` (the sum `p + q` unless the cell keeps `q`).
    let p: UnsafeMutablePointer<T>
    /// Recurrent projection `[gates·H]` (read only by cells that keep it).
    let q: UnsafeMutablePointer<T>
    /// Previous state `[H]`.
    let hPrev: UnsafePointer<T>, cPrev: UnsafePointer<T>
    /// New state `[H]`.
    let h: UnsafeMutablePointer<T>, c: UnsafeMutablePointer<T>
    let hidden: Int
}

/// One batch row of a backward step.
struct CellBackwardRow<T> {
    /// What `forward` saved: activated gates `[gates·H]`, the recurrent projection.
    let p: UnsafePointer<T>, q: UnsafePointer<T>
    /// The states the step read and wrote `[H]`.
    let hPrev: UnsafePointer<T>, cPrev: UnsafePointer<T>, h: UnsafePointer<T>, c: UnsafePointer<T>
    /// Gradients reaching `h` and `c`: from this step's output and from the next step.
    let gradH: UnsafePointer<T>, carryH: UnsafePointer<T>, gradC: UnsafePointer<T>, carryC: UnsafePointer<T>
    /// Gradients of the pre-activations `[gates·H]` (the same memory unless `q` is kept).
    let dp: UnsafeMutablePointer<T>, dq: UnsafeMutablePointer<T>
    /// Gradient reaching `h₋₁` other than through `Wₕₕ`, and the one reaching `c₋₁`.
    let dhPrev: UnsafeMutablePointer<T>, dcPrev: UnsafeMutablePointer<T>
    let hidden: Int
}

/// `h = tanh(p + q)`.
enum TanhRNNCell: RecurrentCell {
    static var gates: Int { 1 }
    static var hasCellState: Bool { false }
    static var keepsRecurrentProjection: Bool { false }

    @inline(__always)
    static func forward<V: Lanes>(_ row: CellForwardRow<V.Element>, _ j: Int, _: V.Type) {
        V(row.p + j).tanh.store(row.h + j)
    }

    @inline(__always)
    static func backward<V: Lanes>(_ row: CellBackwardRow<V.Element>, _ j: Int, _: V.Type) {
        let h = V(row.h + j), dh = V(row.gradH + j) + V(row.carryH + j)
        (dh * (V(repeating: 1) - h * h)).store(row.dp + j)
        V(repeating: 0).store(row.dhPrev + j)
    }
}

/// `h = relu(p + q)`.
enum ReLURNNCell: RecurrentCell {
    static var gates: Int { 1 }
    static var hasCellState: Bool { false }
    static var keepsRecurrentProjection: Bool { false }

    @inline(__always)
    static func forward<V: Lanes>(_ row: CellForwardRow<V.Element>, _ j: Int, _: V.Type) {
        V(row.p + j).relu.store(row.h + j)
    }

    @inline(__always)
    static func backward<V: Lanes>(_ row: CellBackwardRow<V.Element>, _ j: Int, _: V.Type) {
        let dh = V(row.gradH + j) + V(row.carryH + j)
        (dh * V(row.h + j).positiveIndicator).store(row.dp + j)
        V(repeating: 0).store(row.dhPrev + j)
    }
}

/// Long short-term memory, gates i, f, g, o.
enum LSTMCellKernel: RecurrentCell {
    static var gates: Int { 4 }
    static var hasCellState: Bool { true }
    static var keepsRecurrentProjection: Bool { false }

    @inline(__always)
    static func forward<V: Lanes>(_ row: CellForwardRow<V.Element>, _ j: Int, _: V.Type) {
        let n = row.hidden, p = row.p + j
        let i = V(p).sigmoid, f = V(p + n).sigmoid, g = V(p + 2 * n).tanh, o = V(p + 3 * n).sigmoid
        let c = f * V(row.cPrev + j) + i * g
        c.store(row.c + j)
        (o * c.tanh).store(row.h + j)
        i.store(p)
        f.store(p + n)
        g.store(p + 2 * n)
        o.store(p + 3 * n)
    }

    @inline(__always)
    static func backward<V: Lanes>(_ row: CellBackwardRow<V.Element>, _ j: Int, _: V.Type) {
        let n = row.hidden, p = row.p + j, dp = row.dp + j, one = V(repeating: 1)
        let i = V(p), f = V(p + n), g = V(p + 2 * n), o = V(p + 3 * n)
        let dh = V(row.gradH + j) + V(row.carryH + j)
        let tc = V(row.c + j).tanh
        let dc = V(row.gradC + j) + V(row.carryC + j) + dh * o * (one - tc * tc)
        (dc * g * i * (one - i)).store(dp)
        (dc * V(row.cPrev + j) * f * (one - f)).store(dp + n)
        (dc * i * (one - g * g)).store(dp + 2 * n)
        (dh * tc * o * (one - o)).store(dp + 3 * n)
        (dc * f).store(row.dcPrev + j)
        V(repeating: 0).store(row.dhPrev + j)
    }
}

/// Gated recurrent unit, gates r, z, n.
enum GRUCellKernel: RecurrentCell {
    static var gates: Int { 3 }
    static var hasCellState: Bool { false }
    static var keepsRecurrentProjection: Bool { true }

    @inline(__always)
    static func forward<V: Lanes>(_ row: CellForwardRow<V.Element>, _ j: Int, _: V.Type) {
        let n = row.hidden, p = row.p + j, q = row.q + j
        let r = (V(p) + V(q)).sigmoid, z = (V(p + n) + V(q + n)).sigmoid
        let candidate = (V(p + 2 * n) + r * V(q + 2 * n)).tanh
        let hPrev = V(row.hPrev + j)
        (candidate + z * (hPrev - candidate)).store(row.h + j)
        r.store(p)
        z.store(p + n)
        candidate.store(p + 2 * n)
    }

    @inline(__always)
    static func backward<V: Lanes>(_ row: CellBackwardRow<V.Element>, _ j: Int, _: V.Type) {
        let n = row.hidden, p = row.p + j, dp = row.dp + j, dq = row.dq + j, one = V(repeating: 1)
        let r = V(p), z = V(p + n), candidate = V(p + 2 * n)
        let dh = V(row.gradH + j) + V(row.carryH + j)
        let dCandidate = dh * (one - z) * (one - candidate * candidate)
        let dr = dCandidate * V(row.q + j + 2 * n) * r * (one - r)
        let dz = dh * (V(row.hPrev + j) - candidate) * z * (one - z)
        dr.store(dp)
        dr.store(dq)
        dz.store(dp + n)
        dz.store(dq + n)
        dCandidate.store(dp + 2 * n)
        (dCandidate * r).store(dq + 2 * n)
        (dh * z).store(row.dhPrev + j)
    }
}
