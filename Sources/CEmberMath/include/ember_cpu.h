// What the CPU is and which vector instructions it can run, read with cpuid once when
// the library loads. Ember chooses its own kernels and OpenBLAS's by these features,
// never by the CPU's model.
#ifndef EMBER_CPUID_H
#define EMBER_CPUID_H

/// One bit per instruction-set extension in `ember_cpu.features`. A bit is set only
/// when the CPU has the extension and the operating system saves the registers it
/// uses (XCR0), so code may run it.
enum {
    EMBER_CPU_SSE3 = 1 << 0,
    EMBER_CPU_SSSE3 = 1 << 1,
    EMBER_CPU_SSE4_1 = 1 << 2,
    EMBER_CPU_SSE4_2 = 1 << 3,
    EMBER_CPU_AVX = 1 << 4,
    EMBER_CPU_F16C = 1 << 5,
    EMBER_CPU_FMA = 1 << 6,
    EMBER_CPU_AVX2 = 1 << 7,
    EMBER_CPU_AVX512F = 1 << 8,
    EMBER_CPU_AVX512DQ = 1 << 9,
    EMBER_CPU_AVX512CD = 1 << 10,
    EMBER_CPU_AVX512BW = 1 << 11,
    EMBER_CPU_AVX512VL = 1 << 12,
    EMBER_CPU_AVX512IFMA = 1 << 13,
    EMBER_CPU_AVX512VBMI = 1 << 14,
    EMBER_CPU_AVX512_VNNI = 1 << 15,
    EMBER_CPU_AVX512_BF16 = 1 << 16,
    EMBER_CPU_AVX512_FP16 = 1 << 17,
    EMBER_CPU_AVX_VNNI = 1 << 18,
    EMBER_CPU_AMX_TILE = 1 << 19,
    EMBER_CPU_AMX_BF16 = 1 << 20,
    EMBER_CPU_AMX_INT8 = 1 << 21,
};

/// The processor as cpuid describes it; all zero and empty off x86-64.
struct ember_cpu {
    /// "GenuineIntel", "AuthenticAMD", ...
    char vendor[13];
    /// The brand string, e.g. "AMD EPYC 9B14 96-Core Processor" (may be generic in a VM).
    char brand[49];
    /// Display family and model (extended fields folded in, as Linux's /proc/cpuinfo).
    int family, model, stepping;
    /// EMBER_CPU_* bits.
    unsigned int features;
    /// Bytes of level-1 data cache and level-2 cache of one core, and of level-3 cache
    /// (shared), from cpuid's cache descriptions (leaf 4, or 0x8000001D on AMD); 0 where
    /// cpuid does not say.
    long l1d, l2, l3;
};

/// The CPU this process runs on (read once, at load time).
void ember_cpu_read(struct ember_cpu *cpu);

/// The widest vectors Ember's own C kernels use on this CPU: 512 (AVX-512), 256 (AVX2
/// with FMA) or 0 (portable loops).
int ember_kernel_vector_bits(void);

/// Makes Ember's C kernels use vectors no wider than `bits` (512, 256 or 0) and no wider
/// than the CPU allows, so every version of a kernel can be checked on one machine;
/// returns the width now in use. Not to be called while a kernel runs.
int ember_limit_kernel_vector_bits(int bits);

#endif
