#ifndef CLIBSSH2_SHIM_H
#define CLIBSSH2_SHIM_H
#include <libssh2.h>
/* Function-like macros of libssh2.h that Swift cannot import get static inline
   wrappers named cssh2_*, in the manner of swift-nio's CNIOLinux_* shims. */
static inline LIBSSH2_SESSION *cssh2_session_init(void) { return libssh2_session_init(); }
#endif
