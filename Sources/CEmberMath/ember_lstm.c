#include "ember_lstm.h"
#include "activations.h"
#include "cpu.h"

static inline void forward_scalar(const struct ember_lstm_forward *r, long j) {
    float *p = r->gates + j;
    long n = r->hidden;
    float i = sigmoid_scalar(p[0]), f = sigmoid_scalar(p[n]), g = tanh_scalar(p[2 * n]), o = sigmoid_scalar(p[3 * n]);
    p[0] = i, p[n] = f, p[2 * n] = g, p[3 * n] = o;
    float c = f * r->c_prev[j] + i * g;
    r->c[j] = c;
    r->h[j] = o * tanh_scalar(c);
}

static inline void backward_scalar(const struct ember_lstm_backward *r, long j) {
    const float *p = r->gates + j;
    float *dp = r->d_gates + j;
    long n = r->hidden;
    float i = p[0], f = p[n], g = p[2 * n], o = p[3 * n];
    float tc = tanh_scalar(r->c[j]);
    float dh = r->grad_h[j] + r->carry_h[j];
    float dc = r->grad_c[j] + r->carry_c[j] + dh * o * (1 - tc * tc);
    dp[0] = dc * g * i * (1 - i);
    dp[n] = dc * r->c_prev[j] * f * (1 - f);
    dp[2 * n] = dc * i * (1 - g * g);
    dp[3 * n] = dh * tc * o * (1 - o);
    r->dc_prev[j] = dc * f;
    r->dh_prev[j] = 0;
}

// Sixteen units at a time, the last group under a mask.
__attribute__((target("avx512f")))
static void forward_avx512(const struct ember_lstm_forward *r) {
    long n = r->hidden;
    for (long j = 0; j < r->count; j += 16) {
        __mmask16 m = r->count - j >= 16 ? 0xffff : (__mmask16)((1u << (r->count - j)) - 1);
        float *p = r->gates + j;
        __m512 i = sigmoid_avx512(_mm512_maskz_loadu_ps(m, p)), f = sigmoid_avx512(_mm512_maskz_loadu_ps(m, p + n));
        __m512 g = tanh_avx512(_mm512_maskz_loadu_ps(m, p + 2 * n)), o = sigmoid_avx512(_mm512_maskz_loadu_ps(m, p + 3 * n));
        _mm512_mask_storeu_ps(p, m, i);
        _mm512_mask_storeu_ps(p + n, m, f);
        _mm512_mask_storeu_ps(p + 2 * n, m, g);
        _mm512_mask_storeu_ps(p + 3 * n, m, o);
        __m512 c = _mm512_fmadd_ps(f, _mm512_maskz_loadu_ps(m, r->c_prev + j), _mm512_mul_ps(i, g));
        _mm512_mask_storeu_ps(r->c + j, m, c);
        _mm512_mask_storeu_ps(r->h + j, m, _mm512_mul_ps(o, tanh_avx512(c)));
    }
}

__attribute__((target("avx512f")))
static void backward_avx512(const struct ember_lstm_backward *r) {
    long n = r->hidden;
    __m512 one = _mm512_set1_ps(1.0f);
    for (long j = 0; j < r->count; j += 16) {
        __mmask16 m = r->count - j >= 16 ? 0xffff : (__mmask16)((1u << (r->count - j)) - 1);
        const float *p = r->gates + j;
        float *dp = r->d_gates + j;
        __m512 i = _mm512_maskz_loadu_ps(m, p), f = _mm512_maskz_loadu_ps(m, p + n);
        __m512 g = _mm512_maskz_loadu_ps(m, p + 2 * n), o = _mm512_maskz_loadu_ps(m, p + 3 * n);
        __m512 tc = tanh_avx512(_mm512_maskz_loadu_ps(m, r->c + j));
        __m512 dh = _mm512_add_ps(_mm512_maskz_loadu_ps(m, r->grad_h + j), _mm512_maskz_loadu_ps(m, r->carry_h + j));
        __m512 dc = _mm512_add_ps(_mm512_maskz_loadu_ps(m, r->grad_c + j), _mm512_maskz_loadu_ps(m, r->carry_c + j));
        dc = _mm512_fmadd_ps(_mm512_mul_ps(dh, o), _mm512_fnmadd_ps(tc, tc, one), dc);
        _mm512_mask_storeu_ps(dp, m, _mm512_mul_ps(_mm512_mul_ps(dc, g), _mm512_mul_ps(i, _mm512_sub_ps(one, i))));
        __m512 cPrev = _mm512_maskz_loadu_ps(m, r->c_prev + j);
        _mm512_mask_storeu_ps(dp + n, m, _mm512_mul_ps(_mm512_mul_ps(dc, cPrev), _mm512_mul_ps(f, _mm512_sub_ps(one, f))));
        _mm512_mask_storeu_ps(dp + 2 * n, m, _mm512_mul_ps(_mm512_mul_ps(dc, i), _mm512_fnmadd_ps(g, g, one)));
        _mm512_mask_storeu_ps(dp + 3 * n, m, _mm512_mul_ps(_mm512_mul_ps(dh, tc), _mm512_mul_ps(o, _mm512_sub_ps(one, o))));
        _mm512_mask_storeu_ps(r->dc_prev + j, m, _mm512_mul_ps(dc, f));
        _mm512_mask_storeu_ps(r->dh_prev + j, m, _mm512_setzero_ps());
    }
}

// Eight units at a time; the rest one at a time.
__attribute__((target("avx2,fma")))
static long forward_avx2(const struct ember_lstm_forward *r) {
    long n = r->hidden, j = 0;
    for (; j + 8 <= r->count; j += 8) {
        float *p = r->gates + j;
        __m256 i = sigmoid_avx2(_mm256_loadu_ps(p)), f = sigmoid_avx2(_mm256_loadu_ps(p + n));
        __m256 g = tanh_avx2(_mm256_loadu_ps(p + 2 * n)), o = sigmoid_avx2(_mm256_loadu_ps(p + 3 * n));
        _mm256_storeu_ps(p, i);
        _mm256_storeu_ps(p + n, f);
        _mm256_storeu_ps(p + 2 * n, g);
        _mm256_storeu_ps(p + 3 * n, o);
        __m256 c = _mm256_fmadd_ps(f, _mm256_loadu_ps(r->c_prev + j), _mm256_mul_ps(i, g));
        _mm256_storeu_ps(r->c + j, c);
        _mm256_storeu_ps(r->h + j, _mm256_mul_ps(o, tanh_avx2(c)));
    }
    return j;
}

__attribute__((target("avx2,fma")))
static long backward_avx2(const struct ember_lstm_backward *r) {
    long n = r->hidden, j = 0;
    __m256 one = _mm256_set1_ps(1.0f);
    for (; j + 8 <= r->count; j += 8) {
        const float *p = r->gates + j;
        float *dp = r->d_gates + j;
        __m256 i = _mm256_loadu_ps(p), f = _mm256_loadu_ps(p + n), g = _mm256_loadu_ps(p + 2 * n), o = _mm256_loadu_ps(p + 3 * n);
        __m256 tc = tanh_avx2(_mm256_loadu_ps(r->c + j));
        __m256 dh = _mm256_add_ps(_mm256_loadu_ps(r->grad_h + j), _mm256_loadu_ps(r->carry_h + j));
        __m256 dc = _mm256_add_ps(_mm256_loadu_ps(r->grad_c + j), _mm256_loadu_ps(r->carry_c + j));
        dc = _mm256_fmadd_ps(_mm256_mul_ps(dh, o), _mm256_fnmadd_ps(tc, tc, one), dc);
        _mm256_storeu_ps(dp, _mm256_mul_ps(_mm256_mul_ps(dc, g), _mm256_mul_ps(i, _mm256_sub_ps(one, i))));
        __m256 cPrev = _mm256_loadu_ps(r->c_prev + j);
        _mm256_storeu_ps(dp + n, _mm256_mul_ps(_mm256_mul_ps(dc, cPrev), _mm256_mul_ps(f, _mm256_sub_ps(one, f))));
        _mm256_storeu_ps(dp + 2 * n, _mm256_mul_ps(_mm256_mul_ps(dc, i), _mm256_fnmadd_ps(g, g, one)));
        _mm256_storeu_ps(dp + 3 * n, _mm256_mul_ps(_mm256_mul_ps(dh, tc), _mm256_mul_ps(o, _mm256_sub_ps(one, o))));
        _mm256_storeu_ps(r->dc_prev + j, _mm256_mul_ps(dc, f));
        _mm256_storeu_ps(r->dh_prev + j, _mm256_setzero_ps());
    }
    return j;
}

void ember_lstm_forward_f32(const struct ember_lstm_forward *row) {
    if (ember_has_avx512) return forward_avx512(row);
    long j = ember_has_avx2_fma ? forward_avx2(row) : 0;
    for (; j < row->count; j++) forward_scalar(row, j);
}

void ember_lstm_backward_f32(const struct ember_lstm_backward *row) {
    if (ember_has_avx512) return backward_avx512(row);
    long j = ember_has_avx2_fma ? backward_avx2(row) : 0;
    for (; j < row->count; j++) backward_scalar(row, j);
}
