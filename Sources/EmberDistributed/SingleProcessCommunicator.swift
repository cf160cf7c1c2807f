import Ember

/// The group of one process: every collective leaves its tensor as it is. Training
/// with it is training without distribution, so code written for a group runs
/// unchanged without `mpirun`.
public final class SingleProcessCommunicator: Communicator {
    public let rank = 0
    public let size = 1

    /// The group of this process alone.
    public init() {}

    public func allReduce(_ tensor: Tensor, op: ReduceOp) throws { CollectiveCheck.tensor(tensor, "allReduce") }

    public func startAllReduce(_ tensor: Tensor, op: ReduceOp) throws -> any PendingCollective {
        CollectiveCheck.tensor(tensor, "startAllReduce")
        return Done()
    }

    public func broadcast(_ tensor: Tensor, root: Int) throws {
        CollectiveCheck.tensor(tensor, "broadcast")
        precondition(root == 0, "broadcast: root \(root) of a group of 1")
    }

    public func allGather(_ tensor: Tensor) throws -> Tensor {
        CollectiveCheck.tensor(tensor, "allGather")
        return Tensor.stack([tensor], dim: 0)
    }

    public func barrier() throws {}

    public func abort(_ message: String) -> Never { fatalError(message) }

    private final class Done: PendingCollective {
        func wait() throws {}
        func test() throws -> Bool { true }
    }
}
