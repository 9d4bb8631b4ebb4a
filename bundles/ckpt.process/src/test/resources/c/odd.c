// odd.c OUT: the awkward corners of an address space and of waiting, in one program:
// a 64 GiB MAP_NORESERVE region with a few pages touched, a region grown and moved by
// mremap, libm loaded with dlopen and called through dlsym, a thread sleeping in poll()
// and the main thread waiting in select(). Appends "N sum ok" to OUT every 50 ms.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <unistd.h>
static volatile long polls;
static void *poller(void *a) { for (;;) { poll(NULL, 0, 30); polls++; } return a; }
int main(int argc, char **argv) {
  size_t huge = 64UL << 30;
  char *sparse = mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (sparse == MAP_FAILED) return 2;
  for (int i = 0; i < 16; i++) sparse[(size_t)i * (huge / 16)] = (char)(i + 1);
  char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  strcpy(m, "before mremap");
  m = mremap(m, 4096, 1 << 20, MREMAP_MAYMOVE);
  if (m == MAP_FAILED) return 3;
  strcpy(m + (1 << 19), "grown");
  void *libm = dlopen("libm.so.6", RTLD_NOW);
  double (*cosine)(double) = libm ? (double (*)(double))dlsym(libm, "cos") : NULL;
  if (!cosine) return 4;
  pthread_t t;
  pthread_create(&t, 0, poller, 0);
  for (long n = 0;; n++) {
    int ok = cosine(0.0) == 1.0 && !strcmp(m, "before mremap") && !strcmp(m + (1 << 19), "grown");
    for (int i = 0; i < 16; i++) ok = ok && sparse[(size_t)i * (huge / 16)] == (char)(i + 1);
    FILE *f = fopen(argv[1], "a");
    fprintf(f, "%ld %ld %s\n", n, polls, ok ? "ok" : "CORRUPT");
    fclose(f);
    struct timeval tv = {0, 50000};
    select(0, NULL, NULL, NULL, &tv);
  }
}
