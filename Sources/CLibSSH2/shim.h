#ifndef CLIBSSH2_SHIM_H
#define CLIBSSH2_SHIM_H
#include <string.h>
#include <libssh2.h>
/* Function-like macros of libssh2.h that Swift cannot import get static inline
   wrappers named cssh2_*, in the manner of swift-nio's CNIOLinux_* shims. */

static inline LIBSSH2_SESSION *cssh2_session_init(void) { return libssh2_session_init(); }

static inline int cssh2_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
    return libssh2_session_disconnect(session, description);
}

static inline int cssh2_userauth_publickey_fromfile(LIBSSH2_SESSION *session, const char *username,
                                                    const char *publickey, const char *privatekey,
                                                    const char *passphrase) {
    return libssh2_userauth_publickey_fromfile(session, username, publickey, privatekey, passphrase);
}

static inline LIBSSH2_CHANNEL *cssh2_channel_open_session(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_session(session);
}

static inline int cssh2_channel_exec(LIBSSH2_CHANNEL *channel, const char *command) {
    return libssh2_channel_exec(channel, command);
}

static inline ssize_t cssh2_channel_read(LIBSSH2_CHANNEL *channel, char *buf, size_t buflen) {
    return libssh2_channel_read(channel, buf, buflen);
}

static inline ssize_t cssh2_channel_read_stderr(LIBSSH2_CHANNEL *channel, char *buf, size_t buflen) {
    return libssh2_channel_read_stderr(channel, buf, buflen);
}

static inline ssize_t cssh2_channel_write(LIBSSH2_CHANNEL *channel, const char *buf, size_t buflen) {
    return libssh2_channel_write(channel, buf, buflen);
}

#endif
