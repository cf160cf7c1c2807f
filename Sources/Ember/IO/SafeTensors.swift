import Foundation

/// Reading and writing the safetensors format, exactly as specified: an 8-byte
/// little-endian header length, a JSON header mapping each name to its `dtype`,
/// `shape` and `data_offsets` (relative to the data section), an optional
/// `__metadata__` object of strings, then the raw little-endian data.
///
/// Nothing read from a file is trusted: lengths and offsets are checked against the
/// file, and a malformed file is a thrown `SafeTensorsError` naming what is wrong.
public enum SafeTensors {
    /// The file's bytes for `tensors` (in the order given) and `metadata`.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        var payload: [Tensor] = []
        for (name, tensor) in tensors {
            guard name != "__metadata__", header[name] == nil else { throw SafeTensorsError("duplicate or reserved name '\(name)'") }
            let t = tensor.contiguous()
            let bytes = t.numel * t.dtype.itemSize
            header[name] = ["dtype": code(t.dtype), "shape": t.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
            payload.append(t)
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for t in payload {
            out.append(Data(bytes: t.storage.data + t.offset * t.dtype.itemSize, count: t.numel * t.dtype.itemSize))
        }
        return out
    }

    /// Writes `tensors` and `metadata` to `url` atomically: a temporary file in the same
    /// folder, then a rename, so a reader never sees half a file.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        let data = try encode(tensors, metadata: metadata)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try data.write(to: temporary)
            // rename(2) replaces the target atomically.
            guard rename(temporary.path, url.path) == 0 else { throw SafeTensorsError(String(cString: strerror(errno))) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw SafeTensorsError("cannot write \(url.path): \((error as? SafeTensorsError)?.message ?? error.localizedDescription)")
        }
    }

    /// The tensors (in file order) and metadata of a safetensors file's bytes.
    public static func decode(_ data: Data) throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        guard data.count >= 8 else { throw SafeTensorsError("file of \(data.count) bytes is shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(maxHeaderLength) else {
            throw SafeTensorsError("header length \(headerLength) is more than the format's limit of \(maxHeaderLength) bytes")
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw SafeTensorsError("header length \(headerLength) runs past the end of the \(data.count)-byte file")
        }
        let dataStart = 8 + Int(headerLength)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<dataStart))
        } catch {
            throw SafeTensorsError("header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw SafeTensorsError("header is not a JSON object") }
        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let m = raw as? [String: String] else { throw SafeTensorsError("__metadata__ must map strings to strings") }
            metadata = m
        }
        let bufferLength = data.count - dataStart
        var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any] else { throw SafeTensorsError("entry '\(name)' is not an object") }
            guard let code = info["dtype"] as? String else { throw SafeTensorsError("entry '\(name)' has no dtype") }
            guard let dtype = dtype(code) else { throw SafeTensorsError("entry '\(name)' has unsupported dtype \(code)") }
            guard let shape = integers(info["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw SafeTensorsError("entry '\(name)' has an invalid shape")
            }
            guard let offsets = integers(info["data_offsets"]), offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw SafeTensorsError("entry '\(name)' has invalid data_offsets")
            }
            guard offsets[1] <= bufferLength else {
                throw SafeTensorsError("entry '\(name)' ends at byte \(offsets[1]) of a \(bufferLength)-byte data section")
            }
            let (count, overflow) = shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            let (bytes, tooLarge) = count.multipliedReportingOverflow(by: dtype.itemSize)
            guard !overflow, !tooLarge, bytes == offsets[1] - offsets[0] else {
                let needs = overflow || tooLarge ? "more bytes than any file holds" : "\(bytes) bytes"
                throw SafeTensorsError("entry '\(name)': shape \(OpMessage.format(shape)) of \(dtype) needs \(needs), data_offsets give \(offsets[1] - offsets[0])")
            }
            entries.append((name, dtype, shape, offsets[0], offsets[1]))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var covered = 0
        for e in entries {
            guard e.begin >= covered else { throw SafeTensorsError("entry '\(e.name)' overlaps the entry before it") }
            guard e.begin == covered else { throw SafeTensorsError("data section has a gap before entry '\(e.name)'") }
            covered = e.end
        }
        guard covered == bufferLength else { throw SafeTensorsError("data section has \(bufferLength - covered) bytes no entry uses") }
        let tensors = data.withUnsafeBytes { raw in
            entries.map { e -> (name: String, tensor: Tensor) in
                let t = Tensor(uninitializedShape: e.shape, dtype: e.dtype)
                if e.end > e.begin {
                    t.storage.data.copyMemory(from: raw.baseAddress! + dataStart + e.begin, byteCount: e.end - e.begin)
                }
                return (e.name, t)
            }
        }
        return (tensors, metadata)
    }

    /// The longest header read, as the reference implementation's (100 MB).
    public static let maxHeaderLength = 100_000_000

    /// The tensors and metadata of the safetensors file at `url`: a regular file that
    /// fits in memory (`Memory.limit`), not a device or a pipe.
    public static func read(_ url: URL) throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        let data: Data
        do {
            data = try RegularFile.contents(of: url)
        } catch {
            throw SafeTensorsError("cannot read \(error)")
        }
        do {
            return try decode(data)
        } catch let error as SafeTensorsError {
            throw SafeTensorsError("\(url.path): \(error.message)")
        }
    }

    private static func code(_ dtype: DType) -> String {
        switch dtype {
        case .float32: "F32"
        case .float64: "F64"
        case .int64: "I64"
        case .int32: "I32"
        case .bool: "BOOL"
        }
    }

    private static func dtype(_ code: String) -> DType? {
        DType.allCases.first { self.code($0) == code }
    }

    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var out: [Int] = []
        for v in array {
            guard let n = v as? NSNumber, n.doubleValue == n.doubleValue.rounded(), abs(n.doubleValue) < 0x1p62 else { return nil }
            out.append(n.intValue)
        }
        return out
    }
}

/// A safetensors file that could not be read or written, and why.
public struct SafeTensorsError: Error, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { "invalid safetensors: \(message)" }
}
