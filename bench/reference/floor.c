#define _GNU_SOURCE
/* The floor: a minimal FastCGI responder in C (libfcgi) doing the same work as claude-fcgi on the
 * same path, and nothing more: bearer check (constant time), flock(LOCK_EX|LOCK_NB) on the run lock,
 * spawn of the same stand-in claude with the request body on its stdin, its stdout back in a minimal
 * envelope. 401 and 503 bodies are byte for byte ours. No JSON parsing, no validation, no supervisor.
 * Environment: FLOOR_TOKEN, FLOOR_LOCK, FLOOR_CLAUDE.                                             */
#include <fcgiapp.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *UNAUTHORIZED = "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
    "WWW-Authenticate: Bearer\r\nContent-Length: 24\r\n\r\n{\"error\":\"unauthorized\"}";
static const char *BUSY = "Status: 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 10\r\n"
    "Content-Length: 72\r\n\r\n{\"detail\":\"busy: another run is in progress\",\"error\":\"execution failed\"}";

static int authorized(const char *header, const char *token) {
    if (!header || strncasecmp(header, "Bearer ", 7) != 0) return 0;
    const char *given = header + 7;
    size_t a = strlen(given), b = strlen(token), n = a > b ? a : b;
    unsigned char diff = (unsigned char)(a != b);
    for (size_t i = 0; i < n; i++) diff |= (unsigned char)((i < a ? given[i] : 0) ^ (i < b ? token[i] : 0));
    return diff == 0;
}

/* Runs the stand-in with `input` on stdin; returns its stdout (malloc'd) and its length. */
static char *run(const char *claude, const char *input, size_t input_size, size_t *output_size) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) return NULL;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    char *argv[] = {(char *)claude, "-p", "--output-format", "json", NULL};
    pid_t pid;
    int failed = posix_spawn(&pid, claude, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    if (failed) { close(in[1]); close(out[0]); return NULL; }
    for (size_t done = 0; done < input_size;) {  /* the stand-in reads all before it writes */
        ssize_t n = write(in[1], input + done, input_size - done);
        if (n <= 0) break;
        done += (size_t)n;
    }
    close(in[1]);
    size_t size = 0, capacity = 1 << 16;
    char *output = malloc(capacity);
    ssize_t n;
    while ((n = read(out[0], output + size, capacity - size)) > 0) {
        size += (size_t)n;
        if (size == capacity) output = realloc(output, capacity *= 2);
    }
    close(out[0]);
    int status;
    waitpid(pid, &status, 0);
    *output_size = size;
    return output;
}

int main(void) {
    const char *token = getenv("FLOOR_TOKEN"), *lock_path = getenv("FLOOR_LOCK"), *claude = getenv("FLOOR_CLAUDE");
    if (!token || !lock_path || !claude) return 2;
    signal(SIGPIPE, SIG_IGN);
    FCGX_Init();
    FCGX_Request request;
    FCGX_InitRequest(&request, 0, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        if (!authorized(FCGX_GetParam("HTTP_AUTHORIZATION", request.envp), token)) {
            FCGX_PutS(UNAUTHORIZED, request.out);
            FCGX_Finish_r(&request);
            continue;
        }
        const char *length_text = FCGX_GetParam("CONTENT_LENGTH", request.envp);
        size_t length = length_text ? strtoul(length_text, NULL, 10) : 0;
        char *body = malloc(length + 1);
        int got = length ? FCGX_GetStr(body, (int)length, request.in) : 0;
        int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
            if (fd >= 0) close(fd);
            FCGX_PutS(BUSY, request.out);
        } else {
            size_t size = 0;
            char *output = run(claude, body, got > 0 ? (size_t)got : 0, &size);
            close(fd);
            /* libfcgi's printf knows no %zu. */
            FCGX_FPrintF(request.out, "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: %lu\r\n\r\n",
                         (unsigned long)(size + 40));
            FCGX_PutS("{\"object\":\"chat.completion\",\"result\":[", request.out);
            if (output) FCGX_PutStr(output, (int)size, request.out);
            FCGX_PutS("]}", request.out);
            free(output);
        }
        free(body);
        FCGX_Finish_r(&request);
    }
    return 0;
}
