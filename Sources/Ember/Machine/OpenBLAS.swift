import CBLAS
import CEmberMath
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS as this process runs it: which library, which kernel set and why, how
/// many threads. `BLASBackend.current` prints in `ember info` and every run's
/// `config.json`.
public struct BLASBackend: Codable, Equatable, Sendable {
    /// "OpenBLAS 0.3.21".
    public var library: String
    /// `openblas_get_config()`: the version and build options.
    public var buildConfig: String
    /// The kernel set running (`openblas_get_corename()`).
    public var core: String
    /// The kernel set OpenBLAS picked by itself when it loaded.
    public var openBLASPick: String
    /// Why `core` runs.
    public var reason: String
    /// Threads OpenBLAS uses within one call. Ember keeps it at 1 and splits matrix
    /// products across its own threads.
    public var threads: Int

    /// OpenBLAS now, its kernel set chosen (this runs the choice if nothing has yet).
    public static var current: BLASBackend {
        let choice = OpenBLAS.configured
        let config = OpenBLAS.buildConfig
        return BLASBackend(library: config.split(separator: " ").prefix(2).joined(separator: " "), buildConfig: config,
                           core: OpenBLAS.coreName, openBLASPick: choice.openBLASPick, reason: choice.reason,
                           threads: Int(openblas_get_num_threads()))
    }
}

/// Ember's hold on OpenBLAS: the kernel-set choice, made once before Ember's first BLAS
/// call, and the means to switch kernel sets.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, in its load-time constructor, before any
/// Swift code runs. Its `DYNAMIC_ARCH` builds export the pair of functions that
/// constructor calls, `gotoblas_dynamic_quit` and `gotoblas_dynamic_init`: with the
/// variable set around them they install another kernel table (and its block sizes)
/// exactly as a fresh process would. Nothing else in OpenBLAS depends on the kernel
/// set (its buffers are one fixed size for all), so this is sound while no BLAS call
/// runs, which `configured`'s one-time initialisation guarantees for Ember's own calls.
/// The functions are looked up at run time, so an OpenBLAS built without them still
/// links, and then keeps its own choice. docs/BLAS.md tells the whole story.
enum OpenBLAS {
    /// The kernel-set choice, applied, with OpenBLAS made single-threaded; every Ember
    /// BLAS call reads this first, so it runs once, before the first.
    ///
    /// Ember splits matrix products across cores itself: OpenBLAS's own idle threads
    /// spin in `sched_yield` after each call, taking the cores from whatever runs next
    /// (a convolution split over the batch, an elementwise kernel); measured, that was a
    /// fifth of a CNN training step.
    static let configured: BLASKernelChoice = {
        let choice = chooseKernels()
        openblas_set_num_threads(1)
        return choice
    }()

    /// Decides on the kernel set for this CPU, given the kernel set running now as
    /// OpenBLAS's pick and the user's `OPENBLAS_CORETYPE`, and switches to it.
    static func chooseKernels(userOverride: String? = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) })
        -> BLASKernelChoice {
        var choice = BLASKernelChoice.decide(cpu: .current, openBLASPick: coreName, available: switchableKernelSets,
                                             userOverride: userOverride)
        if choice.switches && !switchKernels(to: choice.core) {
            choice.reason += "; switching failed, so OpenBLAS runs \(coreName)"
            choice.core = coreName
        }
        return choice
    }

    /// The kernel set running now.
    static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// `openblas_get_config()`, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ...".
    static var buildConfig: String { openblas_get_config().map { String(cString: $0) } ?? "OpenBLAS" }

    /// The kernel sets this OpenBLAS can switch to: those whose tables it exports, if
    /// it exports the functions that switch (none otherwise).
    static var switchableKernelSets: Set<String> {
        guard symbol("gotoblas_dynamic_quit") != nil, symbol("gotoblas_dynamic_init") != nil else { return [] }
        return Set(BLASKernelChoice.knownKernelSets.map(\.name).filter { symbol("gotoblas_" + $0.uppercased()) != nil })
    }

    /// Reinitialises OpenBLAS with kernel set `name` (as `OPENBLAS_CORETYPE` spells it),
    /// leaving the environment as it was; true if OpenBLAS then runs that set. No BLAS
    /// call may run meanwhile.
    @discardableResult
    static func switchKernels(to name: String) -> Bool {
        guard let quit = symbol("gotoblas_dynamic_quit"), let initialise = symbol("gotoblas_dynamic_init") else { return false }
        typealias Procedure = @convention(c) () -> Void
        let variable = "OPENBLAS_CORETYPE"
        let previous = getenv(variable).map { String(cString: $0) }
        setenv(variable, name, 1)
        unsafeBitCast(quit, to: Procedure.self)()
        unsafeBitCast(initialise, to: Procedure.self)()
        if let previous { setenv(variable, previous, 1) } else { unsetenv(variable) }
        return coreName.lowercased() == name.lowercased()
    }

    /// The address of `name` in the loaded OpenBLAS library, or nil.
    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let library else { return nil }
        return dlsym(library, name)
    }

    /// The handle of the OpenBLAS library this process loaded, found through one of
    /// its functions (whatever its file is called).
    private static let library: UnsafeMutableRawPointer? = {
        typealias Getter = @convention(c) () -> UnsafeMutablePointer<CChar>?
        let function: Getter = openblas_get_corename
        return ember_library_holding(unsafeBitCast(function, to: UnsafeRawPointer.self))
    }()
}
