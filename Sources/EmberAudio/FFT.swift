import Foundation

/// A discrete Fourier transform of one length, planned once and reused: mixed-radix
/// Cooley–Tukey (radix 4, 2, 3, 5 and any other prime by its direct sum), in float64,
/// with the sign conventions of `numpy.fft` / `torch.fft`:
/// `X[k] = Σₙ x[n]·e^(−2πi·kn/N)`, and the inverse divided by `N`.
///
/// ```swift
/// let fft = FFT(size: 400)
/// let (re, im) = fft.forward(real: samples)     // 201 bins: 0 … N/2
/// ```
public struct FFT: Sendable {
    /// The transform's length `N`.
    public let size: Int
    /// The radices, first to last, whose product is `size`.
    private let factors: [Int]
    /// `e^(−2πi·t/N)` for `t` in `0..<N`, as (cos, sin) pairs.
    private let twiddles: [(re: Double, im: Double)]

    /// A plan for transforms of `size` points (`size ≥ 1`).
    public init(size: Int) {
        precondition(size >= 1, "FFT: size must be positive, got \(size)")
        self.size = size
        var factors: [Int] = [], rest = size
        for radix in [4, 2, 3, 5] {
            while rest % radix == 0 {
                factors.append(radix)
                rest /= radix
            }
        }
        var p = 7
        while rest > 1 {
            while rest % p == 0 {
                factors.append(p)
                rest /= p
            }
            p += 2
        }
        self.factors = factors.isEmpty ? [1] : factors
        twiddles = (0..<size).map { t in
            let angle = -2 * Double.pi * Double(t) / Double(size)
            return (cos(angle), sin(angle))
        }
    }

    /// The transform of the complex sequence `(re, im)` (each of `size` values); the
    /// inverse one when `inverse` (conjugate exponent, divided by `size`).
    public func transform(re: [Double], im: [Double], inverse: Bool = false) -> (re: [Double], im: [Double]) {
        precondition(re.count == size && im.count == size, "FFT.transform: \(re.count) and \(im.count) values for a transform of \(size)")
        let sign = inverse ? -1.0 : 1.0
        var input = zip(re, im).map { (re: $0, im: sign * $1) }
        var output = [(re: Double, im: Double)](repeating: (0, 0), count: size)
        input.withUnsafeMutableBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                recurse(x.baseAddress!, stride: 1, into: y.baseAddress!, count: size, level: 0)
            }
        }
        let scale = inverse ? 1 / Double(size) : 1
        return (output.map { $0.re * scale }, output.map { sign * $0.im * scale })
    }

    /// The transform of real `x` (`size` values): the `size / 2 + 1` non-negative
    /// frequencies, as `numpy.fft.rfft` returns them.
    public func forward(real x: [Double]) -> (re: [Double], im: [Double]) {
        let (re, im) = transform(re: x, im: [Double](repeating: 0, count: size))
        let bins = size / 2 + 1
        return (Array(re.prefix(bins)), Array(im.prefix(bins)))
    }

    /// The real signal of `size` points whose non-negative frequencies are `(re, im)`
    /// (`size / 2 + 1` bins), as `numpy.fft.irfft`: the other half is their mirror
    /// image, and the imaginary parts of bin 0 (and of bin N/2 for even N) are ignored.
    public func inverse(re: [Double], im: [Double]) -> [Double] {
        let bins = size / 2 + 1
        precondition(re.count == bins && im.count == bins, "FFT.inverse: \(re.count) and \(im.count) bins for a transform of \(size)")
        var fullRe = [Double](repeating: 0, count: size), fullIm = [Double](repeating: 0, count: size)
        for k in 0..<bins {
            fullRe[k] = re[k]
            fullIm[k] = im[k]
        }
        fullIm[0] = 0
        if size % 2 == 0 { fullIm[size / 2] = 0 }
        for k in bins..<size {
            fullRe[k] = re[size - k]
            fullIm[k] = -im[size - k]
        }
        return transform(re: fullRe, im: fullIm, inverse: true).re
    }

    /// Decimation in time: the `count`-point transform of `x[0], x[stride], …` into
    /// `y[0..<count]`, splitting by `factors[level]`.
    private func recurse(_ x: UnsafeMutablePointer<(re: Double, im: Double)>, stride: Int,
                         into y: UnsafeMutablePointer<(re: Double, im: Double)>, count: Int, level: Int) {
        let p = factors[level], m = count / p
        if m == 1 {
            for q in 0..<p { y[q] = x[q * stride] }
        } else {
            for q in 0..<p { recurse(x + q * stride, stride: stride * p, into: y + q * m, count: m, level: level + 1) }
        }
        guard p > 1 else { return }
        // Twiddles of this level's size `count` are every (N / count)-th of the table.
        let step = size / count
        var terms = [(re: Double, im: Double)](repeating: (0, 0), count: p)
        for k in 0..<m {
            for q in 0..<p {
                let v = y[q * m + k], w = twiddles[(q * k * step) % size]
                terms[q] = (v.re * w.re - v.im * w.im, v.re * w.im + v.im * w.re)
            }
            switch p {
            case 2:
                y[k] = (terms[0].re + terms[1].re, terms[0].im + terms[1].im)
                y[m + k] = (terms[0].re - terms[1].re, terms[0].im - terms[1].im)
            case 4:
                // Radix 4 with −i as the quarter turn.
                let (a, b, c, d) = (terms[0], terms[1], terms[2], terms[3])
                let s0 = (re: a.re + c.re, im: a.im + c.im), s1 = (re: a.re - c.re, im: a.im - c.im)
                let s2 = (re: b.re + d.re, im: b.im + d.im), s3 = (re: b.re - d.re, im: b.im - d.im)
                y[k] = (s0.re + s2.re, s0.im + s2.im)
                y[m + k] = (s1.re + s3.im, s1.im - s3.re)
                y[2 * m + k] = (s0.re - s2.re, s0.im - s2.im)
                y[3 * m + k] = (s1.re - s3.im, s1.im + s3.re)
            default:
                // A direct p-point sum: W_p^(qj) = W_count^(qj·m).
                for j in 0..<p {
                    var sum = (re: 0.0, im: 0.0)
                    for q in 0..<p {
                        let w = twiddles[((q * j) % p) * m * step]
                        sum.re += terms[q].re * w.re - terms[q].im * w.im
                        sum.im += terms[q].re * w.im + terms[q].im * w.re
                    }
                    y[j * m + k] = sum
                }
            }
        }
    }
}
