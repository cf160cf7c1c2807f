import Ember
import Foundation

/// The IDX format of MNIST and Fashion-MNIST, plain or gzip-compressed: a big-endian
/// magic number (two zero bytes, a type code, the number of dimensions), one big-endian
/// 32-bit size per dimension, then the data. Only unsigned bytes (type 0x08) hold
/// images and labels, and only they are read.
public enum IDX {
    /// The array in an IDX file's bytes, as uint8 values widened to `dtype`.
    public static func decode(_ bytes: Data, name: String = "IDX data", dtype: DType = .float32) throws -> Tensor {
        let data = Gzip.isCompressed(bytes) ? try Gzip.decompress(bytes, name: name) : bytes
        guard data.count >= 4 else { throw DataError("\(name): \(data.count) bytes is too short for an IDX header") }
        let header = [UInt8](data.prefix(4))
        guard header[0] == 0, header[1] == 0 else { throw DataError("\(name): not an IDX file (bad magic number)") }
        guard header[2] == 0x08 else {
            throw DataError("\(name): IDX element type 0x\(String(header[2], radix: 16)) is not supported (only unsigned bytes, 0x08)")
        }
        let rank = Int(header[3])
        guard rank >= 1 else { throw DataError("\(name): IDX file declares no dimensions") }
        guard data.count >= 4 + 4 * rank else { throw DataError("\(name): IDX header for \(rank) dimensions is truncated") }
        let shape = (0..<rank).map { i in
            data.dropFirst(4 + 4 * i).prefix(4).reduce(0) { $0 << 8 | Int($1) }
        }
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        let payload = data.count - 4 - 4 * rank
        guard count == payload else {
            throw DataError("\(name): header declares shape \(OpMessage.format(shape)) (\(count) values) but the file holds \(payload)")
        }
        let values = [UInt8](data.dropFirst(4 + 4 * rank))
        switch dtype {
        case .float32: return Tensor(values.map(Float.init), shape: shape)
        case .float64: return Tensor(values.map(Double.init), shape: shape)
        case .int64: return Tensor(values.map(Int64.init), shape: shape)
        case .int32: return Tensor(values.map(Int32.init), shape: shape)
        case .bool: return Tensor(values.map { $0 != 0 }, shape: shape)
        }
    }

    /// The array in the IDX file at `url`.
    public static func read(_ url: URL, dtype: DType = .float32) throws -> Tensor {
        guard let bytes = FileManager.default.contents(atPath: url.path) else {
            throw DataError("cannot read \(url.path): no such file or not readable")
        }
        return try decode(bytes, name: url.path, dtype: dtype)
    }
}
