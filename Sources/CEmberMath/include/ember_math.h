// Vectorised transcendental functions over float arrays, for Ember's fused kernels.
//
// Swift compiles Ember for the baseline x86-64 instruction set (SSE2), where a call
// into libm per element costs more than a recurrent cell's arithmetic. These loops
// run sixteen lanes at a time with AVX-512, eight with AVX2 and FMA, when the CPU has
// them (checked once, at run time), and one at a time otherwise, with the same Cephes
// polynomials either way: within a few ulp of libm. `x` and `y` may be the same array.
#ifndef EMBER_MATH_H
#define EMBER_MATH_H

/// y[i] = e^x[i]; +inf above ln FLT_MAX, 0 below -86.9 (denormal results flushed).
void ember_exp_f32(const float *x, float *y, long n);
/// y[i] = 1 / (1 + e^-x[i]).
void ember_sigmoid_f32(const float *x, float *y, long n);
/// y[i] = tanh x[i].
void ember_tanh_f32(const float *x, float *y, long n);
/// y[i] = x[i] Φ(x[i]), exact GELU (Φ the standard normal distribution function).
void ember_gelu_f32(const float *x, float *y, long n);
/// dx[i] = g[i] (Φ(x[i]) + x[i] φ(x[i])), GELU's gradient times g; dx may be x or g.
void ember_gelu_backward_f32(const float *x, const float *g, float *dx, long n);

#endif
