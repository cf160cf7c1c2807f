#include "ember_optim.h"
#include "cpu.h"

#include <immintrin.h>
#include <math.h>

// Each kernel runs whole vectors, then hands the tail to the plain loop: its operations
// are the vectors' in the same order, so the tail's elements round as theirs would.

#pragma STDC FP_CONTRACT OFF

static void adam_scalar(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2,
                        float eps, float step_size, float root2, float l2, float shrink) {
    for (long i = 0; i < n; i++) {
        float d = g[i] + l2 * p[i];
        m[i] = beta1 * m[i] + (1 - beta1) * d;
        v[i] = beta2 * v[i] + (1 - beta2) * d * d;
        p[i] = p[i] * shrink - step_size * m[i] / (sqrtf(v[i]) / root2 + eps);
    }
}

__attribute__((target("avx512f")))
static long adam_avx512(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2,
                        float eps, float step_size, float root2, float l2, float shrink) {
    const __m512 b1 = _mm512_set1_ps(beta1), c1 = _mm512_set1_ps(1 - beta1);
    const __m512 b2 = _mm512_set1_ps(beta2), c2 = _mm512_set1_ps(1 - beta2);
    const __m512 e = _mm512_set1_ps(eps), s = _mm512_set1_ps(step_size), r = _mm512_set1_ps(root2);
    const __m512 w = _mm512_set1_ps(l2), k = _mm512_set1_ps(shrink);
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 pi = _mm512_loadu_ps(p + i);
        __m512 d = _mm512_add_ps(_mm512_loadu_ps(g + i), _mm512_mul_ps(w, pi));
        __m512 mi = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_loadu_ps(m + i)), _mm512_mul_ps(c1, d));
        __m512 vi = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_loadu_ps(v + i)), _mm512_mul_ps(_mm512_mul_ps(c2, d), d));
        __m512 denominator = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(vi), r), e);
        _mm512_storeu_ps(m + i, mi);
        _mm512_storeu_ps(v + i, vi);
        _mm512_storeu_ps(p + i, _mm512_sub_ps(_mm512_mul_ps(pi, k), _mm512_div_ps(_mm512_mul_ps(s, mi), denominator)));
    }
    return i;
}

__attribute__((target("avx2")))
static long adam_avx2(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2,
                     float eps, float step_size, float root2, float l2, float shrink) {
    const __m256 b1 = _mm256_set1_ps(beta1), c1 = _mm256_set1_ps(1 - beta1);
    const __m256 b2 = _mm256_set1_ps(beta2), c2 = _mm256_set1_ps(1 - beta2);
    const __m256 e = _mm256_set1_ps(eps), s = _mm256_set1_ps(step_size), r = _mm256_set1_ps(root2);
    const __m256 w = _mm256_set1_ps(l2), k = _mm256_set1_ps(shrink);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 pi = _mm256_loadu_ps(p + i);
        __m256 d = _mm256_add_ps(_mm256_loadu_ps(g + i), _mm256_mul_ps(w, pi));
        __m256 mi = _mm256_add_ps(_mm256_mul_ps(b1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(c1, d));
        __m256 vi = _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(v + i)), _mm256_mul_ps(_mm256_mul_ps(c2, d), d));
        __m256 denominator = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), r), e);
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        _mm256_storeu_ps(p + i, _mm256_sub_ps(_mm256_mul_ps(pi, k), _mm256_div_ps(_mm256_mul_ps(s, mi), denominator)));
    }
    return i;
}

void ember_adam_f32(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2,
                    float eps, float step_size, float root2, float l2, float shrink) {
    long done = 0;
    if (ember_has_avx512) done = adam_avx512(p, g, m, v, n, beta1, beta2, eps, step_size, root2, l2, shrink);
    else if (ember_has_avx2_fma) done = adam_avx2(p, g, m, v, n, beta1, beta2, eps, step_size, root2, l2, shrink);
    adam_scalar(p + done, g + done, m + done, v + done, n - done, beta1, beta2, eps, step_size, root2, l2, shrink);
}
