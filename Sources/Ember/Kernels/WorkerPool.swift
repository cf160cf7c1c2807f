#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The threads parallel loops run on: the caller and `workers` helpers.
///
/// A helper that finishes a job spins for a short while (about 50 µs) waiting for the
/// next one, then sleeps on a condition variable. Training runs many parallel regions
/// of tens of microseconds back to back; waking a sleeping thread for each cost a tenth
/// of a step with Dispatch. Spinning is kept short because on a shared machine it takes
/// a core from someone else.
final class WorkerPool: @unchecked Sendable {
    /// One helper per extra core.
    static let shared = WorkerPool(workers: Swift.max(0, System.cpuCount - 1))

    private let workers: Int
    /// Bumped for every job; helpers watch it.
    private let generation = Atomic<Int>(0)
    /// The next chunk to hand out, tagged with its job's generation in the high bits,
    /// so a helper that wakes late can never claim a chunk of a newer job with an old body.
    private let ticket = Atomic<Int>(0)
    /// Chunks of the current job finished.
    private let finished = Atomic<Int>(0)
    /// The current job: generation, chunk count and the address of its body on the
    /// caller's stack.
    private let job = Mutex<(generation: Int, chunks: Int, body: UnsafeRawPointer?)>((0, 0, nil))
    private static let tagShift = 32
    /// One job at a time; a parallel loop started from inside a chunk runs inline.
    private let busy = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>

    private init(workers: Int) {
        self.workers = workers
        mutex = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        for _ in 0..<workers {
            var thread = pthread_t()
            let pool = Unmanaged.passRetained(self).toOpaque()
            pthread_create(&thread, nil, { raw in
                Unmanaged<WorkerPool>.fromOpaque(raw!).takeRetainedValue().work()
                return nil
            }, pool)
            pthread_detach(thread)
        }
    }

    /// Calls `body(i)` for every `i` in `0..<chunks`, spread over the caller and the
    /// helpers; returns when all are done.
    func run(chunks: Int, _ body: (Int) -> Void) {
        guard chunks > 1, workers > 0, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for i in 0..<chunks { body(i) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { escapable in
            var closure = escapable
            withUnsafePointer(to: &closure) { pointer in
                let tag = generation.load(ordering: .relaxed) + 1
                finished.store(0, ordering: .relaxed)
                ticket.store(tag << Self.tagShift, ordering: .releasing)
                job.withLock { $0 = (tag, chunks, UnsafeRawPointer(pointer)) }
                // Sequentially consistent, as is the helper's count of sleepers: with
                // release/acquire alone, this load and the helper's load of the generation
                // could both see old values, and the helper would sleep through the job.
                generation.store(tag, ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    pthread_mutex_lock(mutex)
                    pthread_cond_broadcast(wake)
                    pthread_mutex_unlock(mutex)
                }
                drain(tag, chunks, pointer)
                while finished.load(ordering: .acquiring) < chunks { spinPause() }
                job.withLock { $0 = (0, 0, nil) }
            }
        }
    }

    /// Claims and runs chunks of job `tag` until none are left (or a newer job began).
    private func drain(_ tag: Int, _ chunks: Int, _ body: UnsafePointer<(Int) -> Void>) {
        var current = ticket.load(ordering: .acquiring)
        while true {
            let i = current - tag << Self.tagShift
            guard current >> Self.tagShift == tag, i < chunks else { return }
            let (exchanged, seen) = ticket.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if !exchanged {
                current = seen
                continue
            }
            body.pointee(i)
            finished.add(1, ordering: .releasing)
            current = ticket.load(ordering: .acquiring)
        }
    }

    private func work() {
        // Generation 0 is the pool's start, before any job: a helper that starts late
        // must still see the first job (reading the generation here could skip it).
        var seen = 0
        while true {
            var spins = 0
            var start: timespec? = nil
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins & 63 == 0 {
                    var now = timespec()
                    clock_gettime(CLOCK_MONOTONIC, &now)
                    if start == nil { start = now }
                    if Self.microseconds(from: start!, to: now) > 50 { break }
                }
                spinPause()
            }
            if generation.load(ordering: .acquiring) == seen {
                pthread_mutex_lock(mutex)
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen { pthread_cond_wait(wake, mutex) }
                sleepers.subtract(1, ordering: .releasing)
                pthread_mutex_unlock(mutex)
            }
            seen = generation.load(ordering: .acquiring)
            let (tag, chunks, body) = job.withLock { $0 }
            if let body { drain(tag, chunks, body.assumingMemoryBound(to: ((Int) -> Void).self)) }
        }
    }

    private static func microseconds(from a: timespec, to b: timespec) -> Int {
        (b.tv_sec - a.tv_sec) * 1_000_000 + (b.tv_nsec - a.tv_nsec) / 1000
    }
}

/// A hint to the core that this thread is spinning.
@inline(__always)
private func spinPause() {
    sched_yield()
}
