import Ember

/// The four parameters of one recurrent layer in one direction, as PyTorch names them:
/// `weight_ih` `[gates·H, I]`, `weight_hh` `[gates·H, H]`, `bias_ih` and `bias_hh`
/// `[gates·H]`, all initialised from U(−1/√H, 1/√H).
struct RecurrentWeights {
    let ih: Parameter, hh: Parameter, ihBias: Parameter?, hhBias: Parameter?

    init(_ cell: RecurrentCellKind, input: Int, hidden: Int, bias: Bool, dtype: DType) {
        let bound = 1 / Double(hidden).squareRoot(), rows = cell.gates * hidden
        func make(_ shape: [Int]) -> Parameter { Parameter(Tensor.uniform(shape, low: -bound, high: bound, dtype: dtype)) }
        ih = make([rows, input])
        hh = make([rows, hidden])
        ihBias = bias ? make([rows]) : nil
        hhBias = bias ? make([rows]) : nil
    }

    /// The parameters with their names, each ending in `suffix` (`_l0`, `_l1_reverse`).
    func named(_ suffix: String) -> [(name: String, parameter: Parameter)] {
        [("weight_ih" + suffix, ih), ("weight_hh" + suffix, hh)]
            + [("bias_ih" + suffix, ihBias), ("bias_hh" + suffix, hhBias)].compactMap { name, p in p.map { (name, $0) } }
    }

    /// Runs this layer over `x` (`[T, B, I]`) from `h0` (and `c0`): `[S, T, B, H]`.
    func run(_ cell: RecurrentCellKind, _ x: Tensor, h0: Tensor, c0: Tensor?, reverse: Bool) -> Tensor {
        x.recurrentLayer(cell, h0: h0, c0: c0, weightIH: ih, weightHH: hh, biasIH: ihBias, biasHH: hhBias, reverse: reverse)
    }
}
