#include "ember_gemm.h"
#include "cpu.h"

#include <immintrin.h>
#include <string.h>

#define PANEL EMBER_PANEL_WIDTH

long ember_packed_size(long k, long n) { return (n + PANEL - 1) / PANEL * k * PANEL; }

void ember_pack(const float *b, long ldb, int transposed, long k, long n, float *packed) {
    for (long first = 0; first < n; first += PANEL, packed += k * PANEL) {
        for (long j = 0; j < PANEL; j++) {
            long column = first + j;
            if (column >= n) {
                for (long i = 0; i < k; i++) packed[i * PANEL + j] = 0;
            } else if (transposed) {
                const float *source = b + column * ldb;
                for (long i = 0; i < k; i++) packed[i * PANEL + j] = source[i];
            } else {
                for (long i = 0; i < k; i++) packed[i * PANEL + j] = b[i * ldb + column];
            }
        }
    }
}

// Each kernel computes one tile, ROWS rows of A against one panel (up to 32 columns),
// with the tile's sums in registers; the panel's zero columns past n are computed but
// never stored. The tile functions are inlined with a constant ROWS, so the compiler
// unrolls their row loops into registers; m splits into the widest tile, then 4, 2, 1.

__attribute__((target("avx512f"), always_inline))
static inline void tile_avx512(const long ROWS, long k, const float *a, long lda, const float *panel, float *c, long ldc,
                               long columns, int accumulate) {
    __m512 sum[8][2];
    for (long r = 0; r < ROWS; r++) sum[r][0] = sum[r][1] = _mm512_setzero_ps();
    for (long p = 0; p < k; p++, panel += PANEL) {
        __m512 b0 = _mm512_loadu_ps(panel), b1 = _mm512_loadu_ps(panel + 16);
        for (long r = 0; r < ROWS; r++) {
            __m512 x = _mm512_set1_ps(a[r * lda + p]);
            sum[r][0] = _mm512_fmadd_ps(x, b0, sum[r][0]);
            sum[r][1] = _mm512_fmadd_ps(x, b1, sum[r][1]);
        }
    }
    __mmask16 low = (__mmask16)(columns >= 16 ? 0xffff : (1u << columns) - 1);
    __mmask16 high = (__mmask16)(columns >= 32 ? 0xffff : columns <= 16 ? 0 : (1u << (columns - 16)) - 1);
    for (long r = 0; r < ROWS; r++, c += ldc) {
        __m512 s0 = sum[r][0], s1 = sum[r][1];
        if (accumulate) {
            s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(low, c));
            s1 = _mm512_add_ps(s1, _mm512_maskz_loadu_ps(high, c + 16));
        }
        _mm512_mask_storeu_ps(c, low, s0);
        _mm512_mask_storeu_ps(c + 16, high, s1);
    }
}

// Rows of A against one panel, eight at a time (16 of the 32 registers hold sums).
__attribute__((target("avx512f")))
static void panel_avx512(long m, long k, const float *a, long lda, const float *panel, float *c, long ldc, long columns,
                         int accumulate) {
    long r = 0;
    for (; r + 8 <= m; r += 8) tile_avx512(8, k, a + r * lda, lda, panel, c + r * ldc, ldc, columns, accumulate);
    if (m - r >= 4) { tile_avx512(4, k, a + r * lda, lda, panel, c + r * ldc, ldc, columns, accumulate); r += 4; }
    if (m - r >= 2) { tile_avx512(2, k, a + r * lda, lda, panel, c + r * ldc, ldc, columns, accumulate); r += 2; }
    if (m - r >= 1) tile_avx512(1, k, a + r * lda, lda, panel, c + r * ldc, ldc, columns, accumulate);
}

// Lane i is on when i < count (count 0...8).
__attribute__((target("avx2")))
static __m256i lanes_avx2(long count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Sixteen of the panel's columns (a half panel), so a tile of six rows fits AVX2's
// sixteen registers.
__attribute__((target("avx2,fma"), always_inline))
static inline void tile_avx2(const long ROWS, long k, const float *a, long lda, const float *panel, float *c, long ldc,
                             long columns, int accumulate) {
    __m256 sum[6][2];
    for (long r = 0; r < ROWS; r++) sum[r][0] = sum[r][1] = _mm256_setzero_ps();
    for (long p = 0; p < k; p++, panel += PANEL) {
        __m256 b0 = _mm256_loadu_ps(panel), b1 = _mm256_loadu_ps(panel + 8);
        for (long r = 0; r < ROWS; r++) {
            __m256 x = _mm256_broadcast_ss(a + r * lda + p);
            sum[r][0] = _mm256_fmadd_ps(x, b0, sum[r][0]);
            sum[r][1] = _mm256_fmadd_ps(x, b1, sum[r][1]);
        }
    }
    __m256i low = lanes_avx2(columns >= 8 ? 8 : columns), high = lanes_avx2(columns >= 16 ? 8 : columns <= 8 ? 0 : columns - 8);
    for (long r = 0; r < ROWS; r++, c += ldc) {
        __m256 s0 = sum[r][0], s1 = sum[r][1];
        if (accumulate) {
            s0 = _mm256_add_ps(s0, _mm256_maskload_ps(c, low));
            s1 = _mm256_add_ps(s1, _mm256_maskload_ps(c + 8, high));
        }
        _mm256_maskstore_ps(c, low, s0);
        _mm256_maskstore_ps(c + 8, high, s1);
    }
}

__attribute__((target("avx2,fma")))
static void panel_avx2(long m, long k, const float *a, long lda, const float *panel, float *c, long ldc, long columns,
                       int accumulate) {
    for (long half = 0; half < columns; half += 16) {
        long width = columns - half < 16 ? columns - half : 16;
        long r = 0;
        for (; r + 6 <= m; r += 6) tile_avx2(6, k, a + r * lda, lda, panel + half, c + r * ldc + half, ldc, width, accumulate);
        if (m - r >= 4) { tile_avx2(4, k, a + r * lda, lda, panel + half, c + r * ldc + half, ldc, width, accumulate); r += 4; }
        if (m - r >= 2) { tile_avx2(2, k, a + r * lda, lda, panel + half, c + r * ldc + half, ldc, width, accumulate); r += 2; }
        if (m - r >= 1) tile_avx2(1, k, a + r * lda, lda, panel + half, c + r * ldc + half, ldc, width, accumulate);
    }
}

static void panel_portable(long m, long k, const float *a, long lda, const float *panel, float *c, long ldc, long columns,
                           int accumulate) {
    for (long r = 0; r < m; r++, a += lda, c += ldc) {
        float sum[PANEL] = {0};
        for (long p = 0; p < k; p++) {
            float x = a[p];
            for (long j = 0; j < PANEL; j++) sum[j] += x * panel[p * PANEL + j];
        }
        for (long j = 0; j < columns; j++) c[j] = accumulate ? c[j] + sum[j] : sum[j];
    }
}

// The blocks the loops sweep, sized to this CPU's caches: kc rows of a panel (kc·32
// floats) fill a quarter of L2, and mc rows of A by kc half of it, so while the tiles
// of an A block pass over a panel block both stay in L2. (Measured on a 1 MB L2, 32 rows
// against 8,192 × 1,024: 173 GFLOP/s a core with these blocks, 149 with none, 126 with
// panel blocks sized to L1; products with k up to a quarter of L2 in floats/32, such
// as a recurrent layer's, are one block and unchanged.) mc is a multiple of both
// kernels' tile heights.
static long block_rows_of_panel(void) {
    long kc = ember_l2_bytes / 4 / (PANEL * (long)sizeof(float));
    return kc < 16 ? 16 : kc;
}

static long block_rows_of_a(long kc) {
    long mc = ember_l2_bytes / 2 / (kc * (long)sizeof(float)) / 24 * 24;
    return mc < 24 ? 24 : mc;
}

void ember_gemm_packed(long m, long n, long k, const float *a, long lda, const float *packed, float *c, long ldc,
                       int accumulate) {
    if (k == 0 && !accumulate) {
        for (long r = 0; r < m; r++) memset(c + r * ldc, 0, (size_t)n * sizeof(float));
    }
    long kc = block_rows_of_panel(), mc = block_rows_of_a(kc);
    for (long k0 = 0; k0 < k; k0 += kc) {
        long depth = k - k0 < kc ? k - k0 : kc;
        int add = accumulate || k0 > 0;
        for (long m0 = 0; m0 < m; m0 += mc) {
            long rows = m - m0 < mc ? m - m0 : mc;
            const float *block = a + m0 * lda + k0;
            float *target = c + m0 * ldc;
            for (long first = 0; first < n; first += PANEL) {
                const float *panel = packed + first * k + k0 * PANEL;
                long columns = n - first < PANEL ? n - first : PANEL;
                if (ember_has_avx512) panel_avx512(rows, depth, block, lda, panel, target + first, ldc, columns, add);
                else if (ember_has_avx2_fma) panel_avx2(rows, depth, block, lda, panel, target + first, ldc, columns, add);
                else panel_portable(rows, depth, block, lda, panel, target + first, ldc, columns, add);
            }
        }
    }
}
