#if canImport(Glibc)
import Glibc
#endif

/// Printing, in PyTorch's style:
///
/// ```
/// tensor([[ 1.0000, -2.5000],
///         [ 0.0000,  3.0000]], requiresGrad: true)
/// ```
///
/// Large tensors show their first and last three entries along each dimension.
extension Tensor: CustomStringConvertible {
    public var description: String {
        let values = scalars(as: Double.self)
        let summarize = numel > 1000
        let formatter = ElementFormatter(dtype: dtype, values: values)
        var text = "tensor("
        text += render(values, formatter: formatter, summarize: summarize, indent: 7)
        var notes: [String] = []
        if ![.float32, .int64, .bool].contains(dtype) { notes.append("dtype: \(dtype)") }
        if ndim > 0 && numel == 0 { notes.append("shape: \(OpMessage.format(shape))") }
        if let name = gradFnName { notes.append("gradFn: \(name)") } else if requiresGrad { notes.append("requiresGrad: true") }
        return text + notes.map { ", " + $0 }.joined() + ")"
    }

    private func render(_ values: [Double], formatter: ElementFormatter, summarize: Bool, indent: Int) -> String {
        if ndim == 0 { return formatter.format(values[0]) }
        let strides = Shape.contiguousStrides(shape)
        func block(_ dim: Int, _ start: Int) -> String {
            let n = shape[dim]
            let shown: [Int?] = summarize && n > 6 ? [0, 1, 2, nil, n - 3, n - 2, n - 1] : (0..<n).map { $0 }
            if dim == ndim - 1 {
                return "[" + shown.map { i in i.map { formatter.format(values[start + $0]) } ?? "..." }.joined(separator: ", ") + "]"
            }
            let separator = "," + String(repeating: "\n", count: ndim - dim - 1) + String(repeating: " ", count: indent + dim + 1)
            return "[" + shown.map { i in i.map { block(dim + 1, start + $0 * strides[dim]) } ?? "..." }.joined(separator: separator) + "]"
        }
        return block(0, 0)
    }
}

/// Formats every element of one tensor to a common width, as PyTorch does: integers
/// plainly, floats with four decimals, or in scientific notation when they span a wide
/// range.
private struct ElementFormatter {
    let dtype: DType
    let scientific: Bool
    let width: Int

    init(dtype: DType, values: [Double]) {
        self.dtype = dtype
        let finite = values.filter { $0.isFinite }.map { Swift.abs($0) }
        let largest = finite.max() ?? 0, smallest = finite.filter { $0 > 0 }.min() ?? 0
        scientific = dtype.isFloatingPoint && (largest >= 1e8 || (smallest > 0 && smallest < 1e-4) || (smallest > 0 && largest / smallest > 1e6))
        var w = 0
        for v in values { w = Swift.max(w, Self.plain(v, dtype: dtype, scientific: scientific).count) }
        width = w
    }

    func format(_ v: Double) -> String {
        let s = Self.plain(v, dtype: dtype, scientific: scientific)
        return String(repeating: " ", count: Swift.max(0, width - s.count)) + s
    }

    private static func plain(_ v: Double, dtype: DType, scientific: Bool) -> String {
        switch dtype {
        case .bool: return v != 0 ? "true" : "false"
        case .int64, .int32: return String(Int64(v))
        case .float32, .float64:
            if v.isNaN { return "nan" }
            if v.isInfinite { return v > 0 ? "inf" : "-inf" }
            return scientific ? scientificString(v) : fixedString(v)
        }
    }

    private static func fixedString(_ v: Double) -> String {
        let scaled = (Swift.abs(v) * 10000).rounded()
        let whole = Int64(scaled / 10000), frac = Int64(scaled.truncatingRemainder(dividingBy: 10000))
        let digits = String(frac)
        return (v < 0 && scaled != 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: 4 - digits.count) + digits
    }

    private static func scientificString(_ v: Double) -> String {
        if v == 0 { return "0.0000e+00" }
        var exponent = Int(log10(Swift.abs(v)).rounded(.down))
        var mantissa = v / Glibc.pow(10, Double(exponent))
        if (Swift.abs(mantissa) * 10000).rounded() >= 100_000 {
            exponent += 1
            mantissa /= 10
        }
        let sign = exponent < 0 ? "-" : "+"
        let e = String(Swift.abs(exponent))
        return fixedString(mantissa) + "e" + sign + (e.count < 2 ? "0" + e : e)
    }
}
