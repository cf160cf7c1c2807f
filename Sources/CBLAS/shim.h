// OpenBLAS's C interface. Debian's libopenblas-dev puts cblas.h on the include path
// that pkg-config's `openblas` reports; openblas_set_num_threads is OpenBLAS's own.
#include <cblas.h>
