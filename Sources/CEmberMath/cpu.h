// What the CPU can do, for choosing among a kernel's versions, and its cache sizes;
// set once when the library loads, from what ember_cpu.c reads.
#ifndef EMBER_CPU_H
#define EMBER_CPU_H

extern int ember_has_avx2_fma, ember_has_avx512;

// Bytes of one core's level-2 cache (cpuid's, or a typical size where it does not say),
// for kernels that block their loops to fit it.
extern long ember_l2_bytes;

#endif
