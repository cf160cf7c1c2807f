// Copying and adding strided rows of floats, the inner loops of im2col and col2im.
//
// A convolution's unfolded matrix is built from short rows (a 14-wide feature map gives
// rows of 14 floats), where Swift's baseline SSE2 code runs four lanes and finishes one
// element at a time. These run one masked AVX-512 operation per row of up to 16 when the
// CPU has AVX-512, eight lanes with masked AVX2 tails when it has AVX2, and plain loops
// otherwise.
#ifndef EMBER_ROWS_H
#define EMBER_ROWS_H

/// For r < rows and i < width: dst[r * dst_stride + i] = src[r * src_stride + i].
/// Rows must not overlap.
void ember_copy_rows_f32(const float *src, long src_stride, float *dst, long dst_stride, long rows, long width);
/// For r < rows and i < width, r in order: dst[r * dst_stride + i] += src[r * src_stride + i].
/// Source and target rows must not overlap; a dst_stride of 0 sums the rows into one.
void ember_add_rows_f32(const float *src, long src_stride, float *dst, long dst_stride, long rows, long width);

#endif
