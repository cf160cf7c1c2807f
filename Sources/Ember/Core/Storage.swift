#if canImport(Glibc)
import Glibc
#endif

/// A block of memory that one or more tensors view. Views (transpose, slice, expand,
/// reshape of contiguous data) share one `Storage`; it is freed when the last is gone.
final class Storage: @unchecked Sendable {
    /// The start of the block, 64-byte aligned.
    let data: UnsafeMutableRawPointer
    /// Size of the block in bytes.
    let byteCount: Int

    /// Allocates `byteCount` uninitialised bytes.
    init(byteCount: Int) {
        self.byteCount = byteCount
        self.data = BufferCache.shared.allocate(byteCount: byteCount)
    }

    /// Allocates `byteCount` bytes set to zero.
    convenience init(zeroedByteCount byteCount: Int) {
        self.init(byteCount: byteCount)
        memset(data, 0, byteCount)
    }

    deinit { BufferCache.shared.release(data, byteCount: byteCount) }
}
