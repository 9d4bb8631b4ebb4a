/* A program keeping its notes in a memfd it holds only as an fd (not mapped), as the
 * example resource handler's end-to-end test checkpoints it.
 *
 * usage: memfdnotes OUT [map]
 * Every 100 ms it appends "note N\n" to the memfd through the fd's own offset, reads the
 * whole memfd back and checks it holds notes 0..N in order, that its seals are still
 * F_SEAL_SHRINK and that shrinking it is refused; then appends "tick N size S seals X ok"
 * (or "BAD ...") to OUT. With "map" it also maps the memfd, which the handler refuses. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int check(int fd, long n, long *size) {
    struct stat st;
    if (fstat(fd, &st) != 0) return 0;
    *size = st.st_size;
    char *buf = malloc(st.st_size + 1);
    if (pread(fd, buf, st.st_size, 0) != st.st_size) return 0;
    buf[st.st_size] = 0;
    char *p = buf;
    for (long i = 0; i <= n; i++) {
        char want[32];
        int len = snprintf(want, sizeof want, "note %ld\n", i);
        if (strncmp(p, want, len) != 0) { free(buf); return 0; }
        p += len;
    }
    int whole = *p == 0;
    free(buf);
    return whole;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: memfdnotes OUT [map]\n"); return 2; }
    int fd = memfd_create("notes", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) != 0) { perror("memfd"); return 1; }
    if (argc > 2 && strcmp(argv[2], "map") == 0) {
        if (ftruncate(fd, 4096) != 0 || mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED) { perror("map"); return 1; }
        lseek(fd, 0, SEEK_SET);
        fcntl(fd, F_ADD_SEALS, F_SEAL_GROW); /* it stays 4096 bytes: notes are not checked */
    }
    for (long n = 0;; n++) {
        char line[32];
        int len = snprintf(line, sizeof line, "note %ld\n", n);
        long size = -1;
        int ok = write(fd, line, len) == len;
        int seals = fcntl(fd, F_GET_SEALS);
        if (argc == 2) {
            ok = ok && check(fd, n, &size) && seals == F_SEAL_SHRINK && ftruncate(fd, 0) == -1 && errno == EPERM;
        }
        FILE *f = fopen(argv[1], "a");
        if (!f) return 1;
        fprintf(f, "tick %ld size %ld seals %d %s\n", n, size, seals, ok ? "ok" : "BAD");
        fclose(f);
        usleep(100000);
    }
}
