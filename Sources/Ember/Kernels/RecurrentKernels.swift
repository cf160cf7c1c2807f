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

    /// How a layer's steps split across threads: chunk `i` owns hidden units `units[i]`
    /// of every gate. Each step is then one parallel region, in which a chunk computes
    /// its units' recurrent projections (from all of `h₋₁`) and their cell arithmetic,
    /// and, going backward, its units' share of the gradient reaching `h₋₁`. Ranges start
    /// on multiples of eight, the cell's lanes.
    struct RecurrentPartition {
        let units: [Range<Int>]
        let gates: Int, separateGates: Int, hidden: Int

        init<C: RecurrentCell>(_: C.Type, batch: Int, hidden: Int) {
            let count = Swift.max(1, Swift.min(Parallel.chunkCount(batch * C.gates * hidden * hidden, grain: gemmGrain), hidden / 8))
            func bound(_ i: Int) -> Int { i == count ? hidden : hidden * i / count / 8 * 8 }
            units = (0..<count).map { bound($0) ..< bound($0 + 1) }
            gates = C.gates
            separateGates = C.separateGates
            self.hidden = hidden
        }

        /// Runs `body(chunk, units)` for every chunk, in parallel.
        func forEachChunk(_ body: (Int, Range<Int>) -> Void) {
            Parallel.forChunks(units.count, chunks: units.count) { chunk, _ in body(chunk, units[chunk]) }
        }

        /// The gates whose recurrent products a chunk of `units` runs as one: each gate
        /// alone, or, when the chunk owns every unit, the summed gates together and the
        /// separate ones together (their rows of `Wₕₕ` and columns of the projections
        /// are then contiguous).
        func gateBlocks(_ units: Range<Int>) -> [Range<Int>] {
            guard units.count == hidden else { return (0..<gates).map { $0 ..< $0 + 1 } }
            let summed = gates - separateGates
            return [0..<summed] + (separateGates > 0 ? [summed..<gates] : [])
        }

        /// `pack(units, gates)` for every chunk and each of its gate blocks, each chunk
        /// packing its own (in parallel, and into the cache of the thread that will most
        /// likely use it).
        func packed<T>(_ pack: (Range<Int>, Range<Int>) -> PackedMatrix<T>) -> [[(gates: Range<Int>, matrix: PackedMatrix<T>)]] {
            var matrices = [[(gates: Range<Int>, matrix: PackedMatrix<T>)]](repeating: [], count: units.count)
            matrices.withUnsafeMutableBufferPointer { slots in
                forEachChunk { chunk, units in slots[chunk] = gateBlocks(units).map { ($0, pack(units, $0)) } }
            }
            return matrices
        }

        /// The column sums of `rows` rows of `gateCount`·H into `sums` (`[gateCount·H]`),
        /// each chunk summing its own units' columns.
        func columnSums<T: FloatingElement>(_ p: UnsafePointer<T>, rows: Int, gateCount: Int,
                                            into sums: UnsafeMutablePointer<T>) {
            let width = gateCount * hidden
            forEachChunk { _, units in
                for gate in 0..<gateCount {
                    let columns = gate * hidden + units.lowerBound
                    (sums + columns).update(repeating: 0, count: units.count)
                    T.addRows(p + columns, width, sums + columns, 0, rows: rows, width: units.count)
                }
            }
        }
    }

    /// Runs `cell` over the sequence `x` (`[T, B, I]`, contiguous) from `h0` (and `c0`),
    /// `[B, H]`, backwards in time if `reverse`. Returns the states at every step,
    /// `[S, T, B, H]` (S = 2 with a cell state: h then c), indexed by input position.
    ///
    /// The input projection of all steps is one GEMM. `Wₕₕ` is packed once, split by the
    /// chunks of a `RecurrentPartition`; each step is one parallel region of the chunks'
    /// recurrent products and cell arithmetic.
    static func recurrentForward<C: RecurrentCell>(_: C.Type, _ x: Tensor, h0: Tensor, c0: Tensor?, _ w: RecurrentWeights,
                                                   reverse: Bool) -> (states: Tensor, saved: RecurrentSaved) {
        let steps = x.shape[0], batch = x.shape[1], input = x.shape[2], hidden = h0.shape[1]
        let width = C.gates * hidden, summed = (C.gates - C.separateGates) * hidden, apart = C.separateGates * hidden
        let states = Tensor(uninitializedShape: [C.hasCellState ? 2 : 1, steps, batch, hidden], dtype: x.dtype)
        let gates = Tensor(uninitializedShape: [steps, batch, width], dtype: x.dtype)
        let recurrent = apart > 0 ? Tensor(uninitializedShape: [steps, batch, apart], dtype: x.dtype) : nil
        let partition = RecurrentPartition(C.self, batch: batch, hidden: hidden)
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
            // Wₕₕᵀ's columns for each chunk's units, by gate block, packed by the chunk (a
            // single step, such as generating a token, is not worth packing for).
            let weights = partition.packed { units, block in
                PackedMatrix(pwhh + (block.lowerBound * hidden + units.lowerBound) * hidden, leading: hidden, transposed: true,
                             k: hidden, n: block.count * units.count, pack: steps > 1)
            }
            for step in 0..<steps {
                let t = reverse ? steps - 1 - step : step, previous = reverse ? t + 1 : t - 1
                let hPrev = step == 0 ? UnsafePointer(h0.pointer(T.self)) : UnsafePointer(ps + previous * batch * hidden)
                let cPrev = !C.hasCellState ? hPrev : step == 0 ? UnsafePointer(c0!.pointer(T.self)) : UnsafePointer(ps + plane + previous * batch * hidden)
                let gatesAt = pg + t * batch * width, recurrentAt = pq + t * batch * apart
                let h = ps + t * batch * hidden
                partition.forEachChunk { chunk, units in
                    let u = units.lowerBound
                    for (block, matrix) in weights[chunk] {
                        let column = block.lowerBound * hidden + u
                        let (target, leading) = column < summed ? (gatesAt + column, width) : (recurrentAt + column - summed, apart)
                        matrix.multiply(m: batch, hPrev, lda: hidden, into: target, ldc: leading, accumulate: true)
                    }
                    for b in 0..<batch {
                        let r = b * hidden + u
                        let row = CellForwardRow(p: gatesAt + b * width + u, q: recurrentAt + b * apart + u,
                                                 hPrev: hPrev + r, cPrev: cPrev + r, h: h + r, c: (C.hasCellState ? h + plane : h) + r,
                                                 hidden: hidden, count: units.count)
                        C.forwardRow(row)
                    }
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return (states, RecurrentSaved(gates: gates, recurrent: recurrent))
    }

    /// Gradients of `recurrentForward` given the gradient of its states `gradStates`
    /// (`[S, T, B, H]`, contiguous): for `x`, `h0`, `c0`, then the weights and biases.
    ///
    /// Only the step-to-step part runs step by step, one parallel region a step: each
    /// chunk's cell backward pass over its units, then its units' share of the gradient
    /// reaching `h₋₁` through `Wₕₕ` (a partial sum the next step adds up). The weight
    /// gradients and the input's are one GEMM each over all steps.
    static func recurrentBackward<C: RecurrentCell>(_: C.Type, _ x: Tensor, h0: Tensor, c0: Tensor?, _ w: RecurrentWeights,
                                                    reverse: Bool, states: Tensor, saved: RecurrentSaved, gradStates: Tensor)
        -> (x: Tensor, h0: Tensor, c0: Tensor?, ih: Tensor, hh: Tensor, ihBias: Tensor, hhBias: Tensor) {
        let steps = x.shape[0], batch = x.shape[1], input = x.shape[2], hidden = h0.shape[1]
        let width = C.gates * hidden, summed = (C.gates - C.separateGates) * hidden, apart = C.separateGates * hidden
        let partition = RecurrentPartition(C.self, batch: batch, hidden: hidden)
        let chunks = partition.units.count
        let dGates = Tensor(uninitializedShape: [steps, batch, width], dtype: x.dtype)
        let dRecurrent = apart > 0 ? Tensor(uninitializedShape: [steps, batch, apart], dtype: x.dtype) : nil
        // Gradients reaching the previous state, read (`partials`, `direct`, `carryC`) and
        // written (`next…`): through Wₕₕ, one partial sum per chunk; by other paths; to c₋₁.
        var partials = Tensor.zeros([chunks, batch, hidden], dtype: x.dtype)
        var nextPartials = Tensor(uninitializedShape: [chunks, batch, hidden], dtype: x.dtype)
        var direct = Tensor.zeros([batch, hidden], dtype: x.dtype), nextDirect = Tensor.zeros([batch, hidden], dtype: x.dtype)
        var carryC = Tensor.zeros([batch, hidden], dtype: x.dtype), nextC = Tensor.zeros([batch, hidden], dtype: x.dtype)
        let carryH = Tensor(uninitializedShape: [batch, hidden], dtype: x.dtype)
        let scratch = Tensor(uninitializedShape: [batch, hidden], dtype: x.dtype)
        let dx = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let dih = Tensor(uninitializedShape: w.ih.shape, dtype: x.dtype), dhh = Tensor(uninitializedShape: w.hh.shape, dtype: x.dtype)
        // With no separate gates, bₕₕ's gradient is bᵢₕ's.
        let ihBias = Tensor(uninitializedShape: [width], dtype: x.dtype)
        let hhBias = apart > 0 ? Tensor(uninitializedShape: [width], dtype: x.dtype) : ihBias
        func run<T: BLASElement>(_: T.Type) {
            let pg = saved.gates.pointer(T.self), pq = saved.recurrent?.pointer(T.self) ?? pg
            let ps = states.pointer(T.self), pgs = gradStates.pointer(T.self), pwhh = w.hh.pointer(T.self)
            let pdg = dGates.pointer(T.self), pdq = dRecurrent?.pointer(T.self) ?? pdg, work = scratch.pointer(T.self)
            let ch = carryH.pointer(T.self)
            let plane = steps * batch * hidden
            let h0p = UnsafePointer(h0.pointer(T.self)), c0p = C.hasCellState ? UnsafePointer(c0!.pointer(T.self)) : h0p
            // Wₕₕ's rows for each chunk's units, by gate block, packed by the chunk.
            let weights = partition.packed { units, block in
                PackedMatrix(pwhh + (block.lowerBound * hidden + units.lowerBound) * hidden, leading: hidden, transposed: false,
                             k: block.count * units.count, n: hidden, pack: steps > 1)
            }
            /// The gradient reaching `h` from the step processed before, for `units`, into `ch`.
            func gatherCarry(_ units: Range<Int>) {
                let u = units.lowerBound, pp = partials.pointer(T.self)
                T.copyRows(direct.pointer(T.self) + u, hidden, ch + u, hidden, rows: batch, width: units.count)
                for chunk in 0..<chunks {
                    T.addRows(pp + chunk * batch * hidden + u, hidden, ch + u, hidden, rows: batch, width: units.count)
                }
            }
            for step in (0..<steps).reversed() {
                let t = reverse ? steps - 1 - step : step, previous = reverse ? t + 1 : t - 1
                let at = t * batch * hidden
                let hPrev = step == 0 ? h0p : UnsafePointer(ps + previous * batch * hidden)
                let cPrev = !C.hasCellState ? hPrev : step == 0 ? c0p : UnsafePointer(ps + plane + previous * batch * hidden)
                let cNow = C.hasCellState ? plane + at : at
                let (cc, nc, nd, np) = (carryC.pointer(T.self), nextC.pointer(T.self), nextDirect.pointer(T.self),
                                        nextPartials.pointer(T.self))
                partition.forEachChunk { chunk, units in
                    let u = units.lowerBound
                    gatherCarry(units)
                    for b in 0..<batch {
                        let r = b * hidden + u, g = (t * batch + b) * width + u, a = (t * batch + b) * apart + u
                        let row = CellBackwardRow(p: pg + g, q: pq + a, hPrev: hPrev + r, cPrev: cPrev + r, h: ps + at + r, c: ps + cNow + r,
                                                  gradH: pgs + at + r, carryH: ch + r, gradC: pgs + cNow + r, carryC: cc + r,
                                                  dp: pdg + g, dq: pdq + a, dhPrev: nd + r, dcPrev: nc + r, scratch: work + r,
                                                  hidden: hidden, count: units.count)
                        C.backwardRow(row)
                    }
                    for (index, (block, matrix)) in weights[chunk].enumerated() {
                        let column = block.lowerBound * hidden + u
                        let (source, leading) = column < summed ? (pdg + t * batch * width + column, width)
                                                                : (pdq + t * batch * apart + column - summed, apart)
                        matrix.multiply(m: batch, source, lda: leading, into: np + chunk * batch * hidden, ldc: hidden,
                                        accumulate: index > 0)
                    }
                }
                swap(&partials, &nextPartials)
                swap(&direct, &nextDirect)
                swap(&carryC, &nextC)
            }
            gatherCarry(0..<hidden)
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
            partition.columnSums(pdg, rows: rows, gateCount: C.gates, into: ihBias.pointer(T.self))
            if apart > 0 {
                let pb = hhBias.pointer(T.self)
                pb.update(from: ihBias.pointer(T.self), count: summed)
                partition.columnSums(pdq, rows: rows, gateCount: C.separateGates, into: pb + summed)
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
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
        Parallel.forRange(Swift.max(rows - 1, 0), grain: Swift.max(1, (1 << 16) / Swift.max(width, 1))) { copies in
            T.copyRows(p, 0, p + (copies.lowerBound + 1) * width, width, rows: copies.count, width: width)
        }
    }
}
