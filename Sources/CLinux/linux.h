// Linux and GNU calls that Swift's Glibc module leaves out (variadic functions, GNU extensions),
// as static inline wrappers with their constants: headers only, no logic of our own.
#ifndef CLAUDE_FCGI_CLINUX_H
#define CLAUDE_FCGI_CLINUX_H

// Not _GNU_SOURCE: it changes definitions the Glibc module has too (fd_set's field), and Swift then
// cannot import both modules into one file. The GNU declarations needed are taken from kernel
// headers or declared here.
#include <errno.h>
#include <linux/falloc.h>
#include <linux/sched.h>
#include <openssl/sha.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/// glibc's clone(2) wrapper, as sched.h declares it under _GNU_SOURCE.
extern int clone(int (*child)(void *), void *stack_top, int flags, void *argument, ...);

/// POLLRDHUP (poll.h shows it only under _GNU_SOURCE): the peer closed its end of a stream socket.
/// poll(2) and epoll share their event bits, and sys/epoll.h names this one without conditions.
static const short clinux_pollrdhup = EPOLLRDHUP;

/// prctl(PR_SET_CHILD_SUBREAPER, on).
static inline int clinux_set_child_subreaper(int on) { return prctl(PR_SET_CHILD_SUBREAPER, (unsigned long)on, 0, 0, 0); }
/// prctl(PR_SET_PDEATHSIG, signal).
static inline int clinux_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0); }
/// prctl(PR_SET_NAME, name): at most 15 bytes are kept.
static inline int clinux_set_name(const char *name) { return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0); }

/// close_range(2) through the system call (glibc's wrapper is 2.34+): closes lowest...highest.
static inline int clinux_close_range(unsigned int lowest, unsigned int highest) {
#ifdef SYS_close_range
    return (int)syscall(SYS_close_range, lowest, highest, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

/// pidfd_open(2) through the system call: a close-on-exec descriptor that polls readable once pid has exited.
static inline int clinux_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

/// glibc's clone(2) wrapper: runs child(argument) on the given stack top in a new process.
static inline int clinux_clone(int (*child)(void *), void *stack_top, int flags, void *argument) {
    return clone(child, stack_top, flags, argument);
}

/// mallopt(M_MMAP_THRESHOLD / M_TRIM_THRESHOLD).
static inline int clinux_set_malloc_thresholds(int mmap_threshold, int trim_threshold) {
    return mallopt(M_MMAP_THRESHOLD, mmap_threshold) && mallopt(M_TRIM_THRESHOLD, trim_threshold);
}

/// Adds delta to the double stored (as its bits) at counter, atomically across processes sharing the memory.
static inline void clinux_atomic_add_double(uint64_t *counter, double delta) {
    uint64_t seen = __atomic_load_n(counter, __ATOMIC_RELAXED);
    for (;;) {
        double value;
        __builtin_memcpy(&value, &seen, sizeof value);
        value += delta;
        uint64_t next;
        __builtin_memcpy(&next, &value, sizeof next);
        if (__atomic_compare_exchange_n(counter, &seen, next, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return;
    }
}

/// Reads a counter written by clinux_atomic_add_double.
static inline double clinux_atomic_load_double(const uint64_t *counter) {
    uint64_t bits = __atomic_load_n(counter, __ATOMIC_RELAXED);
    double value;
    __builtin_memcpy(&value, &bits, sizeof value);
    return value;
}

/// Reads a byte that another process publishes with clinux_atomic_store_release_u8: what it wrote
/// before that store is visible after this load.
static inline uint8_t clinux_atomic_load_acquire_u8(const uint8_t *byte) {
    return __atomic_load_n(byte, __ATOMIC_ACQUIRE);
}

/// Stores a byte after everything written before it (see clinux_atomic_load_acquire_u8).
static inline void clinux_atomic_store_release_u8(uint8_t *byte, uint8_t value) {
    __atomic_store_n(byte, value, __ATOMIC_RELEASE);
}

/// getrandom(2) from the kernel's pool (blocks only until the pool is first seeded): up to `length` bytes.
static inline long clinux_getrandom(void *buffer, size_t length) { return (long)getrandom(buffer, length, 0); }

/// SHA-256 of `length` bytes into `digest` (32 bytes), by OpenSSL's libcrypto (Debian's libssl-dev).
/// Returns 1 on success. By the SHA256_* calls, deprecated in OpenSSL 3 but kept: EVP_Digest (and
/// SHA256(), which calls it) looks the algorithm up in the provider store and allocates a context on
/// every call, six times the cost of the hash of a key (300 against 50 ns), on every keyed request.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static inline int clinux_sha256(const void *bytes, size_t length, unsigned char *digest) {
    SHA256_CTX context;
    return SHA256_Init(&context) == 1 && SHA256_Update(&context, bytes, length) == 1 && SHA256_Final(digest, &context) == 1;
}
#pragma GCC diagnostic pop

/// fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length): the blocks are allocated, the size is not changed.
static inline int clinux_reserve(int fd, int64_t offset, int64_t length) {
    return (int)syscall(SYS_fallocate, fd, FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)length);
}

/// accept4(fd, NULL, NULL, SOCK_CLOEXEC): the next connection, close-on-exec.
static inline int clinux_accept_cloexec(int fd) { return (int)syscall(SYS_accept4, fd, NULL, NULL, SOCK_CLOEXEC); }

/// The pid of the peer of a Unix socket (getsockopt SO_PEERCRED, whose struct ucred is _GNU_SOURCE's); -1 on failure.
static inline int clinux_peer_pid(int fd) {
    struct { pid_t pid; uid_t uid; gid_t gid; } credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    return (int)credentials.pid;
}

#endif
