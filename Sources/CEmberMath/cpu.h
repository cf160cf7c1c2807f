// What the CPU can do, detected once when the library loads (ember_math.c).
#ifndef EMBER_CPU_H
#define EMBER_CPU_H

extern int ember_has_avx2_fma, ember_has_avx512;

#endif
