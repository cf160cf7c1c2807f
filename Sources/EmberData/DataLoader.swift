import Dispatch
import Ember
import Foundation
import Synchronization

/// Batches of a dataset, in order or shuffled, with the next batches prepared on a
/// background thread while the current one trains (PyTorch's `DataLoader`).
///
/// The order of epoch `e` comes from `Generator(seed: seed + e)`, so it depends only on
/// the seed and the epoch: a run resumed at an epoch sees the batches it would have.
/// With a `shard`, each of several processes sees its own part of that order, as
/// PyTorch's `DistributedSampler` deals it.
public struct DataLoader {
    /// One process's part of every epoch in data-parallel training (PyTorch's
    /// `DistributedSampler(num_replicas=count, rank=rank, drop_last=False)`): the
    /// epoch's order, shared by all, is padded with its own first samples to a multiple
    /// of `count`, and process `rank` takes every `count`-th sample from its `rank`-th.
    public struct Shard: Equatable, Sendable {
        /// This process, from 0.
        public let rank: Int
        /// Processes in all.
        public let count: Int

        /// Process `rank` of `count`.
        public init(rank: Int, count: Int) {
            precondition(count > 0 && rank >= 0 && rank < count, "DataLoader.Shard: rank \(rank) of \(count) processes")
            (self.rank, self.count) = (rank, count)
        }
    }

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
    /// This process's part of each epoch, in data-parallel training; nil: all of it.
    public let shard: Shard?

    /// Batches of `batchSize` samples of `dataset`, shuffled each epoch when `shuffle`,
    /// or `samplesPerEpoch` random draws per epoch when that is given; only `shard`'s
    /// part of them when that is given (`batchSize` is then this process's).
    public init(_ dataset: any Dataset, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                seed: UInt64 = 0, prefetch: Int = 2, samplesPerEpoch: Int? = nil, shard: Shard? = nil) {
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
        self.shard = shard
    }

    /// Samples this process sees each epoch.
    public var samples: Int {
        let all = samplesPerEpoch ?? dataset.count
        guard let shard else { return all }
        return (all + shard.count - 1) / shard.count
    }

    /// Batches per epoch.
    public var count: Int {
        dropLast ? samples / batchSize : (samples + batchSize - 1) / batchSize
    }

    /// The sample indices of each batch of epoch `epoch`.
    public func batchIndices(epoch: Int) -> [[Int]] {
        let generator = Generator(seed: seed &+ UInt64(epoch))
        var order: [Int]
        if let samplesPerEpoch {
            order = Tensor.randint(0, dataset.count, [samplesPerEpoch], generator: generator).ints
        } else {
            order = shuffle ? Tensor.randperm(dataset.count, generator: generator).ints : Array(0..<dataset.count)
        }
        if let shard, !order.isEmpty {
            let padded = samples * shard.count
            while order.count < padded { order += order.prefix(padded - order.count) }
            order = stride(from: shard.rank, to: padded, by: shard.count).map { order[$0] }
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
