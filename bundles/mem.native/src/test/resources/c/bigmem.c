/* Fills argv[2] MiB of malloc'd memory with a pseudo-random pattern, then forever appends
 * "n checksum" to argv[1] every 100 ms, re-summing the whole buffer each time. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "append.h"

int main(int argc, char **argv) {
    size_t mb = atol(argv[2]);
    size_t n = mb * 1024 * 1024 / 8;
    uint64_t *buf = malloc(n * 8);
    if (!buf) return 3;
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; buf[i] = x; }
    for (long k = 1;; k++) {
        uint64_t sum = 0;
        for (size_t i = 0; i < n; i++) sum = sum * 31 + buf[i];
        char line[64];
        int len = snprintf(line, sizeof line, "%ld %016llx\n", k, (unsigned long long) sum);
        append(argv[1], line, len);
        usleep(100000);
    }
}
