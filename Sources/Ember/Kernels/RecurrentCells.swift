import CEmberMath

/// The pointwise part of one recurrent step (everything after the matrix products),
/// fused into a few passes over one batch row, forward and backward.
///
/// Gate order and equations are PyTorch's. With `p = x Wᵢₕᵀ + bᵢₕ` (the input
/// projection) and `q = h₋₁ Wₕₕᵀ + bₕₕ` (the recurrent one):
/// - RNN: `h = tanh(p + q)` or `relu(p + q)`;
/// - LSTM (gates i, f, g, o): `c = σ(f)·c₋₁ + σ(i)·tanh(g)`, `h = σ(o)·tanh(c)`;
/// - GRU (gates r, z, n): `n = tanh(pₙ + σ(r)·qₙ)`, `h = (1 − σ(z))·n + σ(z)·h₋₁`.
///
/// The kernel adds `q` onto `p` for every gate but the last `separateGates` (GRU's n,
/// whose `q` the reset gate scales), whose `q` it keeps apart. A forward step is
/// `activate` (the nonlinearities over whole row blocks, vectorised), `forward` (the
/// arithmetic, eight hidden units at a time) and `finish`; a backward step `prepare`
/// then `backward`.
protocol RecurrentCell {
    /// Gate rows per hidden unit: `Wᵢₕ` is `[gates·H, I]`, `Wₕₕ` `[gates·H, H]`.
    static var gates: Int { get }
    /// Trailing gates whose recurrent projection stays apart from the input one.
    static var separateGates: Int { get }
    /// Whether a cell state `c` travels beside `h` (LSTM).
    static var hasCellState: Bool { get }
    /// Applies the gate nonlinearities to the row's projections in place.
    static func activate<T: FloatingElement>(_ row: CellForwardRow<T>)
    /// The step's arithmetic at hidden units `j ..< j + V.width`.
    static func forward<V: Lanes>(_ row: CellForwardRow<V.Element>, _ j: Int, _: V.Type)
    /// What is left of the step once `forward` has run over the whole row.
    static func finish<T: FloatingElement>(_ row: CellForwardRow<T>)
    /// Row-wide work before `backward` (recomputing a nonlinearity into `scratch`).
    static func prepare<T: FloatingElement>(_ row: CellBackwardRow<T>)
    /// Gradients of the pre-activations (`dp`, `dq`) and of the previous state, given
    /// the gradients reaching `h` and `c`, at hidden units `j ..< j + V.width`.
    static func backward<V: Lanes>(_ row: CellBackwardRow<V.Element>, _ j: Int, _: V.Type)
    /// A whole forward row: `stepForward`, unless the cell has a fused kernel.
    static func forwardRow<T: FloatingElement>(_ row: CellForwardRow<T>)
    /// A whole backward row: `stepBackward`, unless the cell has a fused kernel.
    static func backwardRow<T: FloatingElement>(_ row: CellBackwardRow<T>)
}

extension RecurrentCell {
    static var separateGates: Int { 0 }
    static var hasCellState: Bool { false }
    static func finish<T: FloatingElement>(_ row: CellForwardRow<T>) {}
    static func prepare<T: FloatingElement>(_ row: CellBackwardRow<T>) {}
    static func forwardRow<T: FloatingElement>(_ row: CellForwardRow<T>) { stepForward(row) }
    static func backwardRow<T: FloatingElement>(_ row: CellBackwardRow<T>) { stepBackward(row) }

    /// `activate`, `forward` over the row eight lanes at a time (float32), `finish`.
    static func stepForward<T: FloatingElement>(_ row: CellForwardRow<T>) {
        activate(row)
        forLanes(T.self, row.count, vector: { j in forward(unsafeBitCast(row, to: CellForwardRow<Float>.self), j, SIMD8<Float>.self) },
                 scalar: { j in forward(row, j, ScalarLane<T>.self) })
        finish(row)
    }

    /// `prepare`, then `backward` over the row eight lanes at a time (float32).
    static func stepBackward<T: FloatingElement>(_ row: CellBackwardRow<T>) {
        prepare(row)
        forLanes(T.self, row.count, vector: { j in backward(unsafeBitCast(row, to: CellBackwardRow<Float>.self), j, SIMD8<Float>.self) },
                 scalar: { j in backward(row, j, ScalarLane<T>.self) })
    }
}

/// One batch row of a forward step over `count` hidden units (a thread's share): the
/// projections in (activated gates out, for the backward pass), the new state out.
/// Gate `g` of unit `j` is at `p + g·hidden + j`; the states at `h + j` and so on.
struct CellForwardRow<T> {
    /// Projections `[gates·H]`: `p + q`, or `p` alone for the separate gates.
    let p: UnsafeMutablePointer<T>
    /// Recurrent projection of the separate gates `[separateGates·H]`.
    let q: UnsafeMutablePointer<T>
    /// Previous state `[H]`.
    let hPrev: UnsafePointer<T>, cPrev: UnsafePointer<T>
    /// New state `[H]`.
    let h: UnsafeMutablePointer<T>, c: UnsafeMutablePointer<T>
    /// Units between consecutive gates, and units in the row.
    let hidden: Int, count: Int
}

/// One batch row of a backward step over `count` hidden units, laid out as
/// `CellForwardRow`'s.
struct CellBackwardRow<T> {
    /// What `forward` saved: activated gates `[gates·H]`, the separate `q`.
    let p: UnsafePointer<T>, q: UnsafePointer<T>
    /// The states the step read and wrote `[H]`.
    let hPrev: UnsafePointer<T>, cPrev: UnsafePointer<T>, h: UnsafePointer<T>, c: UnsafePointer<T>
    /// Gradients reaching `h` and `c`: from this step's output and from the next step.
    let gradH: UnsafePointer<T>, carryH: UnsafePointer<T>, gradC: UnsafePointer<T>, carryC: UnsafePointer<T>
    /// Gradients of the pre-activations `[gates·H]` and of the separate `q`.
    let dp: UnsafeMutablePointer<T>, dq: UnsafeMutablePointer<T>
    /// Gradient reaching `h₋₁` other than through `Wₕₕ`, and the one reaching `c₋₁`.
    let dhPrev: UnsafeMutablePointer<T>, dcPrev: UnsafeMutablePointer<T>
    /// `[H]` of working space.
    let scratch: UnsafeMutablePointer<T>
    /// Units between consecutive gates, and units in the row.
    let hidden: Int, count: Int
}

/// `h = tanh(p + q)`.
enum TanhRNNCell: RecurrentCell {
    static var gates: Int { 1 }

    static func activate<T: FloatingElement>(_ row: CellForwardRow<T>) { T.tanh(row.p, row.h, count: row.count) }

    @inline(__always)
    static func forward<V: Lanes>(_ row: CellForwardRow<V.Element>, _ j: Int, _: V.Type) {}

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

    static func activate<T: FloatingElement>(_ row: CellForwardRow<T>) {}

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

/// Long short-term memory, gates i, f, g, o. Float32 rows run `CEmberMath`'s fused
/// kernels (one pass, sixteen lanes with AVX-512); float64 the steps below, the same
/// arithmetic.
enum LSTMCellKernel: RecurrentCell {
    static var gates: Int { 4 }
    static var hasCellState: Bool { true }

    static func forwardRow<T: FloatingElement>(_ row: CellForwardRow<T>) {
        guard T.self == Float.self else { return stepForward(row) }
        var fused = ember_lstm_forward(gates: float(row.p), c_prev: float(row.cPrev), c: float(row.c), h: float(row.h),
                                       hidden: row.hidden, count: row.count)
        ember_lstm_forward_f32(&fused)
    }

    static func backwardRow<T: FloatingElement>(_ row: CellBackwardRow<T>) {
        guard T.self == Float.self else { return stepBackward(row) }
        var fused = ember_lstm_backward(gates: float(row.p), c_prev: float(row.cPrev), c: float(row.c), grad_h: float(row.gradH),
                                        carry_h: float(row.carryH), grad_c: float(row.gradC), carry_c: float(row.carryC),
                                        d_gates: float(row.dp), dc_prev: float(row.dcPrev), dh_prev: float(row.dhPrev),
                                        hidden: row.hidden, count: row.count)
        ember_lstm_backward_f32(&fused)
    }

    static func activate<T: FloatingElement>(_ row: CellForwardRow<T>) {
        let n = row.hidden, p = row.p, count = row.count
        if count == n {
            T.sigmoid(p, p, count: 2 * n)
        } else {
            T.sigmoid(p, p, count: count)
            T.sigmoid(p + n, p + n, count: count)
        }
        T.tanh(p + 2 * n, p + 2 * n, count: count)
        T.sigmoid(p + 3 * n, p + 3 * n, count: count)
    }

    @inline(__always)
    static func forward<V: Lanes>(_ row: CellForwardRow<V.Element>, _ j: Int, _: V.Type) {
        let n = row.hidden, p = row.p + j
        (V(p + n) * V(row.cPrev + j) + V(p) * V(p + 2 * n)).store(row.c + j)
    }

    /// `h = o · tanh(c)`.
    static func finish<T: FloatingElement>(_ row: CellForwardRow<T>) {
        let o = row.p + 3 * row.hidden, h = row.h
        T.tanh(row.c, h, count: row.count)
        for j in 0..<row.count { h[j] *= o[j] }
    }

    /// `tanh(c)` into `scratch`.
    static func prepare<T: FloatingElement>(_ row: CellBackwardRow<T>) { T.tanh(row.c, row.scratch, count: row.count) }

    @inline(__always)
    static func backward<V: Lanes>(_ row: CellBackwardRow<V.Element>, _ j: Int, _: V.Type) {
        let n = row.hidden, p = row.p + j, dp = row.dp + j, one = V(repeating: 1)
        let i = V(p), f = V(p + n), g = V(p + 2 * n), o = V(p + 3 * n)
        let dh = V(row.gradH + j) + V(row.carryH + j)
        let tc = V(row.scratch + j)
        let dc = V(row.gradC + j) + V(row.carryC + j) + dh * o * (one - tc * tc)
        (dc * g * i * (one - i)).store(dp)
        (dc * V(row.cPrev + j) * f * (one - f)).store(dp + n)
        (dc * i * (one - g * g)).store(dp + 2 * n)
        (dh * tc * o * (one - o)).store(dp + 3 * n)
        (dc * f).store(row.dcPrev + j)
        V(repeating: 0).store(row.dhPrev + j)
    }
}

/// Gated recurrent unit, gates r, z, n; n's recurrent projection stays apart.
enum GRUCellKernel: RecurrentCell {
    static var gates: Int { 3 }
    static var separateGates: Int { 1 }

    static func activate<T: FloatingElement>(_ row: CellForwardRow<T>) {
        if row.count == row.hidden {
            T.sigmoid(row.p, row.p, count: 2 * row.hidden)
        } else {
            T.sigmoid(row.p, row.p, count: row.count)
            T.sigmoid(row.p + row.hidden, row.p + row.hidden, count: row.count)
        }
    }

    /// The candidate's pre-activation `pₙ + r·qₙ`, in place of `pₙ`.
    @inline(__always)
    static func forward<V: Lanes>(_ row: CellForwardRow<V.Element>, _ j: Int, _: V.Type) {
        let n = row.hidden, p = row.p + j
        (V(p + 2 * n) + V(p) * V(row.q + j)).store(p + 2 * n)
    }

    /// `n = tanh(…)`, `h = n + z·(h₋₁ − n)`.
    static func finish<T: FloatingElement>(_ row: CellForwardRow<T>) {
        let n = row.hidden, z = row.p + n, candidate = row.p + 2 * n, h = row.h, hPrev = row.hPrev
        T.tanh(candidate, candidate, count: row.count)
        for j in 0..<row.count { h[j] = candidate[j] + z[j] * (hPrev[j] - candidate[j]) }
    }

    @inline(__always)
    static func backward<V: Lanes>(_ row: CellBackwardRow<V.Element>, _ j: Int, _: V.Type) {
        let n = row.hidden, p = row.p + j, dp = row.dp + j, one = V(repeating: 1)
        let r = V(p), z = V(p + n), candidate = V(p + 2 * n)
        let dh = V(row.gradH + j) + V(row.carryH + j)
        let dCandidate = dh * (one - z) * (one - candidate * candidate)
        (dCandidate * V(row.q + j) * r * (one - r)).store(dp)
        (dh * (V(row.hPrev + j) - candidate) * z * (one - z)).store(dp + n)
        dCandidate.store(dp + 2 * n)
        (dCandidate * r).store(row.dq + j)
        (dh * z).store(row.dhPrev + j)
    }
}

/// A float32 pointer's address as `Float`'s (for `T` known to be `Float`).
@inline(__always)
private func float<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

@inline(__always)
private func float<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}
