// Finding a loaded shared library by an address inside it, so that symbols it exports
// but does not declare in a header can be looked up with dlsym (Ember's use: OpenBLAS's
// kernel-set switch). dladdr is a GNU extension that Swift's Glibc module leaves out.
#ifndef EMBER_LIBRARY_H
#define EMBER_LIBRARY_H

/// A dlopen handle of the already-loaded library (or executable) holding `address`,
/// or NULL if there is none; the library is never loaded by this call.
void *ember_library_holding(const void *address);

#endif
