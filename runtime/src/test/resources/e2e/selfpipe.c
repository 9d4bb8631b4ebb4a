/* A self-pipe with bytes in flight at every moment. usage: selfpipe LOG
 * A writer thread writes 32-byte records numbered 1, 2, 3... into the pipe as fast as it takes
 * them (a 64 KiB pipe: about 2000 records waiting); the main thread reads one record a
 * millisecond, checks it is the next one with its bytes intact (none lost, none twice), and
 * appends "N ok INFLIGHT" to LOG (INFLIGHT: the bytes waiting before that read), or
 * "N FAIL why" and exits 6. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define REC 32
static int p[2];

static void record(char *b, long n) {
    snprintf(b, REC + 1, "%010ld ", n);
    for (int i = 11; i < REC - 1; i++) b[i] = 'a' + (n * 7 + i) % 26;
    b[REC - 1] = '\n';
}

static void *writer(void *arg) {
    (void) arg;
    char b[REC + 1];
    for (long n = 1;; n++) {
        record(b, n);
        /* 32 bytes: below PIPE_BUF, so each write is whole or waits */
        while (write(p[1], b, REC) != REC) {
            if (errno != EINTR) _exit(7);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) return 1;
    int log = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (log < 0 || pipe(p)) return 2;
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    char b[REC + 1], want[REC + 1], line[128];
    for (long n = 1;; n++) {
        int inflight = -1, got = 0;
        ioctl(p[0], FIONREAD, &inflight);
        while (got < REC) {
            ssize_t r = read(p[0], b + got, REC - got);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) return 3;
            got += r;
        }
        record(want, n);
        int len = memcmp(b, want, REC) ? snprintf(line, sizeof line, "%ld FAIL got \"%.10s\"\n", n, b)
                                       : snprintf(line, sizeof line, "%ld ok %d\n", n, inflight);
        if (write(log, line, len) != len) return 5;
        if (line[len - 2] == '"') return 6;
        usleep(1000);
    }
}
