#if canImport(CMPI)
import CMPI
import Ember
import Foundation

/// The processes `mpirun` started (MPI's `MPI_COMM_WORLD`), over Open MPI.
///
/// Created once per process; a program started without `mpirun` is a group of one
/// (MPI's singleton start). MPI is asked for `MPI_THREAD_FUNNELED`: collectives are
/// called from one thread (the training loop's; backward hooks run on it too). Errors
/// are returned rather than fatal (`MPI_ERRORS_RETURN`) and thrown with MPI's message;
/// `abort` ends every process of the job.
///
/// Non-blocking sums run Open MPI's ring algorithm unless the user chose one
/// (`OMPI_MCA_coll_libnbc_iallreduce_algorithm`): for fewer than four processes, or a
/// buffer summed in place, Open MPI would reduce everything onto rank 0 and send it back,
/// which takes twice as long for a gradient bucket (340–370 against 155–170 µs for 1.6 MB
/// between two processes over shared memory, `Benchmarks/allreduce.c`); a ring is what
/// NCCL, Gloo and Horovod sum with.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    private let world = ember_mpi_comm_world()

    /// Starts MPI in this process; throws if it cannot start, or was started before.
    public init() throws {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        guard initialized == 0 else { throw DistributedError("MPI was already started in this process") }
        setenv("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "1", 0)
        var provided: Int32 = 0
        var argc: Int32 = 0
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        try Self.check(MPI_Init_thread(&argc, &argv, ember_mpi_thread_funneled(), &provided), "MPI_Init_thread")
        guard provided >= ember_mpi_thread_funneled() else {
            throw DistributedError("this MPI library offers thread level \(provided), and training needs MPI_THREAD_FUNNELED")
        }
        try Self.check(MPI_Comm_set_errhandler(world, ember_mpi_errors_return()), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0, size: Int32 = 0
        try Self.check(MPI_Comm_rank(world, &rank), "MPI_Comm_rank")
        try Self.check(MPI_Comm_size(world, &size), "MPI_Comm_size")
        (self.rank, self.size) = (Int(rank), Int(size))
    }

    /// Ends MPI in this process, after every process of the job has arrived here.
    public func finalize() throws {
        try Self.check(MPI_Finalize(), "MPI_Finalize")
    }

    public func allReduce(_ tensor: Tensor, op: ReduceOp) throws {
        CollectiveCheck.tensor(tensor, "allReduce")
        try buffer(tensor) { pointer, count, type in
            try Self.check(MPI_Allreduce(ember_mpi_in_place(), pointer, count, type, Self.op(op), world), "MPI_Allreduce")
        }
    }

    public func startAllReduce(_ tensor: Tensor, op: ReduceOp) throws -> any PendingCollective {
        CollectiveCheck.tensor(tensor, "startAllReduce")
        let pending = Pending(tensor)
        try buffer(tensor) { pointer, count, type in
            try Self.check(MPI_Iallreduce(ember_mpi_in_place(), pointer, count, type, Self.op(op), world, &pending.request), "MPI_Iallreduce")
        }
        return pending
    }

    public func broadcast(_ tensor: Tensor, root: Int) throws {
        CollectiveCheck.tensor(tensor, "broadcast")
        precondition(root >= 0 && root < size, "broadcast: root \(root) of a group of \(size)")
        try buffer(tensor) { pointer, count, type in
            try Self.check(MPI_Bcast(pointer, count, type, Int32(root), world), "MPI_Bcast")
        }
    }

    public func allGather(_ tensor: Tensor) throws -> Tensor {
        CollectiveCheck.tensor(tensor, "allGather")
        let gathered = Tensor.zeros([size] + tensor.shape, dtype: tensor.dtype)
        try buffer(tensor) { source, count, type in
            try buffer(gathered) { destination, _, _ in
                try Self.check(MPI_Allgather(source, count, type, destination, count, type, world), "MPI_Allgather")
            }
        }
        return gathered
    }

    public func barrier() throws {
        try Self.check(MPI_Barrier(world), "MPI_Barrier")
    }

    public func abort(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: rank \(rank) of \(size): \(message); stopping every rank\n".utf8))
        MPI_Abort(world, 1)
        exit(1)
    }

    /// Calls `body` with `tensor`'s elements, their count and their MPI type.
    private func buffer<R>(_ tensor: Tensor, _ body: (UnsafeMutableRawPointer, Int32, MPI_Datatype?) throws -> R) throws -> R {
        guard tensor.numel <= Int(Int32.max) else {
            throw DistributedError("a collective of \(tensor.numel) elements is larger than MPI's count of \(Int32.max)")
        }
        let count = Int32(tensor.numel)
        switch tensor.dtype {
        case .float32: return try tensor.withUnsafeMutablePointer(as: Float.self) { try body($0, count, ember_mpi_float()) }
        case .float64: return try tensor.withUnsafeMutablePointer(as: Double.self) { try body($0, count, ember_mpi_double()) }
        case .int64: return try tensor.withUnsafeMutablePointer(as: Int64.self) { try body($0, count, ember_mpi_int64()) }
        default: preconditionFailure("collective: tensor of \(tensor.dtype) must be float32, float64 or int64")
        }
    }

    private static func op(_ op: ReduceOp) -> MPI_Op? {
        switch op {
        case .sum: ember_mpi_sum()
        case .max: ember_mpi_max()
        case .min: ember_mpi_min()
        }
    }

    /// Throws MPI's own message for a return code other than success.
    static func check(_ code: Int32, _ call: String) throws {
        guard code != ember_mpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(ember_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        throw DistributedError("\(call) failed: \(String(cString: text))")
    }

    /// A started `MPI_Iallreduce`, keeping its tensor alive until it is waited for.
    private final class Pending: PendingCollective {
        let tensor: Tensor
        var request = ember_mpi_request_null()

        init(_ tensor: Tensor) { self.tensor = tensor }

        func wait() throws {
            try MPICommunicator.check(MPI_Wait(&request, ember_mpi_status_ignore()), "MPI_Wait")
        }

        func test() throws -> Bool {
            var done: Int32 = 0
            try MPICommunicator.check(MPI_Test(&request, &done, ember_mpi_status_ignore()), "MPI_Test")
            return done != 0
        }
    }
}
#endif
