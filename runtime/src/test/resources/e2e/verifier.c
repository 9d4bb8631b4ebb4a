// verifier.c MIB: fills MIB MiB with a pattern, prints "ready", then forever checks every
// word and moves it to the next generation's pattern, printing "pass N ok" after each full
// pass (stdout, flushed). A wrong word ends it: "CORRUPT word W pass N", exit 3. Its data
// lives only in its memory: it proves a program is intact and running.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t pattern(uint64_t i, uint64_t gen) {
  uint64_t x = i * 0x9E3779B97F4A7C15ull ^ (gen + 1) * 0xC2B2AE3D27D4EB4Full;
  return x ^ (x >> 31);
}

int main(int argc, char **argv) {
  size_t words = (argc > 1 ? strtoull(argv[1], 0, 10) : 500) << 17;
  uint64_t *w = malloc(words * 8);
  if (!w) return 2;
  for (size_t i = 0; i < words; i++) w[i] = pattern(i, 0);
  printf("ready\n");
  fflush(stdout);
  for (uint64_t gen = 0;; gen++) {
    for (size_t i = 0; i < words; i++) {
      if (w[i] != pattern(i, gen)) {
        printf("CORRUPT word %zu pass %llu\n", i, (unsigned long long) gen + 1);
        fflush(stdout);
        return 3;
      }
      w[i] = pattern(i, gen + 1);
    }
    printf("pass %llu ok\n", (unsigned long long) gen + 1);
    fflush(stdout);
  }
}
