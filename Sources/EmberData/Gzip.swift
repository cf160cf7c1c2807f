import CZlib
import Foundation

/// gzip decompression through zlib.
enum Gzip {
    /// Whether `data` starts with gzip's magic bytes.
    static func isCompressed(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// The decompressed bytes of a gzip stream; throws `DataError` if it is corrupt or
    /// truncated, or once its output passes `limit(output so far)` bytes: a format
    /// whose header announces its size stops a small file that inflates without end (a
    /// gzip bomb) about a megabyte past what it announced, not at the memory's end.
    static func decompress(_ data: Data, name: String, limit: (Data) throws -> Int = { _ in .max }) throws -> Data {
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError("\(name): cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        let status: Int32 = try data.withUnsafeBytes { input -> Int32 in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            var result = Z_OK
            repeat {
                result = buffer.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    let r = inflate(&stream, Z_NO_FLUSH)
                    output.append(out.baseAddress!, count: chunk - Int(stream.avail_out))
                    return r
                }
                let allowed = try limit(output)
                guard output.count <= allowed else {
                    throw DataError("\(name): decompresses to more than the \(allowed) bytes its header announces")
                }
            } while result == Z_OK
            return result
        }
        guard status == Z_STREAM_END else {
            throw DataError("\(name): corrupt or truncated gzip data (zlib status \(status))")
        }
        return output
    }
}
