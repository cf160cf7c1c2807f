// The pointwise part of an LSTM step (everything after the matrix products) for one
// batch row, fused into one pass sixteen lanes wide with AVX-512 (eight with AVX2 and
// FMA, one at a time otherwise). Float32; PyTorch's gate order i, f, g, o, each gate
// `hidden` floats after the previous one. Swift runs these eight lanes of SSE at a
// time and in several passes; this is the same arithmetic.
#ifndef EMBER_LSTM_H
#define EMBER_LSTM_H

/// One row of a forward step over `count` hidden units.
struct ember_lstm_forward {
    /// The gates' projections in; σ(i), σ(f), tanh(g), σ(o) out (what backward reads).
    float *gates;
    /// The previous cell state, read; the new cell state and hidden state, written.
    const float *c_prev;
    float *c, *h;
    long hidden, count;
};

/// c = σ(f)·c_prev + σ(i)·tanh(g), h = σ(o)·tanh(c).
void ember_lstm_forward_f32(const struct ember_lstm_forward *row);

/// One row of a backward step over `count` hidden units.
struct ember_lstm_backward {
    /// The activated gates and the states the forward step read and wrote.
    const float *gates, *c_prev, *c;
    /// Gradients reaching h and c: from this step's output and from the step after.
    const float *grad_h, *carry_h, *grad_c, *carry_c;
    /// Gradients of the gates' pre-activations (laid out as `gates`), of c_prev, and the
    /// part of h_prev's not through W_hh (always zero for an LSTM).
    float *d_gates, *dc_prev, *dh_prev;
    long hidden, count;
};

/// The gradients of one forward step's row.
void ember_lstm_backward_f32(const struct ember_lstm_backward *row);

#endif
