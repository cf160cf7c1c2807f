/// Which of OpenBLAS's kernel sets ("cores": `Haswell`, `SkylakeX`, ...) a process
/// should run, decided from the CPU's features and the set OpenBLAS picked itself.
///
/// OpenBLAS built with `DYNAMIC_ARCH` (as Debian and Ubuntu ship it) carries kernels for
/// many CPUs and picks one by the CPU's family and model when it loads. A CPU newer than
/// the installed OpenBLAS gets a fallback that can be far below what it runs (Debian
/// 12's 0.3.21 runs Prescott's SSE3 kernels on an Intel Xeon of family 6 model 207, and
/// Haswell's AVX2 kernels on an AVX-512 AMD EPYC of family 26). The choice here goes by
/// the CPU's vector features alone, never its model: it keeps OpenBLAS's pick when that
/// uses the CPU's widest vectors, and names the kernel set that does otherwise.
public struct BLASKernelChoice: Equatable, Sendable {
    /// The kernel set to run, as `OPENBLAS_CORETYPE` spells it.
    public var core: String
    /// The kernel set OpenBLAS picked by itself.
    public var openBLASPick: String
    /// Why `core` runs, in a sentence.
    public var reason: String

    /// Whether the choice differs from OpenBLAS's own pick.
    public var switches: Bool { core.lowercased() != openBLASPick.lowercased() }

    /// OpenBLAS's x86-64 kernel sets, as its `corename` spells them, with the widest
    /// vectors their kernels use. A set not listed comes from an OpenBLAS newer than
    /// this table.
    static let knownKernelSets: [(name: String, isa: VectorISA)] =
        ["Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn", "Dunnington", "Nehalem",
         "Athlon", "Opteron", "Opteron_SSE3", "Barcelona", "Nano", "Bobcat"].map { ($0, .sse) }
        + ["Sandybridge", "Bulldozer", "Piledriver", "Steamroller"].map { ($0, .avx) }
        + ["Haswell", "Zen", "Excavator"].map { ($0, .avx2) }
        + ["SkylakeX", "Cooperlake", "SapphireRapids"].map { ($0, .avx512) }

    /// The widest vectors kernel set `name` uses (any letter case), or nil if unknown.
    static func isa(ofKernelSet name: String) -> VectorISA? {
        knownKernelSets.first { $0.name.lowercased() == name.lowercased() }?.isa
    }

    /// The kernel sets written for `isa` on `cpu`, best first; none for SSE, where
    /// OpenBLAS's own choice among its many SSE sets is kept. AVX-512 runs SkylakeX's
    /// kernels: Cooperlake's add only bfloat16 routines, which Ember does not call.
    static func kernelSets(for isa: VectorISA, on cpu: CPU) -> [String] {
        switch isa {
        case .avx512: ["SkylakeX"]
        case .avx2: cpu.isAMD ? ["Zen", "Haswell"] : ["Haswell", "Zen"]
        case .avx: ["Sandybridge"]
        case .sse: []
        }
    }

    /// Decides which kernel set to run.
    /// - Parameters:
    ///   - cpu: the processor.
    ///   - openBLASPick: `openblas_get_corename()`, the set OpenBLAS picked.
    ///   - available: the kernel sets this OpenBLAS can switch to (empty when it was
    ///     built for one CPU, without `DYNAMIC_ARCH`).
    ///   - userOverride: `OPENBLAS_CORETYPE` as the user set it, or nil; it always wins.
    public static func decide(cpu: CPU, openBLASPick: String, available: Set<String>,
                              userOverride: String?) -> BLASKernelChoice {
        func keep(_ reason: String) -> BLASKernelChoice {
            BLASKernelChoice(core: openBLASPick, openBLASPick: openBLASPick, reason: reason)
        }
        let wanted = cpu.vectorISA
        if let userOverride, !userOverride.isEmpty {
            var reason = "OPENBLAS_CORETYPE=\(userOverride) is set, so OpenBLAS's choice under it is kept"
            if cpu.architecture == "x86_64", let picked = isa(ofKernelSet: openBLASPick), picked < wanted,
               let better = kernelSets(for: wanted, on: cpu).first {
                reason += " (this CPU's \(wanted) would run \(better))"
            }
            return keep(reason)
        }
        guard cpu.architecture == "x86_64" else {
            return keep("OpenBLAS's own choice (Ember chooses kernel sets on x86-64 only)")
        }
        guard let pickedISA = isa(ofKernelSet: openBLASPick) else {
            return keep("OpenBLAS's own choice: a kernel set newer than Ember's table, so kept")
        }
        if pickedISA >= wanted {
            return keep("OpenBLAS's own choice, written for this CPU's widest vectors (\(wanted))")
        }
        // The best kernel set above OpenBLAS's pick that this build can switch to.
        let availableNames = Set(available.map { $0.lowercased() })
        let candidates = [VectorISA.avx512, .avx2, .avx].filter { $0 <= wanted && $0 > pickedISA }
        for isa in candidates {
            guard let name = kernelSets(for: isa, on: cpu).first(where: { availableNames.contains($0.lowercased()) }) else {
                continue
            }
            return BLASKernelChoice(
                core: name, openBLASPick: openBLASPick,
                reason: "OpenBLAS picked \(openBLASPick) (\(pickedISA)) for this CPU, which runs \(wanted): \(name) instead")
        }
        if available.isEmpty {
            return keep("OpenBLAS picked \(openBLASPick) (\(pickedISA)) and was built for one CPU (no DYNAMIC_ARCH), so it cannot switch to \(wanted) kernels")
        }
        return keep("OpenBLAS picked \(openBLASPick) (\(pickedISA)) and has no kernel set for \(wanted) to switch to")
    }
}
