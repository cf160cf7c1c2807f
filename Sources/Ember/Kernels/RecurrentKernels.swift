extension Kernels {
    /// The weights of one layer in one direction, contiguous: `ih` `[gates·H, I]`, `hh`
    /// `[gates·H, H]`, biases `[gates·H]`.
    struct RecurrentWeights {
        let ih: Tensor, hh: Tensor, ihBias: Tensor?, hhBias: Tensor?
    }

    /// What a recurrent forward pass keeps for its backward pass: the activated gates
    /// `[T, B, gates·H]` and the recurrent projection of the separate gates
    /// `[T, B, separateGates·H]`, if any.
    struct RecurrentSaved {
        let gates: Tensor, recurrent: Tensor?
    }

    /// Runs `cell` over the sequence `x` (`[T, B, I]`, contiguous) from `h0` (and `c0`),
    /// `[B, H]`, backwards in time if `reverse`. Returns the states at every step,
    /// `[S, T, B, H]` (S = 2 with a cell state: h then c), indexed by input position.
    ///
    /// The input projection of all steps is one GEMM; each step is a GEMM for the
    /// recurrent projection (two when some gates keep theirs apart) and one fused pass
    /// of the cell over the batch rows.
    static func recurrentForward<C: RecurrentCell>(_: C.Type, _ x: Tensor, h0: Tensor, c0: Tensor?, _ w: RecurrentWeights,
                                                   reverse: Bool) -> (states: Tensor, saved: RecurrentSaved) {
        let steps = x.shape[0], batch = x.shape[1], input = x.shape[2], hidden = h0.shape[1]
        let width = C.gates * hidden, summed = (C.gates - C.separateGates) * hidden, apart = C.separateGates * hidden
        let states = Tensor(uninitializedShape: [C.hasCellState ? 2 : 1, steps, batch, hidden], dtype: x.dtype)
        let gates = Tensor(uninitializedShape: [steps, batch, width], dtype: x.dtype)
        let recurrent = apart > 0 ? Tensor(uninitializedShape: [steps, batch, apart], dtype: x.dtype) : nil
        func run<T: BLASElement>(_: T.Type) {
            let pg = gates.pointer(T.self), ps = states.pointer(T.self), pwhh = w.hh.pointer(T.self)
            let pq = recurrent?.pointer(T.self) ?? pg
            let plane = steps * batch * hidden
            // bᵢₕ everywhere, plus bₕₕ where the projections are summed.
            fillRows(pg, rows: steps * batch, width: width, w.ihBias, (w.hhBias, count: summed), T.self)
            gemm(false, true, steps * batch, width, input, x.pointer(T.self), input, w.ih.pointer(T.self), input, pg, width, beta: 1)
            if let recurrent {
                let hhBias = w.hhBias.map { $0[summed..<width] }
                fillRows(recurrent.pointer(T.self), rows: steps * batch, width: apart, hhBias, (nil, count: 0), T.self)
            }
            for step in 0..<steps {
                let t = reverse ? steps - 1 - step : step, previous = reverse ? t + 1 : t - 1
                let hPrev = step == 0 ? UnsafePointer(h0.pointer(T.self)) : UnsafePointer(ps + previous * batch * hidden)
                let cPrev = !C.hasCellState ? hPrev : step == 0 ? UnsafePointer(c0!.pointer(T.self)) : UnsafePointer(ps + plane + previous * batch * hidden)
                let gatesAt = pg + t * batch * width, recurrentAt = pq + t * batch * apart
                gemm(false, true, batch, summed, hidden, hPrev, hidden, pwhh, hidden, gatesAt, width, beta: 1)
                if apart > 0 {
                    gemm(false, true, batch, apart, hidden, hPrev, hidden, pwhh + summed * hidden, hidden, recurrentAt, apart, beta: 1)
                }
                let h = ps + t * batch * hidden
                overRows(batch, hidden: hidden) { b in
                    let row = CellForwardRow(p: gatesAt + b * width, q: recurrentAt + b * apart,
                                             hPrev: hPrev + b * hidden, cPrev: cPrev + b * hidden,
                                             h: h + b * hidden, c: (C.hasCellState ? h + plane : h) + b * hidden, hidden: hidden)
                    C.activate(row)
                    forLanes(T.self, hidden, vector: { j in C.forward(unsafeBitCast(row, to: CellForwardRow<Float>.self), j, SIMD8<Float>.self) },
                             scalar: { j in C.forward(row, j, ScalarLane<T>.self) })
                    C.finish(row)
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return (states, RecurrentSaved(gates: gates, recurrent: recurrent))
    }

    /// Gradients of `recurrentForward` given the gradient of its states `gradStates`
    /// (`[S, T, B, H]`, contiguous): for `x`, `h0`, `c0`, then the weights and biases.
    ///
    /// Only the step-to-step part runs step by step (the cell's backward pass and the
    /// products through `Wₕₕ`); the weight gradients and the input's are one GEMM each
    /// over all steps.
    static func recurrentBackward<C: RecurrentCell>(_: C.Type, _ x: Tensor, h0: Tensor, c0: Tensor?, _ w: RecurrentWeights,
                                                    reverse: Bool, states: Tensor, saved: RecurrentSaved, gradStates: Tensor)
        -> (x: Tensor, h0: Tensor, c0: Tensor?, ih: Tensor, hh: Tensor, ihBias: Tensor, hhBias: Tensor) {
        let steps = x.shape[0], batch = x.shape[1], input = x.shape[2], hidden = h0.shape[1]
        let width = C.gates * hidden, summed = (C.gates - C.separateGates) * hidden, apart = C.separateGates * hidden
        let dGates = Tensor(uninitializedShape: [steps, batch, width], dtype: x.dtype)
        let dRecurrent = apart > 0 ? Tensor(uninitializedShape: [steps, batch, apart], dtype: x.dtype) : nil
        // Gradients reaching the state from later steps: read (`carry`) and written (`next`).
        var carryH = Tensor.zeros([batch, hidden], dtype: x.dtype), nextH = Tensor.zeros([batch, hidden], dtype: x.dtype)
        var carryC = Tensor.zeros([batch, hidden], dtype: x.dtype), nextC = Tensor.zeros([batch, hidden], dtype: x.dtype)
        let scratch = Tensor(uninitializedShape: [batch, hidden], dtype: x.dtype)
        let dx = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let dih = Tensor(uninitializedShape: w.ih.shape, dtype: x.dtype), dhh = Tensor(uninitializedShape: w.hh.shape, dtype: x.dtype)
        func run<T: BLASElement>(_: T.Type) {
            let pg = saved.gates.pointer(T.self), pq = saved.recurrent?.pointer(T.self) ?? pg
            let ps = states.pointer(T.self), pgs = gradStates.pointer(T.self), pwhh = w.hh.pointer(T.self)
            let pdg = dGates.pointer(T.self), pdq = dRecurrent?.pointer(T.self) ?? pdg, work = scratch.pointer(T.self)
            let plane = steps * batch * hidden
            let h0p = UnsafePointer(h0.pointer(T.self)), c0p = C.hasCellState ? UnsafePointer(c0!.pointer(T.self)) : h0p
            for step in (0..<steps).reversed() {
                let t = reverse ? steps - 1 - step : step, previous = reverse ? t + 1 : t - 1
                let at = t * batch * hidden
                let hPrev = step == 0 ? h0p : UnsafePointer(ps + previous * batch * hidden)
                let cPrev = !C.hasCellState ? hPrev : step == 0 ? c0p : UnsafePointer(ps + plane + previous * batch * hidden)
                let cNow = C.hasCellState ? plane + at : at
                let (ch, nh, cc, nc) = (carryH.pointer(T.self), nextH.pointer(T.self), carryC.pointer(T.self), nextC.pointer(T.self))
                overRows(batch, hidden: hidden) { b in
                    let r = b * hidden, g = (t * batch + b) * width, a = (t * batch + b) * apart
                    let row = CellBackwardRow(p: pg + g, q: pq + a, hPrev: hPrev + r, cPrev: cPrev + r, h: ps + at + r, c: ps + cNow + r,
                                              gradH: pgs + at + r, carryH: ch + r, gradC: pgs + cNow + r, carryC: cc + r,
                                              dp: pdg + g, dq: pdq + a, dhPrev: nh + r, dcPrev: nc + r, scratch: work + r, hidden: hidden)
                    C.prepare(row)
                    forLanes(T.self, hidden, vector: { j in C.backward(unsafeBitCast(row, to: CellBackwardRow<Float>.self), j, SIMD8<Float>.self) },
                             scalar: { j in C.backward(row, j, ScalarLane<T>.self) })
                }
                gemm(false, false, batch, hidden, summed, pdg + t * batch * width, width, pwhh, hidden, nh, hidden, beta: 1)
                if apart > 0 {
                    gemm(false, false, batch, hidden, apart, pdq + t * batch * apart, apart, pwhh + summed * hidden, hidden, nh, hidden, beta: 1)
                }
                swap(&carryH, &nextH)
                swap(&carryC, &nextC)
            }
            let rows = steps * batch
            gemm(true, false, width, input, rows, pdg, width, x.pointer(T.self), input, dih.pointer(T.self), input)
            gemm(false, false, rows, input, width, pdg, width, w.ih.pointer(T.self), input, dx.pointer(T.self), input)
            // Each step's h₋₁ is the state one step earlier in processing order; the first
            // step's is h0, taken apart.
            let first = reverse ? steps - 1 : 0, rest = reverse ? 0 : 1
            func hhGradient(_ grad: UnsafeMutablePointer<T>, leading: Int, gateRows: Int, into target: UnsafeMutablePointer<T>) {
                gemm(true, false, gateRows, hidden, batch, grad + first * batch * leading, leading, h0p, hidden, target, hidden)
                if steps > 1 {
                    gemm(true, false, gateRows, hidden, (steps - 1) * batch, grad + rest * batch * leading, leading,
                         ps + (1 - rest) * batch * hidden, hidden, target, hidden, beta: 1)
                }
            }
            hhGradient(pdg, leading: width, gateRows: summed, into: dhh.pointer(T.self))
            if apart > 0 { hhGradient(pdq, leading: apart, gateRows: apart, into: dhh.pointer(T.self) + summed * hidden) }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        let ihBias = dGates.view([steps * batch, width]).sum(dim: 0)
        var hhBias = ihBias
        if let dRecurrent {
            hhBias = Tensor.cat([ihBias[0..<summed], dRecurrent.view([steps * batch, apart]).sum(dim: 0)])
        }
        return (dx, carryH, C.hasCellState ? carryC : nil, dih, dhh, ihBias, hhBias)
    }

    /// Sets each of `rows` rows of `width` elements to `a`, plus `b` on the first
    /// `b.count` elements (either absent: 0).
    private static func fillRows<T: FloatingElement>(_ p: UnsafeMutablePointer<T>, rows: Int, width: Int, _ a: Tensor?,
                                                     _ b: (tensor: Tensor?, count: Int), _: T.Type) {
        if let a { p.update(from: a.pointer(T.self), count: width) } else { p.update(repeating: 0, count: width) }
        if let extra = b.tensor {
            let pb = extra.pointer(T.self)
            for j in 0..<b.count { p[j] += pb[j] }
        }
        for r in 1..<Swift.max(rows, 1) { (p + r * width).update(from: p, count: width) }
    }

    /// Runs `body(b)` for each batch row, split across threads when the rows hold enough
    /// hidden units to pay for it.
    @inline(__always)
    private static func overRows(_ batch: Int, hidden: Int, _ body: (Int) -> Void) {
        Parallel.forChunks(batch, chunks: Swift.min(batch, Parallel.chunkCount(batch * hidden, grain: 2048))) { _, rows in
            for b in rows { body(b) }
        }
    }
}
