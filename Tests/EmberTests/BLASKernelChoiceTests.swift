import XCTest
@testable import Ember

/// The kernel-set decision over a table of CPUs: it goes by vector features alone
/// (known and unknown models alike), keeps OpenBLAS's pick when that uses the CPU's
/// widest vectors, respects `OPENBLAS_CORETYPE`, and never names a set the library
/// cannot switch to.
final class BLASKernelChoiceTests: XCTestCase {
    private static let sse: Set<CPUFeature> = [.sse3, .ssse3, .sse4_1, .sse4_2]
    private static let avx2 = sse.union([.avx, .f16c, .fma, .avx2])
    private static let avx512 = avx2.union([.avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl])
    private static let everySet: Set<String> = ["Prescott", "Nehalem", "Sandybridge", "Haswell", "Zen", "SkylakeX",
                                                "Cooperlake"]

    private struct Case {
        let what: String
        let cpu: CPU
        let pick: String
        var available: Set<String> = BLASKernelChoiceTests.everySet
        var userOverride: String? = nil
        let expected: String
    }

    private static func intel(_ model: Int, _ features: Set<CPUFeature>) -> CPU {
        CPU(vendor: "GenuineIntel", family: 6, model: model, features: features)
    }

    private static func amd(_ family: Int, _ model: Int, _ features: Set<CPUFeature>) -> CPU {
        CPU(vendor: "AuthenticAMD", family: family, model: model, features: features)
    }

    private let cases: [Case] = [
        // Intel
        Case(what: "Xeon family 6 model 207 (AVX-512, BF16, FP16, AMX), unknown to OpenBLAS 0.3.21: Prescott fallback",
             cpu: intel(207, avx512.union([.avx512_bf16, .avx512_fp16, .avx512_vnni, .amx_tile, .amx_bf16])),
             pick: "Prescott", expected: "SkylakeX"),
        Case(what: "the same Xeon under an OpenBLAS that knows it", cpu: intel(207, avx512.union([.avx512_bf16])),
             pick: "Cooperlake", expected: "Cooperlake"),
        Case(what: "a Skylake-SP OpenBLAS knows", cpu: intel(85, avx512), pick: "SkylakeX", expected: "SkylakeX"),
        Case(what: "an AVX-512 CPU without BF16, picked as Haswell", cpu: intel(106, avx512.union([.avx512_vnni])),
             pick: "Haswell", expected: "SkylakeX"),
        Case(what: "a known AVX2 Intel", cpu: intel(63, avx2), pick: "Haswell", expected: "Haswell"),
        Case(what: "an unknown AVX2-only Intel model", cpu: intel(190, avx2), pick: "Prescott", expected: "Haswell"),
        Case(what: "an AVX-only Sandy Bridge picked as Prescott", cpu: intel(42, sse.union([.avx])),
             pick: "Prescott", expected: "Sandybridge"),
        Case(what: "an SSE-only CPU keeps OpenBLAS's SSE set", cpu: intel(26, sse), pick: "Nehalem", expected: "Nehalem"),
        Case(what: "AVX-512F without VL/BW (Knights Landing) counts as AVX2",
             cpu: intel(87, avx2.union([.avx512f, .avx512cd])), pick: "Haswell", expected: "Haswell"),
        Case(what: "AVX-512 that the OS does not enable counts as AVX2", cpu: intel(85, avx2), pick: "Haswell",
             expected: "Haswell"),
        // AMD
        Case(what: "Zen 4 (family 25), which OpenBLAS 0.3.21 maps to Cooperlake",
             cpu: amd(25, 17, avx512.union([.avx512_bf16])), pick: "Cooperlake", expected: "Cooperlake"),
        Case(what: "Zen 4 picked as Zen by an older OpenBLAS", cpu: amd(25, 17, avx512.union([.avx512_bf16])),
             pick: "Zen", expected: "SkylakeX"),
        Case(what: "Zen 5 (family 26) picked as Haswell", cpu: amd(26, 2, avx512.union([.avx512_bf16])),
             pick: "Haswell", expected: "SkylakeX"),
        Case(what: "a known AVX2-only Zen 2", cpu: amd(23, 49, avx2), pick: "Zen", expected: "Zen"),
        Case(what: "an unknown AVX2-only AMD model", cpu: amd(29, 1, avx2), pick: "Prescott", expected: "Zen"),
        Case(what: "Hygon, an AMD licensee", cpu: CPU(vendor: "HygonGenuine", family: 24, model: 1, features: avx2),
             pick: "Prescott", expected: "Zen"),
        // What the library can do
        Case(what: "an OpenBLAS without AVX-512 kernels", cpu: amd(26, 2, avx512), pick: "Prescott",
             available: ["Prescott", "Sandybridge", "Haswell", "Zen"], expected: "Zen"),
        Case(what: "an Intel CPU whose preferred AVX2 set is missing", cpu: intel(190, avx2), pick: "Prescott",
             available: ["Prescott", "Zen"], expected: "Zen"),
        Case(what: "an OpenBLAS built for one CPU (no DYNAMIC_ARCH)", cpu: intel(207, avx512), pick: "Prescott",
             available: [], expected: "Prescott"),
        Case(what: "a kernel set newer than Ember's table", cpu: intel(207, avx512), pick: "GraniteRapidsX",
             expected: "GraniteRapidsX"),
        // The user decides
        Case(what: "OPENBLAS_CORETYPE=Haswell on an AVX-512 CPU", cpu: amd(26, 2, avx512), pick: "Haswell",
             userOverride: "Haswell", expected: "Haswell"),
        Case(what: "OPENBLAS_CORETYPE=Prescott on an AVX2 CPU", cpu: intel(63, avx2), pick: "Prescott",
             userOverride: "Prescott", expected: "Prescott"),
        Case(what: "an empty OPENBLAS_CORETYPE is no choice", cpu: intel(207, avx512), pick: "Prescott",
             userOverride: "", expected: "SkylakeX"),
        // Elsewhere
        Case(what: "an ARM server", cpu: CPU(architecture: "aarch64", vendor: "", family: 0, model: 0, features: []),
             pick: "NEOVERSEN1", expected: "NEOVERSEN1"),
    ]

    func testTheTable() {
        for c in cases {
            let choice = BLASKernelChoice.decide(cpu: c.cpu, openBLASPick: c.pick, available: c.available,
                                                 userOverride: c.userOverride)
            XCTAssertEqual(choice.core, c.expected, c.what)
            XCTAssertEqual(choice.openBLASPick, c.pick, c.what)
            XCTAssertEqual(choice.switches, c.expected != c.pick, c.what)
            XCTAssertFalse(choice.reason.isEmpty, c.what)
            if choice.switches { XCTAssertTrue(c.available.contains(choice.core), "\(c.what): \(choice.core) is not available") }
        }
    }

    func testTheModelNeverMatters() {
        // Every family/model with the same features gets the same kernel set.
        for (family, model) in [(6, 85), (6, 207), (6, 255), (25, 17), (26, 2), (99, 99)] {
            let intelChoice = BLASKernelChoice.decide(cpu: Self.intel(model, Self.avx512), openBLASPick: "Prescott",
                                                      available: Self.everySet, userOverride: nil)
            let amdChoice = BLASKernelChoice.decide(cpu: Self.amd(family, model, Self.avx512), openBLASPick: "Prescott",
                                                    available: Self.everySet, userOverride: nil)
            XCTAssertEqual(intelChoice.core, "SkylakeX")
            XCTAssertEqual(amdChoice.core, "SkylakeX")
        }
    }

    func testReasonsSayWhy() {
        let zen5 = Self.amd(26, 2, Self.avx512)
        let switched = BLASKernelChoice.decide(cpu: zen5, openBLASPick: "Haswell", available: Self.everySet, userOverride: nil)
        XCTAssertEqual(switched.reason, "OpenBLAS picked Haswell (AVX2+FMA) for this CPU, which runs AVX-512: SkylakeX instead")
        let kept = BLASKernelChoice.decide(cpu: zen5, openBLASPick: "Haswell", available: Self.everySet, userOverride: "haswell")
        XCTAssertEqual(kept.reason, "OPENBLAS_CORETYPE=haswell is set, so OpenBLAS's choice under it is kept (this CPU's AVX-512 would run SkylakeX)")
        let fixed = BLASKernelChoice.decide(cpu: zen5, openBLASPick: "Prescott", available: [], userOverride: nil)
        XCTAssertTrue(fixed.reason.contains("no DYNAMIC_ARCH"), fixed.reason)
    }

    func testVectorISAFromFeatures() {
        XCTAssertEqual(Self.intel(1, Self.sse).vectorISA, .sse)
        XCTAssertEqual(Self.intel(1, Self.sse.union([.avx])).vectorISA, .avx)
        XCTAssertEqual(Self.intel(1, Self.sse.union([.avx, .avx2])).vectorISA, .avx, "AVX2 without FMA")
        XCTAssertEqual(Self.intel(1, Self.avx2).vectorISA, .avx2)
        XCTAssertEqual(Self.intel(1, Self.avx512).vectorISA, .avx512)
        XCTAssertEqual(CPU(architecture: "aarch64", vendor: "", family: 0, model: 0, features: Self.avx512).vectorISA, .sse)
    }

    func testKernelSetNamesMatchAnyCase() {
        XCTAssertEqual(BLASKernelChoice.isa(ofKernelSet: "SKYLAKEX"), .avx512)
        XCTAssertEqual(BLASKernelChoice.isa(ofKernelSet: "zen"), .avx2)
        XCTAssertEqual(BLASKernelChoice.isa(ofKernelSet: "Prescott"), .sse)
        XCTAssertNil(BLASKernelChoice.isa(ofKernelSet: "Unknown"))
    }
}
