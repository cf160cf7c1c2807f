import CEmberMath
#if canImport(Glibc)
import Glibc
#endif

/// An instruction-set extension that Ember's kernels, or OpenBLAS's, may use. Raw
/// values are the names Linux's `/proc/cpuinfo` and `lscpu` print.
public enum CPUFeature: String, CaseIterable, Codable, Sendable {
    case sse3, ssse3, sse4_1, sse4_2, avx, f16c, fma, avx2
    case avx512f, avx512dq, avx512cd, avx512bw, avx512vl, avx512ifma, avx512vbmi
    case avx512_vnni, avx512_bf16, avx512_fp16, avx_vnni
    case amx_tile, amx_bf16, amx_int8

    /// The feature's bit in `ember_cpu.features`.
    var bit: UInt32 {
        let value: Int
        switch self {
        case .sse3: value = EMBER_CPU_SSE3
        case .ssse3: value = EMBER_CPU_SSSE3
        case .sse4_1: value = EMBER_CPU_SSE4_1
        case .sse4_2: value = EMBER_CPU_SSE4_2
        case .avx: value = EMBER_CPU_AVX
        case .f16c: value = EMBER_CPU_F16C
        case .fma: value = EMBER_CPU_FMA
        case .avx2: value = EMBER_CPU_AVX2
        case .avx512f: value = EMBER_CPU_AVX512F
        case .avx512dq: value = EMBER_CPU_AVX512DQ
        case .avx512cd: value = EMBER_CPU_AVX512CD
        case .avx512bw: value = EMBER_CPU_AVX512BW
        case .avx512vl: value = EMBER_CPU_AVX512VL
        case .avx512ifma: value = EMBER_CPU_AVX512IFMA
        case .avx512vbmi: value = EMBER_CPU_AVX512VBMI
        case .avx512_vnni: value = EMBER_CPU_AVX512_VNNI
        case .avx512_bf16: value = EMBER_CPU_AVX512_BF16
        case .avx512_fp16: value = EMBER_CPU_AVX512_FP16
        case .avx_vnni: value = EMBER_CPU_AVX_VNNI
        case .amx_tile: value = EMBER_CPU_AMX_TILE
        case .amx_bf16: value = EMBER_CPU_AMX_BF16
        case .amx_int8: value = EMBER_CPU_AMX_INT8
        }
        return UInt32(value)
    }
}

/// The widest vector instructions a CPU offers, as kernels are written for them.
public enum VectorISA: Int, Comparable, Codable, Sendable, CustomStringConvertible {
    /// 128-bit SSE (every x86-64 CPU; also the level given to other architectures).
    case sse
    /// 256-bit AVX, without FMA or integer AVX2.
    case avx
    /// 256-bit AVX2 with FMA.
    case avx2
    /// 512-bit AVX-512 with the Skylake-X set: F, CD, BW, DQ and VL.
    case avx512

    /// Narrower vectors order first.
    public static func < (a: VectorISA, b: VectorISA) -> Bool { a.rawValue < b.rawValue }

    /// "SSE", "AVX", "AVX2+FMA", "AVX-512".
    public var description: String {
        switch self {
        case .sse: "SSE"
        case .avx: "AVX"
        case .avx2: "AVX2+FMA"
        case .avx512: "AVX-512"
        }
    }
}

/// Cache sizes in bytes as cpuid describes them (the figures Linux shows under
/// /sys/devices/system/cpu/cpu0/cache): per core for L1 data and L2, the shared L3 as a
/// whole; 0 where the machine does not say.
public struct CacheSizes: Codable, Equatable, Sendable {
    /// Level-1 data cache of one core.
    public var l1d: Int
    /// Level-2 cache of one core.
    public var l2: Int
    /// Level-3 cache, shared.
    public var l3: Int

    /// Sizes as given.
    public init(l1d: Int, l2: Int, l3: Int) {
        self.l1d = l1d
        self.l2 = l2
        self.l3 = l3
    }
}

/// The processor: what it is, which vector instructions it runs and its caches.
/// `CPU.current` is this machine; tests build others by hand.
public struct CPU: Codable, Equatable, Sendable {
    /// `uname -m`: "x86_64", "aarch64", ...
    public var architecture: String
    /// cpuid's vendor: "GenuineIntel", "AuthenticAMD", ... (empty off x86-64).
    public var vendor: String
    /// The model name, as `lscpu` prints it.
    public var name: String
    /// Display family (x86-64, extended family folded in; 0 elsewhere).
    public var family: Int
    /// Display model (x86-64, extended model folded in; 0 elsewhere).
    public var model: Int
    /// Stepping (x86-64; 0 elsewhere).
    public var stepping: Int
    /// Extensions the CPU has and the operating system enables.
    public var features: Set<CPUFeature>
    /// Cache sizes.
    public var caches: CacheSizes
    /// Cores online.
    public var cores: Int

    /// A CPU described field by field.
    public init(architecture: String = "x86_64", vendor: String, name: String = "", family: Int, model: Int,
                stepping: Int = 0, features: Set<CPUFeature>, caches: CacheSizes = CacheSizes(l1d: 0, l2: 0, l3: 0),
                cores: Int = 1) {
        self.architecture = architecture
        self.vendor = vendor
        self.name = name
        self.family = family
        self.model = model
        self.stepping = stepping
        self.features = features
        self.caches = caches
        self.cores = cores
    }

    /// The widest vector instructions kernels may use on this CPU.
    public var vectorISA: VectorISA {
        guard architecture == "x86_64" else { return .sse }
        if features.isSuperset(of: [.avx512f, .avx512cd, .avx512bw, .avx512dq, .avx512vl]) { return .avx512 }
        if features.isSuperset(of: [.avx2, .fma]) { return .avx2 }
        if features.contains(.avx) { return .avx }
        return .sse
    }

    /// Whether the vendor is AMD or its licensee Hygon.
    var isAMD: Bool { vendor == "AuthenticAMD" || vendor == "HygonGenuine" }

    /// "AMD EPYC (AuthenticAMD family 26 model 2 stepping 1)".
    public var summary: String {
        guard !vendor.isEmpty else { return name.isEmpty ? architecture : name }
        return "\(name.isEmpty ? "unnamed CPU" : name) (\(vendor) family \(family) model \(model) stepping \(stepping))"
    }

    /// The features in a fixed order, as `lscpu` would list them.
    public var featureNames: [String] { CPUFeature.allCases.filter(features.contains).map(\.rawValue) }

    private enum CodingKeys: String, CodingKey {
        case architecture, vendor, name, family, model, stepping, features, caches, cores
    }

    /// Encodes the features as a list in `featureNames`' order, so files compare.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(architecture, forKey: .architecture)
        try c.encode(vendor, forKey: .vendor)
        try c.encode(name, forKey: .name)
        try c.encode(family, forKey: .family)
        try c.encode(model, forKey: .model)
        try c.encode(stepping, forKey: .stepping)
        try c.encode(featureNames, forKey: .features)
        try c.encode(caches, forKey: .caches)
        try c.encode(cores, forKey: .cores)
    }

    /// Decodes what `encode(to:)` writes; feature names this version does not know are
    /// dropped.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.decode(String.self, forKey: .architecture)
        vendor = try c.decode(String.self, forKey: .vendor)
        name = try c.decode(String.self, forKey: .name)
        family = try c.decode(Int.self, forKey: .family)
        model = try c.decode(Int.self, forKey: .model)
        stepping = try c.decode(Int.self, forKey: .stepping)
        features = Set(try c.decode([String].self, forKey: .features).compactMap(CPUFeature.init(rawValue:)))
        caches = try c.decode(CacheSizes.self, forKey: .caches)
        cores = try c.decode(Int.self, forKey: .cores)
    }

    /// This machine's CPU.
    public static let current: CPU = {
        var raw = ember_cpu()
        ember_cpu_read(&raw)
        let vendor = withUnsafeBytes(of: raw.vendor) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let brand = withUnsafeBytes(of: raw.brand) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return CPU(architecture: machineArchitecture(), vendor: vendor, name: brand, family: Int(raw.family),
                   model: Int(raw.model), stepping: Int(raw.stepping),
                   features: Set(CPUFeature.allCases.filter { raw.features & $0.bit != 0 }),
                   caches: cacheSizes(raw), cores: System.cpuCount)
    }()
}

/// `uname -m`.
private func machineArchitecture() -> String {
    var info = utsname()
    guard uname(&info) == 0 else { return "unknown" }
    return withUnsafeBytes(of: info.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
}

/// The cache sizes cpuid gave, or where it gave none (off x86-64), glibc's.
private func cacheSizes(_ raw: ember_cpu) -> CacheSizes {
    func size(_ fromCPUID: Int, _ name: Int32) -> Int { fromCPUID > 0 ? fromCPUID : Swift.max(0, sysconf(name)) }
    return CacheSizes(l1d: size(raw.l1d, Int32(_SC_LEVEL1_DCACHE_SIZE)), l2: size(raw.l2, Int32(_SC_LEVEL2_CACHE_SIZE)),
                      l3: size(raw.l3, Int32(_SC_LEVEL3_CACHE_SIZE)))
}
