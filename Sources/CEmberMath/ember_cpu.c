#include "ember_cpu.h"
#include "cpu.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

// XCR0 bits: which register states the operating system saves on a context switch.
#define XCR0_SSE_AVX 0x6      // XMM and YMM
#define XCR0_AVX512 0xe0      // opmask, upper halves of ZMM0-15, ZMM16-31
#define XCR0_AMX 0x60000      // tile configuration and data
// cpuid leaf 7 EDX bits for AMX (gcc's and clang's cpuid.h spell their names differently).
#define AMX_BF16 (1u << 22)
#define AMX_TILE (1u << 24)
#define AMX_INT8 (1u << 25)

static unsigned long long xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

// Cache sizes from the deterministic cache parameters (Intel's leaf 4; AMD's 0x8000001D
// has the same layout): one subleaf per cache until a null type.
static void read_caches(struct ember_cpu *cpu, unsigned int leaf) {
    unsigned int a, b, c, d;
    for (unsigned int index = 0; index < 16 && __get_cpuid_count(leaf, index, &a, &b, &c, &d); index++) {
        unsigned int type = a & 0x1f, level = (a >> 5) & 0x7;
        if (type == 0) break;
        long ways = ((b >> 22) & 0x3ff) + 1, partitions = ((b >> 12) & 0x3ff) + 1, line = (b & 0xfff) + 1;
        long size = ways * partitions * line * ((long)c + 1);
        if (level == 1 && type == 1) cpu->l1d = size;
        if (level == 2 && type != 2) cpu->l2 = size;
        if (level == 3 && type != 2) cpu->l3 = size;
    }
}

static struct ember_cpu identify(void) {
    struct ember_cpu cpu;
    memset(&cpu, 0, sizeof cpu);
    unsigned int a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return cpu;
    unsigned int max_leaf = a;
    memcpy(cpu.vendor, &b, 4);
    memcpy(cpu.vendor + 4, &d, 4);
    memcpy(cpu.vendor + 8, &c, 4);

    __get_cpuid(1, &a, &b, &c, &d);
    int base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
    cpu.family = base_family == 0xf ? base_family + (int)((a >> 20) & 0xff) : base_family;
    cpu.model = base_family == 0x6 || base_family == 0xf ? (int)(((a >> 16) & 0xf) << 4) + base_model : base_model;
    cpu.stepping = a & 0xf;

    unsigned int f = 0;
    if (c & bit_SSE3) f |= EMBER_CPU_SSE3;
    if (c & bit_SSSE3) f |= EMBER_CPU_SSSE3;
    if (c & bit_SSE4_1) f |= EMBER_CPU_SSE4_1;
    if (c & bit_SSE4_2) f |= EMBER_CPU_SSE4_2;
    // AVX and everything wider need the OS to save YMM (and ZMM) registers.
    unsigned long long saved = (c & bit_OSXSAVE) ? xcr0() : 0;
    int ymm = (saved & XCR0_SSE_AVX) == XCR0_SSE_AVX;
    int zmm = ymm && (saved & XCR0_AVX512) == XCR0_AVX512;
    int tiles = (saved & XCR0_AMX) == XCR0_AMX;
    if (ymm && (c & bit_AVX)) f |= EMBER_CPU_AVX;
    if (ymm && (c & bit_F16C)) f |= EMBER_CPU_F16C;
    if (ymm && (c & bit_FMA)) f |= EMBER_CPU_FMA;

    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        if (ymm && (b & bit_AVX2)) f |= EMBER_CPU_AVX2;
        if (zmm) {
            if (b & bit_AVX512F) f |= EMBER_CPU_AVX512F;
            if (b & bit_AVX512DQ) f |= EMBER_CPU_AVX512DQ;
            if (b & bit_AVX512CD) f |= EMBER_CPU_AVX512CD;
            if (b & bit_AVX512BW) f |= EMBER_CPU_AVX512BW;
            if (b & bit_AVX512VL) f |= EMBER_CPU_AVX512VL;
            if (b & bit_AVX512IFMA) f |= EMBER_CPU_AVX512IFMA;
            if (c & bit_AVX512VBMI) f |= EMBER_CPU_AVX512VBMI;
            if (c & bit_AVX512VNNI) f |= EMBER_CPU_AVX512_VNNI;
            if (d & bit_AVX512FP16) f |= EMBER_CPU_AVX512_FP16;
        }
        if (tiles) {
            if (d & AMX_TILE) f |= EMBER_CPU_AMX_TILE;
            if (d & AMX_BF16) f |= EMBER_CPU_AMX_BF16;
            if (d & AMX_INT8) f |= EMBER_CPU_AMX_INT8;
        }
        unsigned int max_subleaf = a;
        if (max_subleaf >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) {
            if (ymm && (a & bit_AVXVNNI)) f |= EMBER_CPU_AVX_VNNI;
            if (zmm && (a & bit_AVX512BF16)) f |= EMBER_CPU_AVX512_BF16;
        }
    }
    cpu.features = f;

    unsigned int max_extended = __get_cpuid_max(0x80000000, 0);
    if (max_leaf >= 4) read_caches(&cpu, 4);
    if (cpu.l1d == 0 && max_extended >= 0x8000001D) read_caches(&cpu, 0x8000001D);

    unsigned int words[12];
    if (max_extended >= 0x80000004) {
        for (unsigned int i = 0; i < 3; i++)
            __get_cpuid(0x80000002 + i, &words[4 * i], &words[4 * i + 1], &words[4 * i + 2], &words[4 * i + 3]);
        memcpy(cpu.brand, words, 48);
        // Brand strings are padded with spaces at either end.
        char *start = cpu.brand;
        while (*start == ' ') start++;
        memmove(cpu.brand, start, strlen(start) + 1);
        for (long i = (long)strlen(cpu.brand) - 1; i >= 0 && cpu.brand[i] == ' '; i--) cpu.brand[i] = '\0';
    }
    return cpu;
}
#else
static struct ember_cpu identify(void) {
    struct ember_cpu cpu;
    memset(&cpu, 0, sizeof cpu);
    return cpu;
}
#endif

static struct ember_cpu this_cpu;
int ember_has_avx2_fma, ember_has_avx512;
long ember_l2_bytes;

int ember_limit_kernel_vector_bits(int bits) {
    ember_has_avx2_fma = bits >= 256 && (this_cpu.features & EMBER_CPU_AVX2) && (this_cpu.features & EMBER_CPU_FMA);
    ember_has_avx512 = bits >= 512 && (this_cpu.features & EMBER_CPU_AVX512F);
    return ember_kernel_vector_bits();
}

__attribute__((constructor))
static void detect_cpu(void) {
    this_cpu = identify();
    ember_limit_kernel_vector_bits(512);
    ember_l2_bytes = this_cpu.l2 > 0 ? this_cpu.l2 : 256 << 10;
}

void ember_cpu_read(struct ember_cpu *cpu) { *cpu = this_cpu; }

int ember_kernel_vector_bits(void) { return ember_has_avx512 ? 512 : ember_has_avx2_fma ? 256 : 0; }
