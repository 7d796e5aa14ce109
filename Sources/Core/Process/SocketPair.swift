import Glibc

/// A connected pair of stream sockets, close-on-exec, that can carry descriptors (`SCM_RIGHTS`).
struct SocketPair {
    var first: Int32
    var second: Int32

    static func make() throws(SystemCallError) -> SocketPair {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw SystemCallError("cannot create a socket pair")
        }
        return SocketPair(first: fds[0], second: fds[1])
    }

    /// Sends `bytes`, the descriptor riding on the first of them; the rest follows with plain writes.
    static func send(_ bytes: [UInt8], descriptor: Int32, on socket: Int32) throws(SystemCallError) {
        guard !bytes.isEmpty else { return }
        var control = [UInt8](repeating: 0, count: controlSize)
        var sent = 0
        let result: Int = bytes.withUnsafeBytes { data in
            control.withUnsafeMutableBytes { control in
                let header = control.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
                header.pointee.cmsg_len = headerSize + 4
                header.pointee.cmsg_level = SOL_SOCKET
                header.pointee.cmsg_type = Int32(SCM_RIGHTS)
                (control.baseAddress! + headerSize).storeBytes(of: descriptor, as: Int32.self)
                var vector = iovec(iov_base: UnsafeMutableRawPointer(mutating: data.baseAddress), iov_len: 1)
                return withUnsafeMutablePointer(to: &vector) { vector in
                    var message = msghdr()
                    message.msg_iov = vector
                    message.msg_iovlen = 1
                    message.msg_control = control.baseAddress
                    message.msg_controllen = control.count
                    var count: Int
                    repeat { count = sendmsg(socket, &message, Int32(MSG_NOSIGNAL)) } while count < 0 && errno == EINTR
                    return count
                }
            }
        }
        guard result == 1 else { throw SystemCallError("cannot hand the run to its supervisor") }
        sent = 1
        guard Descriptor.writeAll(socket, bytes[sent...]) else { throw SystemCallError("cannot hand the run to its supervisor") }
    }

    /// Reads what is there (blocking until something is); a descriptor that came with it is returned
    /// too. A count of 0 is end of file.
    static func receive(on socket: Int32, into buffer: inout [UInt8]) -> (count: Int, descriptor: Int32?) {
        var control = [UInt8](repeating: 0, count: controlSize)
        let count: Int = buffer.withUnsafeMutableBytes { data in
            control.withUnsafeMutableBytes { control in
                var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
                return withUnsafeMutablePointer(to: &vector) { vector in
                    var message = msghdr()
                    message.msg_iov = vector
                    message.msg_iovlen = 1
                    message.msg_control = control.baseAddress
                    message.msg_controllen = control.count
                    var count: Int
                    repeat { count = recvmsg(socket, &message, Int32(MSG_CMSG_CLOEXEC)) } while count < 0 && errno == EINTR
                    return count
                }
            }
        }
        var descriptor: Int32?
        control.withUnsafeBytes { control in
            let header = control.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
            if count > 0, header.pointee.cmsg_level == SOL_SOCKET, header.pointee.cmsg_type == Int32(SCM_RIGHTS),
               header.pointee.cmsg_len >= headerSize + 4 {
                descriptor = control.load(fromByteOffset: headerSize, as: Int32.self)
            }
        }
        return (max(count, 0), descriptor)
    }

    /// `CMSG_LEN(0)` and `CMSG_SPACE(sizeof(int))` on Linux.
    private static let headerSize = MemoryLayout<cmsghdr>.size
    private static let controlSize = MemoryLayout<cmsghdr>.size + 8
}
