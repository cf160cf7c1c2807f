#include "ember_rows.h"
#include "cpu.h"

#include <immintrin.h>

// Each row in whole vectors, then its tail under a mask: no scalar epilogue.

__attribute__((target("avx512f")))
static void copy_rows_avx512(const float *src, long ss, float *dst, long ds, long rows, long width) {
    __mmask16 tail = (__mmask16)((1u << (width & 15)) - 1);
    for (long r = 0; r < rows; r++, src += ss, dst += ds) {
        long i = 0;
        for (; i + 16 <= width; i += 16) _mm512_storeu_ps(dst + i, _mm512_loadu_ps(src + i));
        if (tail) _mm512_mask_storeu_ps(dst + i, tail, _mm512_maskz_loadu_ps(tail, src + i));
    }
}

__attribute__((target("avx512f")))
static void add_rows_avx512(const float *src, long ss, float *dst, long ds, long rows, long width) {
    __mmask16 tail = (__mmask16)((1u << (width & 15)) - 1);
    for (long r = 0; r < rows; r++, src += ss, dst += ds) {
        long i = 0;
        for (; i + 16 <= width; i += 16)
            _mm512_storeu_ps(dst + i, _mm512_add_ps(_mm512_loadu_ps(dst + i), _mm512_loadu_ps(src + i)));
        if (tail) {
            __m512 sum = _mm512_add_ps(_mm512_maskz_loadu_ps(tail, dst + i), _mm512_maskz_loadu_ps(tail, src + i));
            _mm512_mask_storeu_ps(dst + i, tail, sum);
        }
    }
}

// Lane i of the AVX2 tail mask is on when i < width % 8.
__attribute__((target("avx2")))
static __m256i tail_mask_avx2(long width) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(width & 7)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

__attribute__((target("avx2")))
static void copy_rows_avx2(const float *src, long ss, float *dst, long ds, long rows, long width) {
    __m256i tail = tail_mask_avx2(width);
    for (long r = 0; r < rows; r++, src += ss, dst += ds) {
        long i = 0;
        for (; i + 8 <= width; i += 8) _mm256_storeu_ps(dst + i, _mm256_loadu_ps(src + i));
        if (width & 7) _mm256_maskstore_ps(dst + i, tail, _mm256_maskload_ps(src + i, tail));
    }
}

__attribute__((target("avx2")))
static void add_rows_avx2(const float *src, long ss, float *dst, long ds, long rows, long width) {
    __m256i tail = tail_mask_avx2(width);
    for (long r = 0; r < rows; r++, src += ss, dst += ds) {
        long i = 0;
        for (; i + 8 <= width; i += 8)
            _mm256_storeu_ps(dst + i, _mm256_add_ps(_mm256_loadu_ps(dst + i), _mm256_loadu_ps(src + i)));
        if (width & 7)
            _mm256_maskstore_ps(dst + i, tail, _mm256_add_ps(_mm256_maskload_ps(dst + i, tail), _mm256_maskload_ps(src + i, tail)));
    }
}

void ember_copy_rows_f32(const float *src, long src_stride, float *dst, long dst_stride, long rows, long width) {
    if (ember_has_avx512) return copy_rows_avx512(src, src_stride, dst, dst_stride, rows, width);
    if (ember_has_avx2_fma) return copy_rows_avx2(src, src_stride, dst, dst_stride, rows, width);
    for (long r = 0; r < rows; r++)
        for (long i = 0; i < width; i++) dst[r * dst_stride + i] = src[r * src_stride + i];
}

void ember_add_rows_f32(const float *src, long src_stride, float *dst, long dst_stride, long rows, long width) {
    if (ember_has_avx512) return add_rows_avx512(src, src_stride, dst, dst_stride, rows, width);
    if (ember_has_avx2_fma) return add_rows_avx2(src, src_stride, dst, dst_stride, rows, width);
    for (long r = 0; r < rows; r++)
        for (long i = 0; i < width; i++) dst[r * dst_stride + i] += src[r * src_stride + i];
}
