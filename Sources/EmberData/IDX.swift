import Ember
import Foundation

/// The IDX format of MNIST and Fashion-MNIST, plain or gzip-compressed: a big-endian
/// magic number (two zero bytes, a type code, the number of dimensions), one big-endian
/// 32-bit size per dimension, then the data. Only unsigned bytes (type 0x08) hold
/// images and labels, and only they are read.
public enum IDX {
    /// The array in an IDX file's bytes, as uint8 values widened to `dtype`. Compressed
    /// bytes are inflated no further than the size the header announces.
    public static func decode(_ bytes: Data, name: String = "IDX data", dtype: DType = .float32) throws -> Tensor {
        let data = Gzip.isCompressed(bytes) ? try Gzip.decompress(bytes, name: name, limit: { try announcedSize($0, name: name) ?? .max }) : bytes
        guard let (shape, headerSize) = try header(data, name: name) else {
            throw DataError("\(name): \(data.count) bytes is too short for its IDX header")
        }
        let count = shape.contains(0) ? 0 : shape.reduce(1, *)
        let payload = data.count - headerSize
        guard count == payload else {
            throw DataError("\(name): header declares shape \(OpMessage.format(shape)) (\(count) values) but the file holds \(payload)")
        }
        let values = [UInt8](data.dropFirst(headerSize))
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
        let bytes: Data
        do {
            bytes = try RegularFile.contents(of: url)
        } catch {
            throw DataError("cannot read \(error)")
        }
        return try decode(bytes, name: url.path, dtype: dtype)
    }

    /// The shape an IDX header declares and the header's length, or nil if `data` is too
    /// short to hold it; throws if what it holds is not an IDX header of unsigned bytes,
    /// or declares more values than any file holds.
    private static func header(_ data: Data, name: String) throws -> (shape: [Int], size: Int)? {
        guard data.count >= 4 else { return nil }
        let magic = [UInt8](data.prefix(4))
        guard magic[0] == 0, magic[1] == 0 else { throw DataError("\(name): not an IDX file (bad magic number)") }
        guard magic[2] == 0x08 else {
            throw DataError("\(name): IDX element type 0x\(String(magic[2], radix: 16)) is not supported (only unsigned bytes, 0x08)")
        }
        let rank = Int(magic[3])
        guard rank >= 1 else { throw DataError("\(name): IDX file declares no dimensions") }
        guard data.count >= 4 + 4 * rank else { return nil }
        let shape = (0..<rank).map { i in data.dropFirst(4 + 4 * i).prefix(4).reduce(0) { $0 << 8 | Int($1) } }
        // Every product of the sizes (strides too) must fit, zeros aside.
        var product = 1
        for size in shape where size > 0 {
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            guard !overflow else { throw DataError("\(name): header declares shape \(OpMessage.format(shape)), more values than any file holds") }
            product = next
        }
        return (shape, 4 + 4 * rank)
    }

    /// The bytes a file whose decompressed start is `prefix` announces (header and
    /// values), once the prefix holds its header; throws if they cannot fit in memory.
    private static func announcedSize(_ prefix: Data, name: String) throws -> Int? {
        guard let (shape, headerSize) = try header(prefix, name: name) else { return nil }
        let (size, overflow) = headerSize.addingReportingOverflow(shape.contains(0) ? 0 : shape.reduce(1, *))
        guard !overflow, Memory.limit <= 0 || size <= Memory.limit else {
            throw DataError("\(name): header declares shape \(OpMessage.format(shape)), more than the \(Memory.describe(Memory.limit)) of memory")
        }
        return size
    }
}
