#define _GNU_SOURCE
#include "ember_library.h"

#include <dlfcn.h>
#include <stddef.h>

void *ember_library_holding(const void *address) {
    Dl_info info;
    if (!dladdr(address, &info) || !info.dli_fname) return NULL;
    return dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
}
