// zlib, for reading gzip-compressed data sets (Debian: zlib1g-dev).
#include <zlib.h>
