#include "ember_math.h"
#include "activations.h"
#include "cpu.h"

#include <immintrin.h>

// Cephes' single-precision erf and erfc (ndtrf.c), for the normal distribution
// function Φ(x) = erfc(−x/√2) / 2 that exact GELU needs: erf(u) = u T(u²) below
// |u| = 1; above it erfc(|u|) = e^(−u²) q P(q²) with q = 1/|u| (R(q²) from |u| = 2).
#define SQRT1_2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f
static const float ERF_T[] = {7.853861353153693e-5f, -8.010193625184903e-4f, 5.188327685732524e-3f,
                              -2.685381193529856e-2f, 1.128358514861418e-1f, -3.761262582423300e-1f,
                              1.128379165726710e0f};
static const float ERFC_P[] = {2.326819970068386e-2f, -1.387039388740657e-1f, 3.687424674597105e-1f,
                               -5.824733027278666e-1f, 6.210004621745983e-1f, -4.944515323274145e-1f,
                               3.404879937665872e-1f, -2.741127028184656e-1f, 5.638259427386472e-1f};
static const float ERFC_R[] = {-1.047766399936249e1f, 1.297719955372516e1f, -7.495518717768503e0f,
                               2.921019019210786e0f, -1.015265279202700e0f, 4.218463358204948e-1f,
                               -2.820767439740514e-1f, 5.641895067754075e-1f};

static inline float polynomial_scalar(const float *c, int count, float x) {
    float p = c[0];
    for (int i = 1; i < count; i++) p = p * x + c[i];
    return p;
}

// Φ(x), with the normal density φ(x) = e^(−x²/2) / √(2π) in *density.
static inline float normal_cdf_scalar(float x, float *density) {
    float u = x * SQRT1_2, a = u < 0 ? -u : u, z = u * u;
    float e = exp_scalar(-z);
    *density = e * INV_SQRT_2PI;
    if (a < 1.0f) return 0.5f + 0.5f * u * polynomial_scalar(ERF_T, 7, z);
    float q = 1.0f / a, y = q * q;
    float tail = 0.5f * e * q * (a < 2.0f ? polynomial_scalar(ERFC_P, 9, y) : polynomial_scalar(ERFC_R, 8, y));
    return u > 0 ? 1.0f - tail : tail;
}

static inline float gelu_scalar(float x) {
    float density;
    return x * normal_cdf_scalar(x, &density);
}

static inline float gelu_backward_scalar(float x, float g) {
    float density, cdf = normal_cdf_scalar(x, &density);
    return g * (cdf + x * density);
}

__attribute__((target("avx2,fma")))
static inline __m256 polynomial_avx2(const float *c, int count, __m256 x) {
    __m256 p = _mm256_set1_ps(c[0]);
    for (int i = 1; i < count; i++) p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(c[i]));
    return p;
}

// Both branches of normal_cdf_scalar, blended.
__attribute__((target("avx2,fma")))
static inline __m256 normal_cdf_avx2(__m256 x, __m256 *density) {
    __m256 u = _mm256_mul_ps(x, _mm256_set1_ps(SQRT1_2));
    __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), u), z = _mm256_mul_ps(u, u);
    __m256 e = exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), z));
    *density = _mm256_mul_ps(e, _mm256_set1_ps(INV_SQRT_2PI));
    __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
    __m256 central = _mm256_fmadd_ps(_mm256_mul_ps(half, u), polynomial_avx2(ERF_T, 7, z), half);
    __m256 q = _mm256_div_ps(one, _mm256_max_ps(a, one)), y = _mm256_mul_ps(q, q);
    __m256 p = _mm256_blendv_ps(polynomial_avx2(ERFC_R, 8, y), polynomial_avx2(ERFC_P, 9, y),
                                _mm256_cmp_ps(a, _mm256_set1_ps(2.0f), _CMP_LT_OQ));
    __m256 tail = _mm256_mul_ps(_mm256_mul_ps(half, e), _mm256_mul_ps(q, p));
    tail = _mm256_blendv_ps(tail, _mm256_sub_ps(one, tail), _mm256_cmp_ps(u, _mm256_setzero_ps(), _CMP_GT_OQ));
    return _mm256_blendv_ps(tail, central, _mm256_cmp_ps(a, one, _CMP_LT_OQ));
}

__attribute__((target("avx512f")))
static inline __m512 polynomial_avx512(const float *c, int count, __m512 x) {
    __m512 p = _mm512_set1_ps(c[0]);
    for (int i = 1; i < count; i++) p = _mm512_fmadd_ps(p, x, _mm512_set1_ps(c[i]));
    return p;
}

__attribute__((target("avx512f")))
static inline __m512 normal_cdf_avx512(__m512 x, __m512 *density) {
    __m512 u = _mm512_mul_ps(x, _mm512_set1_ps(SQRT1_2));
    __m512 a = _mm512_abs_ps(u), z = _mm512_mul_ps(u, u);
    __m512 e = exp_avx512(_mm512_sub_ps(_mm512_setzero_ps(), z));
    *density = _mm512_mul_ps(e, _mm512_set1_ps(INV_SQRT_2PI));
    __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f);
    __m512 central = _mm512_fmadd_ps(_mm512_mul_ps(half, u), polynomial_avx512(ERF_T, 7, z), half);
    __m512 q = _mm512_div_ps(one, _mm512_max_ps(a, one)), y = _mm512_mul_ps(q, q);
    __m512 p = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(2.0f), _CMP_LT_OQ),
                                    polynomial_avx512(ERFC_R, 8, y), polynomial_avx512(ERFC_P, 9, y));
    __m512 tail = _mm512_mul_ps(_mm512_mul_ps(half, e), _mm512_mul_ps(q, p));
    tail = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(u, _mm512_setzero_ps(), _CMP_GT_OQ), tail, _mm512_sub_ps(one, tail));
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, one, _CMP_LT_OQ), tail, central);
}

// One function per operation: the AVX-512 loop over whole groups of sixteen, or the
// AVX2 one over groups of eight, then the scalar form of the same polynomial for the
// rest.
#define ARRAY_FUNCTION(name, vector512, vector256, scalar)                       \
    __attribute__((target("avx512f")))                                           \
    static long name##_avx512(const float *x, float *y, long n) {                \
        long i = 0;                                                              \
        for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, vector512(_mm512_loadu_ps(x + i))); \
        return i;                                                                \
    }                                                                            \
    __attribute__((target("avx2,fma")))                                          \
    static long name##_avx2(const float *x, float *y, long n) {                  \
        long i = 0;                                                              \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, vector256(_mm256_loadu_ps(x + i))); \
        return i;                                                                \
    }                                                                            \
    void name(const float *x, float *y, long n) {                                \
        long i = ember_has_avx512 ? name##_avx512(x, y, n) : ember_has_avx2_fma ? name##_avx2(x, y, n) : 0; \
        for (; i < n; i++) y[i] = scalar(x[i]);                                  \
    }

ARRAY_FUNCTION(ember_exp_f32, exp_avx512, exp_avx2, exp_scalar)
ARRAY_FUNCTION(ember_sigmoid_f32, sigmoid_avx512, sigmoid_avx2, sigmoid_scalar)
ARRAY_FUNCTION(ember_tanh_f32, tanh_avx512, tanh_avx2, tanh_scalar)

__attribute__((target("avx512f")))
static long gelu_avx512(const float *x, float *y, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i), density;
        _mm512_storeu_ps(y + i, _mm512_mul_ps(v, normal_cdf_avx512(v, &density)));
    }
    return i;
}

__attribute__((target("avx2,fma")))
static long gelu_avx2(const float *x, float *y, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i), density;
        _mm256_storeu_ps(y + i, _mm256_mul_ps(v, normal_cdf_avx2(v, &density)));
    }
    return i;
}

void ember_gelu_f32(const float *x, float *y, long n) {
    long i = ember_has_avx512 ? gelu_avx512(x, y, n) : ember_has_avx2_fma ? gelu_avx2(x, y, n) : 0;
    for (; i < n; i++) y[i] = gelu_scalar(x[i]);
}

__attribute__((target("avx512f")))
static long gelu_backward_avx512(const float *x, const float *g, float *dx, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i), density;
        __m512 cdf = normal_cdf_avx512(v, &density);
        _mm512_storeu_ps(dx + i, _mm512_mul_ps(_mm512_loadu_ps(g + i), _mm512_fmadd_ps(v, density, cdf)));
    }
    return i;
}

__attribute__((target("avx2,fma")))
static long gelu_backward_avx2(const float *x, const float *g, float *dx, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i), density;
        __m256 cdf = normal_cdf_avx2(v, &density);
        _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_loadu_ps(g + i), _mm256_fmadd_ps(v, density, cdf)));
    }
    return i;
}

void ember_gelu_backward_f32(const float *x, const float *g, float *dx, long n) {
    long i = ember_has_avx512 ? gelu_backward_avx512(x, g, dx, n) : ember_has_avx2_fma ? gelu_backward_avx2(x, g, dx, n) : 0;
    for (; i < n; i++) dx[i] = gelu_backward_scalar(x[i], g[i]);
}
