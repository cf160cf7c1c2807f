/// Walks up to three operands that share one logical shape but have their own strides
/// (broadcast strides are 0), calling a body once per innermost row rather than per
/// element, so the body is a tight loop the compiler can vectorise.
///
/// Dimensions that are contiguous in every operand are merged first, so a contiguous
/// tensor is one row and a transposed matrix is one row per output row.
struct StridedLoop {
    /// Merged shape; the last dimension is the row.
    let shape: [Int]
    /// Per-operand strides over the merged shape.
    let strides: [[Int]]

    init(shape: [Int], strides operandStrides: [[Int]]) {
        var mergedShape: [Int] = []
        var merged: [[Int]] = Array(repeating: [], count: operandStrides.count)
        for d in 0..<shape.count where shape[d] != 1 {
            if let last = mergedShape.last,
               operandStrides.indices.allSatisfy({ merged[$0].last! == operandStrides[$0][d] &* shape[d] }) {
                mergedShape[mergedShape.count - 1] = last &* shape[d]
                for k in operandStrides.indices { merged[k][merged[k].count - 1] = operandStrides[k][d] }
            } else {
                mergedShape.append(shape[d])
                for k in operandStrides.indices { merged[k].append(operandStrides[k][d]) }
            }
        }
        if mergedShape.isEmpty {
            mergedShape = [1]
            merged = merged.map { _ in [1] }
        }
        self.shape = mergedShape
        self.strides = merged
    }

    /// Length of each row.
    var rowLength: Int { shape.last! }
    /// Number of rows (none when a dimension is empty).
    var rowCount: Int { rowLength == 0 ? 0 : Shape.count(shape) / rowLength }

    /// Calls `body(offsets, rowStrides, rowLength)` for rows `rows` in order, where
    /// `offsets` are the operands' element offsets at the row start.
    @inline(__always)
    func forEachRow(_ rows: Range<Int>, _ body: (_ o0: Int, _ o1: Int, _ o2: Int) -> Void) {
        let outer = shape.count - 1
        let s0 = strides[0], s1 = strides.count > 1 ? strides[1] : s0, s2 = strides.count > 2 ? strides[2] : s0
        var index = [Int](repeating: 0, count: Swift.max(outer, 1))
        var o0 = 0, o1 = 0, o2 = 0
        var rest = rows.lowerBound
        for d in stride(from: outer - 1, through: 0, by: -1) {
            index[d] = rest % shape[d]
            rest /= shape[d]
            o0 &+= index[d] &* s0[d]; o1 &+= index[d] &* s1[d]; o2 &+= index[d] &* s2[d]
        }
        for _ in rows {
            body(o0, o1, o2)
            var d = outer - 1
            while d >= 0 {
                index[d] &+= 1
                o0 &+= s0[d]; o1 &+= s1[d]; o2 &+= s2[d]
                if index[d] < shape[d] { break }
                o0 &-= s0[d] &* shape[d]; o1 &-= s1[d] &* shape[d]; o2 &-= s2[d] &* shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}
