/// Namespace for the forward computations behind ops. Kernels take tensors of any
/// layout, return fresh contiguous results, and never record autograd nodes.
enum Kernels {}
