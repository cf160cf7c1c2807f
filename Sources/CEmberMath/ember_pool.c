#include "ember_pool.h"
#include "cpu.h"

#include <immintrin.h>

// Sixteen windows span 32 floats of a row: two vectors, split into the windows' left
// (even) and right (odd) columns by one two-source permute each; the backward pass
// interleaves them again the same way.

// The masks of the two input vectors covering 2·n floats, n ≤ 16 windows.
static inline void pair_masks(long n, __mmask16 *lo, __mmask16 *hi) {
    long m = 2 * n;
    *lo = m >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << m) - 1);
    *hi = m > 16 ? (__mmask16)((1u << (m - 16)) - 1) : 0;
}

// A window's maximum and flat index the portable way, for chunks that hold a NaN.
static void window_max(const float *x, long w, long top, float *value, int *at) {
    const long offsets[4] = {0, 1, w, w + 1};
    float best = -__builtin_inff();
    long where = top;
    for (int k = 0; k < 4; k++) {
        float v = x[top + offsets[k]];
        if (v > best || (v != v && best == best)) { best = v; where = top + offsets[k]; }
    }
    *value = best;
    *at = (int)where;
}

__attribute__((target("avx512f")))
static void max_pool_pairs_avx512(const float *x, long w, long oh, long ow, float *y, int *idx) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
    const __m512i down = _mm512_set1_epi32((int)w), downRight = _mm512_set1_epi32((int)w + 1);
    for (long r = 0; r < oh; r++) {
        const float *top = x + 2 * r * w, *bottom = top + w;
        for (long c = 0; c < ow; c += 16) {
            long n = ow - c < 16 ? ow - c : 16;
            __mmask16 lo, hi, out = (__mmask16)((1u << n) - 1);
            pair_masks(n, &lo, &hi);
            __m512 t0 = _mm512_maskz_loadu_ps(lo, top + 2 * c), t1 = _mm512_maskz_loadu_ps(hi, top + 2 * c + 16);
            __m512 b0 = _mm512_maskz_loadu_ps(lo, bottom + 2 * c), b1 = _mm512_maskz_loadu_ps(hi, bottom + 2 * c + 16);
            __m512 a = _mm512_permutex2var_ps(t0, even, t1), b = _mm512_permutex2var_ps(t0, odd, t1);
            __m512 p = _mm512_permutex2var_ps(b0, even, b1), q = _mm512_permutex2var_ps(b0, odd, b1);
            __m512 sum = _mm512_add_ps(_mm512_add_ps(a, b), _mm512_add_ps(p, q));
            if (_mm512_mask_cmp_ps_mask(out, sum, sum, _CMP_UNORD_Q)) {
                for (long k = 0; k < n; k++) window_max(x, w, 2 * r * w + 2 * (c + k), y + r * ow + c + k, idx + r * ow + c + k);
                continue;
            }
            __mmask16 right = _mm512_cmp_ps_mask(b, a, _CMP_GT_OQ), rightBelow = _mm512_cmp_ps_mask(q, p, _CMP_GT_OQ);
            __m512 upper = _mm512_mask_blend_ps(right, a, b), lower = _mm512_mask_blend_ps(rightBelow, p, q);
            __mmask16 below = _mm512_cmp_ps_mask(lower, upper, _CMP_GT_OQ);
            _mm512_mask_storeu_ps(y + r * ow + c, out, _mm512_mask_blend_ps(below, upper, lower));
            __m512i first = _mm512_add_epi32(_mm512_set1_epi32((int)(2 * r * w + 2 * c)), even);
            __m512i offset = _mm512_mask_blend_epi32(below, _mm512_mask_blend_epi32(right, zero, one),
                                                     _mm512_mask_blend_epi32(rightBelow, down, downRight));
            _mm512_mask_storeu_epi32(idx + r * ow + c, out, _mm512_add_epi32(first, offset));
        }
    }
}

__attribute__((target("avx512f")))
static void max_pool_pairs_backward_avx512(const float *gy, const int *idx, long w, long oh, long ow, float *gx) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i high = _mm512_add_epi32(low, _mm512_set1_epi32(8));
    const __m512i one = _mm512_set1_epi32(1), down = _mm512_set1_epi32((int)w), downRight = _mm512_set1_epi32((int)w + 1);
    for (long r = 0; r < oh; r++) {
        float *top = gx + 2 * r * w, *bottom = top + w;
        for (long c = 0; c < ow; c += 16) {
            long n = ow - c < 16 ? ow - c : 16;
            __mmask16 lo, hi, out = (__mmask16)((1u << n) - 1);
            pair_masks(n, &lo, &hi);
            __m512 g = _mm512_maskz_loadu_ps(out, gy + r * ow + c);
            __m512i first = _mm512_add_epi32(_mm512_set1_epi32((int)(2 * r * w + 2 * c)), even);
            __m512i offset = _mm512_sub_epi32(_mm512_maskz_loadu_epi32(out, idx + r * ow + c), first);
            __m512 a = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(offset, _mm512_setzero_si512()), g);
            __m512 b = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(offset, one), g);
            __m512 p = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(offset, down), g);
            __m512 q = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(offset, downRight), g);
            _mm512_mask_storeu_ps(top + 2 * c, lo, _mm512_permutex2var_ps(a, low, b));
            _mm512_mask_storeu_ps(top + 2 * c + 16, hi, _mm512_permutex2var_ps(a, high, b));
            _mm512_mask_storeu_ps(bottom + 2 * c, lo, _mm512_permutex2var_ps(p, low, q));
            _mm512_mask_storeu_ps(bottom + 2 * c + 16, hi, _mm512_permutex2var_ps(p, high, q));
        }
    }
}

int ember_max_pool_pairs_f32(const float *x, long w, long oh, long ow, float *y, int *idx) {
    if (!ember_has_avx512) return 0;
    max_pool_pairs_avx512(x, w, oh, ow, y, idx);
    return 1;
}

int ember_max_pool_pairs_backward_f32(const float *gy, const int *idx, long w, long oh, long ow, float *gx) {
    if (!ember_has_avx512) return 0;
    max_pool_pairs_backward_avx512(gy, idx, w, oh, ow, gx);
    return 1;
}
