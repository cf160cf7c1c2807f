import EmberDistributed
import Foundation

/// `ember train --distributed`: the group of processes `mpirun` started, and how a
/// failure on one of them ends them all.
enum DataParallel {
    /// The processes of this job (MPI started here); says so when it is only this one.
    static func group() throws -> any Communicator {
        let world: any Communicator
        do {
            world = try Distributed.world()
        } catch {
            throw CLIError("--distributed: \(error)")
        }
        if world.size == 1 {
            print("--distributed: 1 process (started without mpirun, or with -np 1): training as one")
        }
        return world
    }

    /// Runs `body` in `group` (nil: alone): an error on any process stops every process of
    /// the group with its message, rather than leave them waiting; MPI ends cleanly after.
    static func run(in group: (any Communicator)?, _ body: () throws -> Void) throws {
        guard let group else { return try body() }
        do {
            try body()
        } catch {
            guard group.size > 1 else { throw error }
            group.abort("\(error)")
        }
        try Distributed.finish(group)
    }
}
