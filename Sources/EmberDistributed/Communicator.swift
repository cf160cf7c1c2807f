import Ember

/// How `allReduce` combines the processes' values, element by element.
public enum ReduceOp: String, Sendable {
    case sum, max, min
}

/// A collective operation that was started and has not been waited for.
public protocol PendingCollective: AnyObject {
    /// Blocks until the operation has finished on this process; throws its error.
    func wait() throws
    /// Whether the operation has finished, without blocking; throws its error. Calling
    /// it also moves the operation on (MPI progresses one only inside MPI calls).
    func test() throws -> Bool
}

/// A failure of a collective operation, with the message of the library beneath.
public struct DistributedError: Error, CustomStringConvertible, Equatable {
    public let description: String

    /// An error that says `description`.
    public init(_ description: String) { self.description = description }
}

/// A group of processes that compute together (PyTorch's process group, MPI's
/// communicator): each has a `rank` from 0 to `size - 1`, and every process of the group
/// must make the same collective calls in the same order.
///
/// Collectives work in place on contiguous tensors of `float32`, `float64` or `int64`
/// that do not record gradients (a bucket of gradients, a parameter's copy, metrics).
public protocol Communicator: AnyObject {
    /// This process, from 0.
    var rank: Int { get }
    /// Processes in the group.
    var size: Int { get }
    /// Replaces `tensor` on every process by `op` of all processes' `tensor`s.
    func allReduce(_ tensor: Tensor, op: ReduceOp) throws
    /// Starts `allReduce(tensor, op:)` and returns at once; `tensor` must not be read or
    /// written until the returned operation has been waited for.
    func startAllReduce(_ tensor: Tensor, op: ReduceOp) throws -> any PendingCollective
    /// Replaces `tensor` on every process by process `root`'s.
    func broadcast(_ tensor: Tensor, root: Int) throws
    /// Every process's `tensor` `[...]`, stacked in rank order: `[size, ...]`.
    func allGather(_ tensor: Tensor) throws -> Tensor
    /// Returns once every process has called it.
    func barrier() throws
    /// Ends every process of the group at once, after printing `message` (a failure on
    /// one process must not leave the others waiting in a collective forever).
    func abort(_ message: String) -> Never
}

extension Communicator {
    /// Whether this process is rank 0, the one that prints and writes files.
    public var isMain: Bool { rank == 0 }

    /// `values` summed over all processes (metrics: losses, counts).
    public func sum(_ values: [Double]) throws -> [Double] {
        let tensor = Tensor(values, shape: [values.count])
        try allReduce(tensor, op: .sum)
        return tensor.doubles
    }
}

/// The checks every communicator makes on a tensor it is given, naming the op.
enum CollectiveCheck {
    static func tensor(_ tensor: Tensor, _ op: String) {
        precondition(tensor.isContiguous, "\(op): tensor of shape \(OpMessage.format(tensor.shape)) must be contiguous")
        precondition([.float32, .float64, .int64].contains(tensor.dtype),
                     "\(op): tensor of \(tensor.dtype) must be float32, float64 or int64")
        precondition(!(GradMode.isEnabled && tensor.requiresGrad),
                     "\(op): in-place collective on a tensor that requires grad; do it inside withNoGrad { } or on detach()")
    }
}
