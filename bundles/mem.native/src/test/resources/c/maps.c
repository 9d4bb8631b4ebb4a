/* Memory of every kind, each filled with a pattern, re-checked on every line:
 * MAP_SHARED anon, a written MAP_PRIVATE file mapping, a MAP_SHARED file mapping,
 * PROT_NONE and read-only anon pages holding data, a memfd (deleted file) mapping, a
 * private mapping of a deleted file, and a stack that keeps growing (deeper recursion on
 * each line). Appends "n ok depthKiB" to argv[1]; argv[2] is a scratch directory. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "append.h"

#define PG 4096
static unsigned char *shanon, *privfile, *shfile, *none, *ro, *memfd, *deleted;

static void fill(unsigned char *p, size_t n, int seed) { for (size_t i = 0; i < n; i++) p[i] = (unsigned char) (i * 7 + seed); }
static int check(const unsigned char *p, size_t n, int seed) {
    for (size_t i = 0; i < n; i++) if (p[i] != (unsigned char) (i * 7 + seed)) return 0;
    return 1;
}

static int file_of(const char *dir, const char *name, size_t n, int seed) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    unsigned char *b = malloc(n);
    fill(b, n, seed);
    if (write(fd, b, n) != (ssize_t) n) exit(5);
    free(b);
    return fd;
}

static long recurse(int depth) {
    volatile char pad[1024];
    pad[0] = (char) depth;
    if (depth <= 0) return pad[0];
    return recurse(depth - 1) + pad[0];
}

int main(int argc, char **argv) {
    shanon = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    fill(shanon, 4 * PG, 1);
    int f1 = file_of(argv[2], "priv", 8 * PG, 2);
    privfile = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, f1, 0);
    fill(privfile + 2 * PG, 2 * PG, 3); /* pages 2-3 differ from the file (COW), the rest do not */
    int f2 = file_of(argv[2], "shared", 4 * PG, 4);
    shfile = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, f2, 0);
    none = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fill(none, 2 * PG, 5);
    mprotect(none, 2 * PG, PROT_NONE);
    ro = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fill(ro, 3 * PG, 6);
    mprotect(ro, 3 * PG, PROT_READ);
    int mfd = memfd_create("dmtcp-test", 0);
    if (ftruncate(mfd, 4 * PG) != 0) return 6;
    memfd = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    fill(memfd, 4 * PG, 7);
    int f3 = file_of(argv[2], "deleted", 4 * PG, 8);
    deleted = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE, f3, 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/deleted", argv[2]);
    unlink(path);
    close(f1); close(f2); close(f3); close(mfd);

    for (long n = 1;; n++) {
        int depth = (int) (n % 64) * 32; /* up to 2 MiB of stack */
        recurse(depth);
        mprotect(none, 2 * PG, PROT_READ);
        int ok = check(shanon, 4 * PG, 1) && check(privfile, 2 * PG, 2) && check(privfile + 2 * PG, 2 * PG, 3)
                && check(privfile + 4 * PG, 4 * PG, 2) && check(shfile, 4 * PG, 4) && check(none, 2 * PG, 5)
                && check(ro, 3 * PG, 6) && check(memfd, 4 * PG, 7) && check(deleted, 4 * PG, 8);
        mprotect(none, 2 * PG, PROT_NONE);
        char line[64];
        int len = snprintf(line, sizeof line, "%ld %d %d\n", n, ok, depth);
        append(argv[1], line, len);
        usleep(5000);
    }
}
