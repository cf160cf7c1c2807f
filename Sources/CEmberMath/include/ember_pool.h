// 2×2 max pooling with stride 2 over float planes, sixteen windows per AVX-512
// operation. Each function returns 1 when it did the work and 0, touching nothing, when
// the CPU lacks AVX-512 (the caller then runs its portable loop).
#ifndef EMBER_POOL_H
#define EMBER_POOL_H

/// One plane `x` of at least 2·oh rows of `w` floats, `ow` ≤ w / 2 windows per row: the
/// window maxima into `y` (`[oh, ow]`) and each one's flat index in the plane into `idx`
/// (first on ties; a window holding NaN gives its first NaN, as PyTorch).
int ember_max_pool_pairs_f32(const float *x, long w, long oh, long ow, float *y, int *idx);
/// The gradient of that pooling for one plane with w == 2·ow: each window's `gy` at the
/// index `idx` recorded, zero at its other three elements, written into `gx` (`[2·oh, w]`).
int ember_max_pool_pairs_backward_f32(const float *gy, const int *idx, long w, long oh, long ow, float *gx);

#endif
