// Matrix products whose right operand serves many times (a recurrent layer's W_hh, once
// per time step): packed once into panels of columns, then multiplied without the
// packing a BLAS call repeats every time (OpenBLAS has no pre-packed product). Float32,
// row-major; AVX-512 or AVX2 + FMA where the CPU has them, portable loops otherwise.
#ifndef EMBER_GEMM_H
#define EMBER_GEMM_H

/// Columns per panel of the packed layout.
#define EMBER_PANEL_WIDTH 32

/// Floats a packed k × n operand takes: ceil(n / 32) panels of k rows of 32 floats.
long ember_packed_size(long k, long n);

/// Packs B (k × n) into `packed`: panel p holds columns [32p, 32p + 32) as k rows of
/// 32 floats, zero past column n. B[i][j] is b[i·ldb + j], or b[j·ldb + i] when
/// `transposed` (so a row-major weight [n, k] packs as its transpose).
void ember_pack(const float *b, long ldb, int transposed, long k, long n, float *packed);

/// C = A·B, or C += A·B when `accumulate`: A m × k (rows lda apart), B packed by
/// ember_pack, C m × n (rows ldc apart). Each element sums its k products in order, a
/// cache-sized block of them at a time.
void ember_gemm_packed(long m, long n, long k, const float *a, long lda, const float *packed, float *c, long ldc,
                       int accumulate);

#endif
