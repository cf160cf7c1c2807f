import ArgumentParser
import EmberDistributed
import Foundation

/// `--distributed` and `--[no-]overlap`, of every `ember train` command and of
/// `--resume` (a run resumes with any number of processes).
struct DistributedOptions: ParsableArguments {
    @Flag(help: ArgumentHelp("Train data-parallel across the processes mpirun started: each trains on its share of every batch (--batch-size is the global batch) and gradients are averaged; rank 0 writes the run.",
                             discussion: "e.g. mpirun -np 2 ember train cnn --distributed --threads 1"))
    var distributed = false
    @Flag(inversion: .prefixedNo, help: "With --distributed: start averaging each bucket of gradients during backward, as soon as it is complete.")
    var overlap = true

    /// The group to train in, when `--distributed`.
    func start() throws -> DataParallel? {
        distributed ? try DataParallel.start(overlap: overlap) : nil
    }
}

/// `ember train --distributed`: the group of processes `mpirun` started, whether their
/// gradients are averaged during backward, and how a failure on one of them ends them all.
struct DataParallel {
    /// The processes of this job.
    let group: any Communicator
    /// Whether buckets of gradients start averaging during backward (`--no-overlap`:
    /// after it, to measure what overlapping saves).
    let overlap: Bool

    /// The processes of this job (MPI started here); says so when it is only this one.
    static func start(overlap: Bool) throws -> DataParallel {
        let world: any Communicator
        do {
            world = try Distributed.world()
        } catch {
            throw CLIError("--distributed: \(error)")
        }
        if world.size == 1 {
            print("--distributed: 1 process (started without mpirun, or with -np 1): training as one")
        }
        return DataParallel(group: world, overlap: overlap)
    }

    /// Runs `body` in `parallel`'s group (nil: alone): an error on any process stops every
    /// process of the group with its message, rather than leave them waiting; MPI ends
    /// cleanly after.
    static func run(_ parallel: DataParallel?, _ body: () throws -> Void) throws {
        guard let group = parallel?.group else { return try body() }
        do {
            try body()
        } catch {
            guard group.size > 1 else { throw error }
            group.abort("\(error)")
        }
        try Distributed.finish(group)
    }
}
