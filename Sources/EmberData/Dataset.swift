import Ember

/// Inputs and targets of a batch; the first dimension of both is the batch.
public struct Batch {
    /// `[B, ...]` inputs.
    public let inputs: Tensor
    /// `[B, ...]` targets (class indices for classifiers).
    public let targets: Tensor

    /// A batch of `inputs` and `targets`.
    public init(inputs: Tensor, targets: Tensor) {
        self.inputs = inputs
        self.targets = targets
    }
}

/// Samples addressed by index (PyTorch's map-style `Dataset`), gathered a batch at a
/// time so a batch is one indexing op, not a loop over samples.
public protocol Dataset {
    /// Number of samples.
    var count: Int { get }
    /// The samples at `indices`, stacked.
    func batch(_ indices: [Int]) -> Batch
}

/// Samples that are rows of two tensors (PyTorch's `TensorDataset`).
public struct TensorDataset: Dataset {
    /// `[N, ...]`.
    public let inputs: Tensor
    /// `[N, ...]`.
    public let targets: Tensor

    /// Samples that are the rows of `inputs` (`[N, ...]`) and `targets` (`[N, ...]`).
    public init(inputs: Tensor, targets: Tensor) {
        precondition(inputs.ndim >= 1 && targets.ndim >= 1 && inputs.shape[0] == targets.shape[0],
                     "TensorDataset: inputs \(OpMessage.format(inputs.shape)) and targets \(OpMessage.format(targets.shape)) need the same first dimension")
        self.inputs = inputs
        self.targets = targets
    }

    public var count: Int { inputs.shape[0] }

    public func batch(_ indices: [Int]) -> Batch {
        let index = Tensor(indices)
        return Batch(inputs: inputs.indexSelect(dim: 0, index: index), targets: targets.indexSelect(dim: 0, index: index))
    }
}

/// The samples of another dataset at given positions (PyTorch's `Subset`).
public struct Subset: Dataset {
    /// The dataset drawn from.
    public let base: any Dataset
    /// Positions in `base`.
    public let indices: [Int]

    /// The samples of `base` at `indices`, in that order.
    public init(_ base: any Dataset, indices: [Int]) {
        precondition(indices.allSatisfy { $0 >= 0 && $0 < base.count }, "Subset: index out of range for \(base.count) samples")
        self.base = base
        self.indices = indices
    }

    public var count: Int { indices.count }

    public func batch(_ positions: [Int]) -> Batch { base.batch(positions.map { indices[$0] }) }
}

/// Splits `dataset` into a training part and a validation part of `validationCount`
/// samples, chosen by a seeded shuffle (the same seed gives the same split).
public func trainValidationSplit(_ dataset: any Dataset, validationCount: Int, seed: UInt64) -> (train: Subset, validation: Subset) {
    precondition(validationCount >= 0 && validationCount < dataset.count,
                 "trainValidationSplit: validationCount \(validationCount) must be in 0..<\(dataset.count)")
    let order = Tensor.randperm(dataset.count, generator: Generator(seed: seed)).ints
    return (Subset(dataset, indices: Array(order[validationCount...])), Subset(dataset, indices: Array(order[..<validationCount])))
}
