#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A caching allocator for large buffers.
///
/// glibc hands blocks above 32 MB straight back to the kernel on `free`, and touching a
/// fresh page costs about 1.7 µs per 4 KB, so a training step that allocates the same
/// large activations every iteration would spend most of its time in page faults. Blocks
/// of at least `minimumCachedBytes` (128 KB) are kept on free lists keyed by their exact size and
/// handed out again; small blocks go to malloc, which is fast for them.
final class BufferCache: @unchecked Sendable {
    static let shared = BufferCache()

    /// Blocks smaller than this are not cached (glibc serves them from its heap; from
    /// 128 KB it maps fresh pages).
    let minimumCachedBytes = 1 << 17
    /// The most idle memory the cache keeps before it frees blocks.
    let capacityBytes = 2 << 30

    private struct Idle {
        var blocks: [Int: [UnsafeMutableRawPointer]] = [:]
        var bytes = 0
    }
    private let idle = Mutex(Idle())

    private init() {}

    /// Returns a 64-byte aligned block of at least `byteCount` bytes.
    func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = Swift.max(byteCount, 1)
        if size >= minimumCachedBytes {
            let reused = idle.withLock { idle -> UnsafeMutableRawPointer? in
                guard let block = idle.blocks[size]?.popLast() else { return nil }
                idle.bytes -= size
                return block
            }
            if let reused { return reused }
        }
        var block: UnsafeMutableRawPointer?
        let status = posix_memalign(&block, 64, size)
        precondition(status == 0 && block != nil, "allocation of \(size) bytes failed")
        return block!
    }

    /// Gives a block back; large blocks are kept for reuse while the cache has room.
    func release(_ block: UnsafeMutableRawPointer, byteCount: Int) {
        let size = Swift.max(byteCount, 1)
        if size >= minimumCachedBytes {
            let kept = idle.withLock { idle -> Bool in
                guard idle.bytes + size <= capacityBytes else { return false }
                idle.blocks[size, default: []].append(block)
                idle.bytes += size
                return true
            }
            if kept { return }
        }
        Glibc.free(block)
    }
}
