// exp, sigmoid and tanh on one float and on AVX2 and AVX-512 vectors, with the same
// Cephes polynomials at every width; shared by the array functions (ember_math.c) and
// the fused cells (ember_lstm.c). Internal to CEmberMath.
#ifndef EMBER_ACTIVATIONS_H
#define EMBER_ACTIVATIONS_H

#include <immintrin.h>
#include <string.h>

// Cephes' single-precision exp: n = round(x / ln 2), r = x - n ln 2 (in two parts),
// e^x = 2^n (1 + r + r^2 p(r)), the power built in the exponent bits as 2 * 2^(n-1) so
// that n = 128 (just below FLT_MAX) still fits. Above ln FLT_MAX the result is +inf,
// below -86.9 (results under 2^-125, near the denormals) it is flushed to 0, and NaN
// stays NaN.
#define EXP_HI 88.72283905f
#define EXP_LO -86.9f
#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693359375f
#define LN2_LO -2.12194440e-4f
#define P0 1.9875691500e-4f
#define P1 1.3981999507e-3f
#define P2 8.3334519073e-3f
#define P3 4.1665795894e-2f
#define P4 1.6666665459e-1f
#define P5 5.0000001201e-1f
// Cephes' tanh below |x| = 0.625: x + x^3 q(x^2).
#define TANH_SMALL 0.625f
#define Q0 -5.70498872745e-3f
#define Q1 2.06390887954e-2f
#define Q2 -5.37397155531e-2f
#define Q3 1.33314422036e-1f
#define Q4 -3.33332819422e-1f

static inline float exp_scalar(float x) {
    if (x != x) return x;
    if (x > EXP_HI) return __builtin_inff();
    if (x < EXP_LO) return 0.0f;
    float n = __builtin_rintf(x * LOG2E);
    float r = x - n * LN2_HI - n * LN2_LO;
    float p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
    p = p * r * r + r + 1.0f;
    int bits = ((int)n + 126) << 23;
    float half_scale;
    memcpy(&half_scale, &bits, sizeof half_scale);
    return (p + p) * half_scale;
}

static inline float tanh_scalar(float x) {
    float a = x < 0 ? -x : x;
    if (a < TANH_SMALL) {
        float z = x * x;
        return ((((Q0 * z + Q1) * z + Q2) * z + Q3) * z + Q4) * z * x + x;
    }
    float t = 1.0f - 2.0f / (exp_scalar(a + a) + 1.0f);
    return x < 0 ? -t : t;
}

static inline float sigmoid_scalar(float x) { return 1.0f / (1.0f + exp_scalar(-x)); }


__attribute__((target("avx2,fma")))
static inline __m256 exp_avx2(__m256 x) {
    __m256 c = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(EXP_LO)), _mm256_set1_ps(EXP_HI));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(c, _mm256_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(LN2_HI), c);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(LN2_LO), r);
    __m256 p = _mm256_fmadd_ps(_mm256_set1_ps(P0), r, _mm256_set1_ps(P1));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(P2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(P3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(P4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(P5));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(126)), 23);
    __m256 y = _mm256_mul_ps(_mm256_add_ps(p, p), _mm256_castsi256_ps(bits));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(__builtin_inff()), _mm256_cmp_ps(x, _mm256_set1_ps(EXP_HI), _CMP_GT_OQ));
    y = _mm256_blendv_ps(y, _mm256_setzero_ps(), _mm256_cmp_ps(x, _mm256_set1_ps(EXP_LO), _CMP_LT_OQ));
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

__attribute__((target("avx2,fma")))
static inline __m256 sigmoid_avx2(__m256 x) {
    __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

__attribute__((target("avx2,fma")))
static inline __m256 tanh_avx2(__m256 x) {
    __m256 sign = _mm256_and_ps(x, _mm256_set1_ps(-0.0f));
    __m256 a = _mm256_xor_ps(x, sign);
    __m256 z = _mm256_mul_ps(x, x);
    __m256 q = _mm256_fmadd_ps(_mm256_set1_ps(Q0), z, _mm256_set1_ps(Q1));
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(Q2));
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(Q3));
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(Q4));
    __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(q, z), x, x);
    __m256 one = _mm256_set1_ps(1.0f);
    __m256 large = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(exp_avx2(_mm256_add_ps(a, a)), one)));
    large = _mm256_or_ps(large, sign);
    return _mm256_blendv_ps(large, small, _mm256_cmp_ps(a, _mm256_set1_ps(TANH_SMALL), _CMP_LT_OQ));
}

// Sixteen lanes wide where the CPU has AVX-512: the same polynomials, with mask
// registers for the blends.
__attribute__((target("avx512f")))
static inline __m512 exp_avx512(__m512 x) {
    __m512 c = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(EXP_LO)), _mm512_set1_ps(EXP_HI));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(c, _mm512_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(LN2_HI), c);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(LN2_LO), r);
    __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(P0), r, _mm512_set1_ps(P1));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(P2));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(P3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(P4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(P5));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(126)), 23);
    __m512 y = _mm512_mul_ps(_mm512_add_ps(p, p), _mm512_castsi512_ps(bits));
    y = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(EXP_HI), _CMP_GT_OQ), y, _mm512_set1_ps(__builtin_inff()));
    y = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(EXP_LO), _CMP_LT_OQ), y, _mm512_setzero_ps());
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), y, x);
}

__attribute__((target("avx512f")))
static inline __m512 sigmoid_avx512(__m512 x) {
    __m512 one = _mm512_set1_ps(1.0f);
    return _mm512_div_ps(one, _mm512_add_ps(one, exp_avx512(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

__attribute__((target("avx512f")))
static inline __m512 tanh_avx512(__m512 x) {
    __m512i sign = _mm512_and_epi32(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000));
    __m512 a = _mm512_castsi512_ps(_mm512_xor_epi32(_mm512_castps_si512(x), sign));
    __m512 z = _mm512_mul_ps(x, x);
    __m512 q = _mm512_fmadd_ps(_mm512_set1_ps(Q0), z, _mm512_set1_ps(Q1));
    q = _mm512_fmadd_ps(q, z, _mm512_set1_ps(Q2));
    q = _mm512_fmadd_ps(q, z, _mm512_set1_ps(Q3));
    q = _mm512_fmadd_ps(q, z, _mm512_set1_ps(Q4));
    __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(q, z), x, x);
    __m512 one = _mm512_set1_ps(1.0f);
    __m512 large = _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(exp_avx512(_mm512_add_ps(a, a)), one)));
    large = _mm512_castsi512_ps(_mm512_or_epi32(_mm512_castps_si512(large), sign));
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(TANH_SMALL), _CMP_LT_OQ), large, small);
}

#endif
