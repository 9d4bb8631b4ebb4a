// ticker.c OUT: appends "tick N" to OUT every 20 ms; N lives only in memory (and a
// 4 MiB buffer whose checksum is re-checked each tick), so a restore that lost memory shows.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  size_t n = 4 << 20;
  unsigned char *buf = malloc(n);
  for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)(i * 2654435761u >> 13);
  unsigned long sum0 = 0;
  for (size_t i = 0; i < n; i++) sum0 = sum0 * 31 + buf[i];
  for (long t = 0;; t++) {
    unsigned long s = 0;
    for (size_t i = 0; i < n; i++) s = s * 31 + buf[i];
    FILE *f = fopen(argv[1], "a");
    fprintf(f, "tick %ld %s\n", t, s == sum0 ? "ok" : "CORRUPT");
    fclose(f);
    usleep(20000);
  }
}
