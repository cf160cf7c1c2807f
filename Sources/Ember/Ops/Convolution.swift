/// Convolution and pooling over `[N, C, H, W]` batches (PyTorch's `F.conv2d`,
/// `F.max_pool2d`, `F.avg_pool2d`, `F.adaptive_avg_pool2d`).
///
/// Their backward passes run kernels directly, so they give first derivatives only
/// (`createGraph` records nothing through them).
extension Tensor {
    /// 2-D cross-correlation: `[N, C, H, W]` with weight `[O, C / groups, kH, kW]` and
    /// optional bias `[O]` gives `[N, O, oH, oW]`, where
    /// `oH = (H + 2·padding − dilation·(kH − 1) − 1) / stride + 1` (likewise `oW`).
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Size2D = 0,
                       dilation: Size2D = 1, groups: Int = 1) -> Tensor {
        let shapes = "\(OpMessage.format(shape)) and weight \(OpMessage.format(weight.shape))"
        precondition(ndim == 4 && weight.ndim == 4, "conv2d: input \(shapes) must both be 4-D")
        precondition(dtype.isFloatingPoint && weight.dtype == dtype,
                     "conv2d: input \(shapes): dtypes \(dtype) and \(weight.dtype) must be the same floating-point type")
        precondition(groups > 0 && shape[1] % groups == 0 && weight.shape[0] % groups == 0 && shape[1] / groups == weight.shape[1],
                     "conv2d: input \(shapes): \(shape[1]) input channels in \(groups) groups need weight.shape[1] = \(shape[1] / Swift.max(groups, 1))")
        precondition(stride.h > 0 && stride.w > 0 && dilation.h > 0 && dilation.w > 0 && padding.h >= 0 && padding.w >= 0,
                     "conv2d: stride \(stride) and dilation \(dilation) must be positive, padding \(padding) non-negative")
        let conv = Kernels.Convolution(stride: stride, padding: padding, dilation: dilation, groups: groups)
        let geometry = conv.geometry(input: shape, weight: weight.shape)
        precondition(geometry.outHeight > 0 && geometry.outWidth > 0,
                     "conv2d: input \(shapes): kernel larger than the padded input")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "conv2d: bias \(OpMessage.format(bias.shape)) must be [\(weight.shape[0])]")
        }
        let x = contiguous(), w = weight.contiguous(), b = bias?.contiguous()
        return Kernels.conv2d(x, w, b, conv).recorded("conv2d", [x, w] + (b.map { [$0] } ?? [])) { g in
            let grads = Kernels.conv2dBackward(x, w, g.contiguous(), conv,
                                               needInput: x.requiresGrad, needWeight: w.requiresGrad)
            return [grads.input, grads.weight, b.map { $0.requiresGrad ? g.sum(dims: [0, 2, 3]) : nil } ?? nil]
        }
    }

    /// Max pooling over windows of `kernelSize` every `stride` (default: the kernel
    /// size), the input padded with −∞ by `padding`: `[N, C, H, W] -> [N, C, oH, oW]`.
    public func maxPool2d(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0) -> Tensor {
        let (rows, columns) = poolAxes("maxPool2d", kernelSize, stride ?? kernelSize, padding, countPadding: false)
        let inputShape = shape
        let (values, indices) = Kernels.maxPool2d(contiguous(), rows: rows, columns: columns)
        return values.recorded("maxPool2d", [self]) { g in
            [Kernels.maxPool2dBackward(g.contiguous(), indices: indices, inputShape: inputShape, tiled: rows.isPairs && columns.isPairs)]
        }
    }

    /// Average pooling over windows of `kernelSize` every `stride` (default: the kernel
    /// size); zero padding counts in the divisor when `countIncludePad`, as PyTorch's default.
    public func avgPool2d(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0,
                          countIncludePad: Bool = true) -> Tensor {
        let (rows, columns) = poolAxes("avgPool2d", kernelSize, stride ?? kernelSize, padding, countPadding: countIncludePad)
        return averagePool(rows, columns, name: "avgPool2d")
    }

    /// Average pooling to a fixed `outputSize`, with PyTorch's adaptive bins:
    /// `[N, C, H, W] -> [N, C, outputSize.h, outputSize.w]`.
    public func adaptiveAvgPool2d(outputSize: Size2D) -> Tensor {
        precondition(ndim == 4 && dtype.isFloatingPoint, "adaptiveAvgPool2d: input \(OpMessage.format(shape)) must be a 4-D float tensor")
        precondition(outputSize.h > 0 && outputSize.w > 0, "adaptiveAvgPool2d: output size \(outputSize) must be positive")
        return averagePool(PoolAxis(length: shape[2], adaptiveOutputs: outputSize.h),
                           PoolAxis(length: shape[3], adaptiveOutputs: outputSize.w), name: "adaptiveAvgPool2d")
    }

    private func averagePool(_ rows: PoolAxis, _ columns: PoolAxis, name: String) -> Tensor {
        let inputShape = shape
        return Kernels.avgPool2d(contiguous(), rows: rows, columns: columns).recorded(name, [self]) { g in
            [Kernels.avgPool2dBackward(g.contiguous(), rows: rows, columns: columns, inputShape: inputShape)]
        }
    }

    private func poolAxes(_ op: String, _ kernel: Size2D, _ stride: Size2D, _ padding: Size2D,
                          countPadding: Bool) -> (PoolAxis, PoolAxis) {
        precondition(ndim == 4 && dtype.isFloatingPoint, "\(op): input \(OpMessage.format(shape)) must be a 4-D float tensor")
        precondition(kernel.h > 0 && kernel.w > 0 && stride.h > 0 && stride.w > 0,
                     "\(op): kernel \(kernel) and stride \(stride) must be positive")
        precondition(padding.h >= 0 && padding.w >= 0 && 2 * padding.h <= kernel.h && 2 * padding.w <= kernel.w,
                     "\(op): padding \(padding) must be at most half the kernel \(kernel)")
        precondition(shape[2] + 2 * padding.h >= kernel.h && shape[3] + 2 * padding.w >= kernel.w,
                     "\(op): kernel \(kernel) is larger than the padded input \(OpMessage.format(shape))")
        return (PoolAxis(length: shape[2], kernel: kernel.h, stride: stride.h, padding: padding.h, countPadding: countPadding),
                PoolAxis(length: shape[3], kernel: kernel.w, stride: stride.w, padding: padding.w, countPadding: countPadding))
    }
}
