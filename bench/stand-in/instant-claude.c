/* An instant stand-in for `claude -p --output-format json`, for benchmarks: reads the prompt from
 * stdin to its end and prints one JSON result at once. The prompt steers it:
 *   "@bench-big-answer"  the result text is 1 MiB long
 *   "@bench-sleep"       sleeps 600 s first (a run that holds the lock)
 * With `--output-format stream-json` it prints the CLI's event lines instead (claude-cli.md,
 * section 2), each flushed: message_start, N text deltas, the assistant line, the result line.
 *   "@bench-deltas N"    N deltas (default 10)
 *   "@bench-pause MS"    MS milliseconds between deltas (default 0)                            */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void stream_json(const char *prompt) {
    const char *found;
    long deltas = (found = strstr(prompt, "@bench-deltas ")) ? strtol(found + 14, NULL, 10) : 10;
    long pause_ms = (found = strstr(prompt, "@bench-pause ")) ? strtol(found + 13, NULL, 10) : 0;
    printf("{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"bench\"}\n");
    printf("{\"type\":\"stream_event\",\"event\":{\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\"}},"
           "\"parent_tool_use_id\":null}\n");
    fflush(stdout);
    for (long i = 0; i < deltas; i++) {
        if (i && pause_ms) usleep((useconds_t)pause_ms * 1000);
        printf("{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\",\"index\":0,"
               "\"delta\":{\"type\":\"text_delta\",\"text\":\"tok \"}},\"parent_tool_use_id\":null}\n");
        fflush(stdout);
    }
    printf("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_bench\",\"content\":[{\"type\":\"text\",\"text\":\"");
    for (long i = 0; i < deltas; i++) fputs("tok ", stdout);
    printf("\"}]},\"parent_tool_use_id\":null}\n");
    printf("{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"");
    for (long i = 0; i < deltas; i++) fputs("tok ", stdout);
    printf("\",\"total_cost_usd\":0,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}\n");
}

int main(int argc, char **argv) {
    int streaming = 0;
    for (int i = 1; i < argc; i++) streaming |= strcmp(argv[i], "stream-json") == 0;
    size_t size = 0, capacity = 1 << 16;
    char *prompt = malloc(capacity + 1);
    ssize_t n;
    while (prompt && (n = read(0, prompt + size, capacity - size)) > 0) {
        size += (size_t)n;
        if (size == capacity) prompt = realloc(prompt, (capacity *= 2) + 1);
    }
    if (!prompt) return 1;
    prompt[size] = 0;
    if (strstr(prompt, "@bench-sleep")) sleep(600);
    if (streaming) {
        stream_json(prompt);
        return 0;
    }
    fputs("{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"", stdout);
    if (strstr(prompt, "@bench-big-answer")) {
        for (int i = 0; i < (1 << 20) / 64; i++)
            fputs("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", stdout);
    } else {
        fputs("ok", stdout);
    }
    fputs("\",\"total_cost_usd\":0,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}\n", stdout);
    return 0;
}
