// shared.c FILE OUT w|r: maps the first 2 pages of FILE (created, and filled with a pattern,
// when shorter) MAP_SHARED read-write, and appends "tick N ok|CORRUPT" to OUT every 20 ms.
// "w": each tick writes N into the mapping and checks that the mapping still holds the
// tick before it and the pattern (a restore must give back the mapping's content, from the
// file or, when the file is gone, from the image). "r": only reads the mapping and checks
// it is what the file held when the program started (it never writes FILE).
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define SIZE 8192
int main(int argc, char **argv) {
  if (argc < 4) return 2;
  int w = argv[3][0] == 'w';
  int fd = open(argv[1], O_RDWR | O_CREAT, 0600);
  if (fd < 0) return 3;
  struct stat st;
  fstat(fd, &st);
  if (st.st_size < SIZE) {
    char page[SIZE];
    for (int i = 0; i < SIZE; i++) page[i] = (char)('a' + i % 26);
    if (pwrite(fd, page, SIZE, 0) != SIZE) return 4;
  }
  unsigned char *m = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) return 5;
  close(fd);
  unsigned char first[SIZE];
  memcpy(first, m, SIZE);
  for (long t = 0;; t++) {
    int ok = memcmp(m + sizeof(long), first + sizeof(long), SIZE - sizeof(long)) == 0;
    if (w) {
      long prev;
      memcpy(&prev, m, sizeof prev);
      if (t > 0 && prev != t - 1) ok = 0;
      memcpy(m, &t, sizeof t);
    } else if (memcmp(m, first, sizeof(long)) != 0) {
      ok = 0;
    }
    FILE *f = fopen(argv[2], "a");
    fprintf(f, "tick %ld %s\n", t, ok ? "ok" : "CORRUPT");
    fclose(f);
    usleep(20000);
  }
}
