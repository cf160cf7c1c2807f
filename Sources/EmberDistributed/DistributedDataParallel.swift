import Dispatch
import Ember
import EmberNN

/// Data-parallel training of one model by a group of processes, as PyTorch's
/// `DistributedDataParallel` does it: every process holds the same model and trains on
/// its own part of each batch, and after each backward pass the gradients are averaged
/// over the group, so every process takes the same optimizer step.
///
/// On creation, rank 0's parameters and buffers and its default generator's state are
/// copied to every process. Gradients travel in buckets filled in reverse order of the
/// parameters (the order backward completes them), as PyTorch fills them: a bucket
/// closes with the parameter that brings it to `firstBucketCapacity` bytes (1 MiB) for
/// the first, `bucketCapacity` (25 MiB) after, so the last layers' gradients start
/// early in a small bucket and the rest travel in few collectives. With `overlap`, a
/// bucket's average starts as soon as its last gradient is complete (a post-accumulate
/// hook) and each later hook moves the started ones on, while backward goes on;
/// `synchronize()` waits for them all after backward.
/// Buffers such as batch norm's running statistics stay each process's own, as in
/// PyTorch by default. Wrap a model once: each wrapper adds its hooks to the parameters.
///
/// With `gradientAsBucketView` (PyTorch's `gradient_as_bucket_view`), `synchronize()`
/// leaves each gradient a view of its bucket instead of copying the mean into it: one
/// pass over the gradients less a step, but a gradient then shares the bucket's memory,
/// which the next averaging overwrites, so `clone()` one that must outlive the step.
///
/// ```swift
/// let ddp = try DistributedDataParallel(model, communicator: world)
/// loss.backward()
/// try ddp.synchronize()   // every parameter's grad is now the group's mean
/// optimizer.step()
/// ```
public final class DistributedDataParallel {
    /// The group.
    public let communicator: any Communicator
    /// Whether buckets start averaging during backward.
    public let overlap: Bool
    /// Whether `synchronize()` leaves the gradients views of their buckets.
    public let gradientAsBucketView: Bool
    /// Seconds `synchronize()` spent waiting for communication, since creation.
    public private(set) var waitSeconds = 0.0
    /// The parameters' buckets, in the order they are launched.
    private let buckets: [Bucket]
    /// The bucket each parameter belongs to.
    private let bucketOf: [ObjectIdentifier: Int]
    /// The first failure of a collective started in a hook (hooks cannot throw).
    private var failure: Error?

    /// Wraps `model`'s training for `communicator`'s group, after making every
    /// process's model and default generator rank 0's. Throws if a collective fails.
    public init(_ model: Module, communicator: any Communicator, firstBucketCapacity: Int = 1 << 20,
                bucketCapacity: Int = 25 << 20, overlap: Bool = true, gradientAsBucketView: Bool = false) throws {
        precondition(firstBucketCapacity > 0 && bucketCapacity > 0,
                     "DistributedDataParallel: bucket capacities must be positive, got \(firstBucketCapacity) and \(bucketCapacity)")
        self.communicator = communicator
        self.overlap = overlap
        self.gradientAsBucketView = gradientAsBucketView
        try withNoGrad {
            for tensor in model.parameters().map({ $0 as Tensor }) + model.namedBuffers().map(\.buffer) {
                try Self.broadcast(tensor, communicator)
            }
            let generator = Tensor(Generator.default.state.map { Int64(bitPattern: $0) })
            try communicator.broadcast(generator, root: 0)
            Generator.default.state = generator.scalars(as: Int64.self).map { UInt64(bitPattern: $0) }
        }
        var buckets: [Bucket] = [], current: [Parameter] = [], bytes = 0
        func close() {
            if !current.isEmpty { buckets.append(Bucket(current)) }
            (current, bytes) = ([], 0)
        }
        for p in model.parameters().reversed() where p.requiresGrad {
            if let first = current.first, first.dtype != p.dtype { close() }
            current.append(p)
            bytes += p.numel * p.dtype.itemSize
            if bytes >= (buckets.isEmpty ? firstBucketCapacity : bucketCapacity) { close() }
        }
        close()
        self.buckets = buckets
        bucketOf = Dictionary(uniqueKeysWithValues: buckets.enumerated().flatMap { i, b in b.parameters.map { (ObjectIdentifier($0), i) } })
        guard overlap else { return }
        for bucket in buckets {
            for p in bucket.parameters {
                p.registerPostAccumulateGradHook { [weak self] p in self?.completed(p) }
            }
        }
    }

    /// How many parameters each bucket holds, in the order the buckets start.
    public var bucketSizes: [Int] { buckets.map(\.parameters.count) }

    /// Makes every parameter's gradient the group's mean of it: starts the buckets that
    /// backward has not started (all of them without `overlap`; a parameter without a
    /// gradient counts as zeros), waits for them in order and writes the means back (or,
    /// with `gradientAsBucketView`, makes each gradient its view of the bucket).
    /// Call it after each backward pass, before the optimizer step.
    public func synchronize() throws {
        if let failure {
            self.failure = nil
            throw failure
        }
        for bucket in buckets where bucket.pending == nil { try start(bucket) }
        let scale = 1 / Double(communicator.size)
        for bucket in buckets {
            let started = DispatchTime.now()
            try bucket.pending?.wait()
            waitSeconds += Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            bucket.pending = nil
            bucket.ready = 0
            withNoGrad {
                bucket.flat *= scale
                var offset = 0
                for p in bucket.parameters {
                    let mean = bucket.flat.narrow(dim: 0, start: offset, length: p.numel).reshape(p.shape)
                    if gradientAsBucketView {
                        p.grad = mean
                    } else if let grad = p.grad {
                        grad.copy(from: mean)
                    } else {
                        p.grad = mean.clone()
                    }
                    offset += p.numel
                }
            }
        }
    }

    /// A parameter's gradient is complete: its bucket starts when it is the last one, and
    /// the buckets already started move on (MPI progresses them only inside its calls).
    private func completed(_ p: Tensor) {
        guard let index = bucketOf[ObjectIdentifier(p)], failure == nil else { return }
        let bucket = buckets[index]
        bucket.ready += 1
        do {
            for started in buckets where started.pending != nil { _ = try started.pending?.test() }
            if bucket.ready == bucket.parameters.count && bucket.pending == nil { try start(bucket) }
        } catch {
            failure = error
        }
    }

    /// Copies the bucket's gradients into its flat buffer (a gradient left there as its
    /// view by the last step copies onto itself) and starts their sum.
    private func start(_ bucket: Bucket) throws {
        withNoGrad {
            var offset = 0
            for p in bucket.parameters {
                let slot = bucket.flat.narrow(dim: 0, start: offset, length: p.numel)
                if let grad = p.grad { slot.copy(from: grad.reshape([p.numel])) } else { slot.zero() }
                offset += p.numel
            }
        }
        bucket.pending = try communicator.startAllReduce(bucket.flat, op: .sum)
    }

    /// `tensor` made rank 0's on every process (through a copy if it is not contiguous).
    private static func broadcast(_ tensor: Tensor, _ communicator: any Communicator) throws {
        if tensor.isContiguous {
            try communicator.broadcast(tensor, root: 0)
        } else {
            let copy = tensor.contiguous()
            try communicator.broadcast(copy, root: 0)
            tensor.copy(from: copy)
        }
    }

    /// Parameters whose gradients are averaged together, through one flat buffer.
    private final class Bucket {
        let parameters: [Parameter]
        let flat: Tensor
        var ready = 0
        var pending: (any PendingCollective)?

        init(_ parameters: [Parameter]) {
            self.parameters = parameters
            flat = Tensor.zeros([parameters.map(\.numel).reduce(0, +)], dtype: parameters[0].dtype)
        }
    }
}
