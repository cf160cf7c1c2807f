import Dispatch
import Ember
import Foundation
import Synchronization

/// Batches of a dataset, in order or shuffled, with the next batches prepared on a
/// background thread while the current one trains (PyTorch's `DataLoader`).
///
/// The order of epoch `e` comes from `Generator(seed: seed + e)`, so it depends only on
/// the seed and the epoch: a run resumed at an epoch sees the batches it would have.
public struct DataLoader {
    /// The samples.
    public let dataset: any Dataset
    /// Samples per batch.
    public let batchSize: Int
    /// Whether each epoch visits the samples in a new random order.
    public let shuffle: Bool
    /// Whether to leave out a last, smaller batch.
    public let dropLast: Bool
    /// Seed of the shuffling.
    public let seed: UInt64
    /// Batches prepared ahead (0: prepare each on demand, on the caller's thread).
    public let prefetch: Int
    /// If set, each epoch draws this many samples uniformly at random with replacement
    /// instead of visiting every sample once (PyTorch's
    /// `RandomSampler(replacement=True, num_samples=...)`): random windows of a text.
    public let samplesPerEpoch: Int?

    /// Batches of `batchSize` samples of `dataset`, shuffled each epoch when `shuffle`,
    /// or `samplesPerEpoch` random draws per epoch when that is given.
    public init(_ dataset: any Dataset, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                seed: UInt64 = 0, prefetch: Int = 2, samplesPerEpoch: Int? = nil) {
        precondition(batchSize > 0, "DataLoader: batchSize must be positive, got \(batchSize)")
        precondition(prefetch >= 0, "DataLoader: prefetch must be non-negative, got \(prefetch)")
        if let samplesPerEpoch {
            precondition(samplesPerEpoch > 0 && dataset.count > 0,
                         "DataLoader: samplesPerEpoch \(samplesPerEpoch) draws need a positive count and a non-empty dataset")
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.prefetch = prefetch
        self.samplesPerEpoch = samplesPerEpoch
    }

    /// Batches per epoch.
    public var count: Int {
        let samples = samplesPerEpoch ?? dataset.count
        return dropLast ? samples / batchSize : (samples + batchSize - 1) / batchSize
    }

    /// The sample indices of each batch of epoch `epoch`.
    public func batchIndices(epoch: Int) -> [[Int]] {
        let generator = Generator(seed: seed &+ UInt64(epoch))
        let order: [Int]
        if let samplesPerEpoch {
            order = Tensor.randint(0, dataset.count, [samplesPerEpoch], generator: generator).ints
        } else {
            order = shuffle ? Tensor.randperm(dataset.count, generator: generator).ints : Array(0..<dataset.count)
        }
        return (0..<count).map { b in Array(order[(b * batchSize)..<Swift.min((b + 1) * batchSize, order.count)]) }
    }

    /// The batches of epoch `epoch`, in order.
    public func batches(epoch: Int) -> BatchSequence {
        BatchSequence(dataset: dataset, indices: batchIndices(epoch: epoch), prefetch: prefetch)
    }
}

/// One epoch's batches; iterating starts the background preparation.
public struct BatchSequence: Sequence {
    let dataset: any Dataset
    let indices: [[Int]]
    let prefetch: Int

    /// Number of batches.
    public var count: Int { indices.count }

    public func makeIterator() -> Iterator { Iterator(dataset: dataset, indices: indices, prefetch: prefetch) }

    /// Hands out batches in order; with prefetching, a background thread keeps up to
    /// `prefetch` batches ready and stops early if the iterator is dropped.
    public final class Iterator: IteratorProtocol {
        private let dataset: any Dataset
        private let indices: [[Int]]
        private var position = 0
        private let prefetcher: Prefetcher?

        init(dataset: any Dataset, indices: [[Int]], prefetch: Int) {
            self.dataset = dataset
            self.indices = indices
            prefetcher = prefetch > 0 && !indices.isEmpty ? Prefetcher(dataset: dataset, indices: indices, depth: prefetch) : nil
        }

        public func next() -> Batch? {
            guard position < indices.count else { return nil }
            defer { position += 1 }
            return prefetcher?.take() ?? dataset.batch(indices[position])
        }

        deinit { prefetcher?.cancel() }
    }
}

/// A producer thread filling a bounded queue of batches.
private final class Prefetcher: @unchecked Sendable {
    private let ready = DispatchSemaphore(value: 0)
    // Created at zero and signalled up to the depth: libdispatch traps when a semaphore
    // is freed below the value it was created with.
    private let free = DispatchSemaphore(value: 0)
    private let queue = Mutex<(batches: [Batch], cancelled: Bool)>(([], false))

    init(dataset: any Dataset, indices: [[Int]], depth: Int) {
        for _ in 0..<depth { free.signal() }
        let box = UncheckedBox(dataset)
        Thread.detachNewThread { [self] in
            for batch in indices {
                free.wait()
                if queue.withLock({ $0.cancelled }) { return }
                let prepared = box.value.batch(batch)
                queue.withLock { $0.batches.append(prepared) }
                ready.signal()
            }
        }
    }

    /// The next batch, waiting for it if it is not ready yet.
    func take() -> Batch {
        ready.wait()
        let batch = queue.withLock { $0.batches.removeFirst() }
        free.signal()
        return batch
    }

    /// Stops the producer after the batch it is preparing.
    func cancel() {
        queue.withLock { $0.cancelled = true }
        free.signal()
    }
}

/// Carries a non-Sendable value to the producer thread, which alone uses it.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
