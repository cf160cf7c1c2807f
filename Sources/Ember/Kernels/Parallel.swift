#if canImport(Glibc)
import Glibc
#endif

/// Splitting loops across cores, on `WorkerPool`'s threads. Work below `grain`
/// elements stays on the calling thread.
enum Parallel {
    /// Number of worker chunks large loops are split into.
    static var threads: Int = Swift.max(1, Swift.min(System.cpuCount, 8))

    /// Calls `body` on disjoint sub-ranges covering `0..<count`, in parallel when each
    /// chunk gets at least `grain` items.
    @inline(__always)
    static func forRange(_ count: Int, grain: Int = 1 << 17, _ body: (Range<Int>) -> Void) {
        forChunks(count, chunks: chunkCount(count, grain: grain)) { _, range in body(range) }
    }
}

extension Parallel {
    /// How many chunks `forChunks` splits `count` items into, given at least `grain` each.
    static func chunkCount(_ count: Int, grain: Int) -> Int {
        Swift.max(1, Swift.min(threads, count / Swift.max(grain, 1)))
    }

    /// Calls `body(chunk, range)` for `chunks` disjoint ranges covering `0..<count`, in
    /// parallel.
    static func forChunks(_ count: Int, chunks: Int, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        if chunks <= 1 {
            body(0, 0..<count)
            return
        }
        WorkerPool.shared.run(chunks: chunks) { i in
            body(i, count * i / chunks ..< count * (i + 1) / chunks)
        }
    }
}

/// Facts about the machine.
enum System {
    /// Online CPU cores.
    static let cpuCount: Int = {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }()
}

/// Sets how many threads Ember's loops use, matrix products included (PyTorch's
/// `torch.set_num_threads`).
public func setNumThreads(_ n: Int) {
    precondition(n >= 1, "setNumThreads: need at least one thread, got \(n)")
    Parallel.threads = n
}

/// Calls `body` on disjoint sub-ranges covering `0..<count`, split across Ember's
/// threads when each part gets at least `grain` items (for fused loops outside the core,
/// such as optimizer updates).
public func parallelFor(_ count: Int, grain: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
    Parallel.forRange(count, grain: grain, body)
}

/// Threads Ember's loops use.
public func numThreads() -> Int { Parallel.threads }
