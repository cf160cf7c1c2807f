// Optimizer updates over raw float32 arrays: one pass that reads a parameter, its
// gradient and its state and writes the new parameter and state.
//
// Adam's update takes a square root and a division per element; Swift's baseline code
// computes the square roots of a SIMD vector one lane at a time, so the update of a
// 400k-parameter model cost a millisecond a step. These run sixteen lanes with AVX-512,
// eight with AVX2, and plain loops otherwise, with the same operations in the same order
// (no fused multiply-add), so every path gives the same bits.
#ifndef EMBER_OPTIM_H
#define EMBER_OPTIM_H

/// Adam's step over n elements, in place, for i < n:
///     d = g[i] + l2 * p[i]
///     m[i] = beta1 * m[i] + (1 - beta1) * d
///     v[i] = beta2 * v[i] + (1 - beta2) * d * d
///     p[i] = p[i] * shrink - step_size * m[i] / (sqrt(v[i]) / root2 + eps)
/// where step_size = lr / (1 - beta1^t), root2 = sqrt(1 - beta2^t), l2 is Adam's weight
/// decay (0 for AdamW) and shrink is AdamW's 1 - lr * decay (1 for Adam).
/// The four arrays must not overlap.
void ember_adam_f32(float *p, const float *g, float *m, float *v, long n, float beta1, float beta2,
                    float eps, float step_size, float root2, float l2, float shrink);

#endif
