/* An instant stand-in for `claude -p --output-format json`, for benchmarks: reads the prompt from
 * stdin to its end and prints one JSON result at once. The prompt steers it:
 *   "@bench-big-answer"  the result text is 1 MiB long
 *   "@bench-sleep"       sleeps 600 s first (a run that holds the lock)                       */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
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
