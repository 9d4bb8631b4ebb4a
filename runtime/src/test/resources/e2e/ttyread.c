// ttyread.c: reads lines from its standard input (a terminal) with plain read(0, ...) and
// answers each with "got LINE n=COUNT sum=SUM ok". COUNT and SUM (a checksum of every byte
// read so far: sum = sum * 131 + byte, 64-bit unsigned) live only in memory, as does a
// 4 MiB buffer whose checksum is re-checked for every line ("CORRUPT" instead of "ok").
// Between lines it sits blocked in read(). Nothing else is printed, except "ready" once
// at the start, and a line starting with "read error" or "eof" if read() fails or ends:
// after a transparent restart neither may appear.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long bufsum(const unsigned char *b, size_t n) {
  unsigned long s = 0;
  for (size_t i = 0; i < n; i++) s = s * 31 + b[i];
  return s;
}

int main(void) {
  size_t n = 4 << 20;
  unsigned char *big = malloc(n);
  for (size_t i = 0; i < n; i++) big[i] = (unsigned char)(i * 2654435761u >> 13);
  unsigned long big0 = bufsum(big, n);
  setvbuf(stdout, NULL, _IONBF, 0);
  printf("ready\n");
  unsigned long count = 0, sum = 0;
  char line[4096];
  size_t len = 0;
  for (;;) {
    char in[512];
    ssize_t r = read(0, in, sizeof in);
    if (r < 0) {
      int e = errno;
      printf("read error %d (%s)\n", e, strerror(e));
      if (e == EINTR) continue;
      return 3;
    }
    if (r == 0) {
      printf("eof\n");
      return 0;
    }
    for (ssize_t i = 0; i < r; i++) {
      unsigned char c = (unsigned char)in[i];
      if (c == '\n') {
        line[len] = 0;
        count++;
        printf("got %s n=%lu sum=%lu %s\n", line, count, sum, bufsum(big, n) == big0 ? "ok" : "CORRUPT");
        len = 0;
      } else {
        sum = sum * 131 + c;
        if (len < sizeof line - 1) line[len++] = (char)c;
      }
    }
  }
}
