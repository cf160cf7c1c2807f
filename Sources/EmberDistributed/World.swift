import Foundation

/// The group of processes this program was started in.
public enum Distributed {
    /// Whether this build has the MPI communicator (Open MPI was installed when it was
    /// built: `EMBER_SETUP_MPI=1 scripts/setup`, then build again).
    public static var hasMPI: Bool {
        #if canImport(CMPI)
        return true
        #else
        return false
        #endif
    }

    /// Every process `mpirun` started, over MPI (started here: call once per process);
    /// a program started without `mpirun` is a group of one. Throws if MPI cannot start,
    /// or if this build has no MPI.
    public static func world() throws -> any Communicator {
        #if canImport(CMPI)
        return try MPICommunicator()
        #else
        throw DistributedError("this Ember was built without Open MPI: install it (EMBER_SETUP_MPI=1 scripts/setup) and build again")
        #endif
    }

    /// Ends the group's communication in this process (MPI's `MPI_Finalize`), after every
    /// process has come here; nothing for a single process.
    public static func finish(_ communicator: any Communicator) throws {
        #if canImport(CMPI)
        if let mpi = communicator as? MPICommunicator { try mpi.finalize() }
        #endif
    }
}
