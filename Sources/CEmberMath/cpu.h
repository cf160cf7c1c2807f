// What the CPU can do, for choosing among a kernel's versions; set once when the
// library loads, from the features ember_cpu.c reads.
#ifndef EMBER_CPU_H
#define EMBER_CPU_H

extern int ember_has_avx2_fma, ember_has_avx512;

#endif
