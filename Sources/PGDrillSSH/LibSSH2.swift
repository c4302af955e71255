import CLibSSH2

/// Process-wide libssh2 initialisation, done once before the first session.
///
/// `libssh2_init` is not thread-safe; a `static let` is initialised exactly once under
/// `swift_once`, which makes calling `LibSSH2.ensureInitialised()` from any thread safe.
enum LibSSH2 {
    private static let initResult: Int32 = libssh2_init(0)

    static func ensureInitialised() -> Bool { initResult == 0 }
}

extension SSHError.Code {
    /// The code for a libssh2 return value; kept next to the library so the mapping is in one place.
    init(libssh2 rc: Int32) {
        switch rc {
        case LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_BANNER_SEND,
            LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT,
            LIBSSH2_ERROR_BAD_SOCKET:
            self = .connectFailed
        case LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_SOCKET_TIMEOUT:
            self = .timeout
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED,
            LIBSSH2_ERROR_KEYFILE_AUTH_FAILED, LIBSSH2_ERROR_METHOD_NONE:
            self = .authenticationFailed
        case LIBSSH2_ERROR_FILE:
            self = .keyFileUnreadable
        case LIBSSH2_ERROR_CHANNEL_OUTOFORDER, LIBSSH2_ERROR_CHANNEL_FAILURE,
            LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED, LIBSSH2_ERROR_CHANNEL_UNKNOWN,
            LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED, LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED,
            LIBSSH2_ERROR_CHANNEL_CLOSED, LIBSSH2_ERROR_CHANNEL_EOF_SENT, LIBSSH2_ERROR_REQUEST_DENIED:
            self = .channelFailed
        default:
            self = .protocolError
        }
    }

    /// Whether a failure with this code leaves the SSH transport itself unusable.
    var breaksTransport: Bool { self == .connectFailed || self == .protocolError }
}
