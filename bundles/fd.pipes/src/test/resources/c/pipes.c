/* Pipes and FIFOs whose both ends the program holds, with bytes in flight at any moment.
 * usage: pipes LOG MODE [FIFO]
 *   self     a self-pipe set to 128 KiB (F_SETPIPE_SZ), its read end dup'ed to fd 20 and its
 *            write end to fd 21: a writer thread writes 32-byte records numbered 1, 2, 3...
 *            through fd 21 and the pipe's own write end in turn, as fast as the pipe takes them;
 *            the main thread reads one record every 100 us through the pipe's read end and fd 20
 *            in turn and checks it is the next one, bytes intact (none lost, none twice)
 *   packets  a pipe in packet mode, pipe2(O_DIRECT|O_NONBLOCK), one thread: packets of sizes
 *            1..300 (each its own pattern) written and read so that about 10 are in flight;
 *            each read must return exactly one whole packet; the write end stays O_DIRECT|O_NONBLOCK,
 *            the read end O_NONBLOCK (pipe2 gives O_DIRECT to the write end only)
 *   fifo     the FIFO (made with mode 0640 when absent): opened O_RDONLY|O_NONBLOCK (then
 *            blocking) and O_WRONLY; records as in "self" (writer thread, main reads)
 *   fiforw   the FIFO opened once O_RDWR: one thread writes records and reads them back, about
 *            100 in flight
 *   fifogone as fiforw, but the FIFO is unlinked once open (its fd names "FIFO (deleted)")
 *   onesided a pipe's read end alone on fd 5 (its write end closed)
 * LOG (O_APPEND, kept open) gets one line per record or packet read: "N ok INFLIGHT" (the bytes
 * waiting in the pipe before that read, FIONREAD) or "N FAIL why". Every line also checks the
 * fds are what they were: same pipe on both ends, dups on one open file description (kcmp),
 * capacity and flags as set; a FIFO still named by its path (same inode as stat(FIFO)). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define REC 32
static int logfd;
static int rfd[2], wfd[2]; /* two fds on each end */
static const char *fifo;
static char why[256];

static void record(char *b, long n) {
    /* "%010ld " + 20 bytes that depend on n + '\n' */
    snprintf(b, REC + 1, "%010ld ", n);
    for (int i = 11; i < REC - 1; i++) b[i] = 'a' + (n * 7 + i) % 26;
    b[REC - 1] = '\n';
}

static void logline(long n, int inflight) {
    char line[400];
    int len = *why ? snprintf(line, sizeof line, "%ld FAIL %s\n", n, why) : snprintf(line, sizeof line, "%ld ok %d\n", n, inflight);
    if (write(logfd, line, len) != len) _exit(5);
    if (*why) _exit(6);
}

static int same(int a, int b) { return syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, a, b) == 0; }

static void writeall(int fd, const char *b, int len) {
    while (len > 0) {
        ssize_t w = write(fd, b, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { snprintf(why, sizeof why, "write: %s", strerror(errno)); logline(0, 0); }
        b += w;
        len -= w;
    }
}

static int readall(int fd, char *b, int len) {
    int got = 0;
    while (got < len) {
        ssize_t r = read(fd, b + got, len - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) { snprintf(why, sizeof why, "read: %s", r == 0 ? "end of file" : strerror(errno)); return -1; }
        got += r;
    }
    return 0;
}

static void *writer(void *arg) {
    (void) arg;
    char b[REC + 1];
    for (long n = 1;; n++) {
        record(b, n);
        writeall(wfd[n & 1], b, REC);
    }
    return NULL;
}

/* the fds are what they were set up as */
static void check(int capacity) {
    if (*why) return;
    if (!same(rfd[0], rfd[1])) snprintf(why, sizeof why, "fds %d and %d are no longer dups", rfd[0], rfd[1]);
    else if (!same(wfd[0], wfd[1])) snprintf(why, sizeof why, "fds %d and %d are no longer dups", wfd[0], wfd[1]);
    else if (capacity && fcntl(wfd[0], F_GETPIPE_SZ) != capacity) snprintf(why, sizeof why, "capacity %d, not %d", fcntl(wfd[0], F_GETPIPE_SZ), capacity);
    else {
        struct stat a, b;
        fstat(rfd[0], &a);
        fstat(wfd[0], &b);
        if (a.st_ino != b.st_ino || !S_ISFIFO(a.st_mode)) snprintf(why, sizeof why, "the ends are on different pipes");
        else if (fifo) {
            struct stat p;
            if (stat(fifo, &p) != 0) snprintf(why, sizeof why, "stat %s: %s", fifo, strerror(errno));
            else if (p.st_ino != a.st_ino) snprintf(why, sizeof why, "%s is another FIFO than the one open", fifo);
            else if ((p.st_mode & 07777) != 0640) snprintf(why, sizeof why, "%s has mode %o", fifo, p.st_mode & 07777);
        }
    }
}

static int waiting(int fd) {
    int n = -1;
    ioctl(fd, FIONREAD, &n);
    return n;
}

static void reader(int capacity) {
    char b[REC + 1], want[REC + 1];
    for (long n = 1;; n++) {
        int inflight = waiting(rfd[0]);
        if (readall(rfd[n & 1], b, REC) == 0) {
            record(want, n);
            if (memcmp(b, want, REC) != 0) snprintf(why, sizeof why, "record %ld: got \"%.10s\"", n, b);
        }
        check(capacity);
        logline(n, inflight);
        usleep(100);
    }
}

static void packets(void) {
    int p[2];
    if (pipe2(p, O_DIRECT | O_NONBLOCK)) exit(3);
    rfd[0] = rfd[1] = p[0];
    wfd[0] = wfd[1] = p[1];
    long written = 0;
    char b[4096], want[300];
    for (long n = 1;; n++) {
        while (written < n + 10) {
            written++;
            int len = written % 300 + 1;
            for (int i = 0; i < len; i++) b[i] = (char) (written * 31 + i);
            if (write(p[1], b, len) != len) { snprintf(why, sizeof why, "write of packet %ld: %s", written, strerror(errno)); logline(n, 0); }
        }
        int inflight = waiting(p[0]);
        ssize_t r = read(p[0], b, sizeof b);
        int len = n % 300 + 1;
        for (int i = 0; i < len; i++) want[i] = (char) (n * 31 + i);
        if (r != len) snprintf(why, sizeof why, "packet %ld: read %zd bytes, not %d (%s)", n, r, len, r < 0 ? strerror(errno) : "boundaries lost");
        else if (memcmp(b, want, len) != 0) snprintf(why, sizeof why, "packet %ld: bytes differ", n);
        else if ((fcntl(p[0], F_GETFL) & (O_NONBLOCK | O_DIRECT)) != O_NONBLOCK) snprintf(why, sizeof why, "read end flags 0%o", fcntl(p[0], F_GETFL));
        else if ((fcntl(p[1], F_GETFL) & (O_NONBLOCK | O_DIRECT)) != (O_NONBLOCK | O_DIRECT)) snprintf(why, sizeof why, "write end flags 0%o", fcntl(p[1], F_GETFL));
        check(0);
        logline(n, inflight);
        usleep(200);
    }
}

static void fiforw(int gone) {
    int fd = open(fifo, O_RDWR);
    if (fd < 0) exit(3);
    if (gone) {
        if (unlink(fifo)) exit(3);
        fifo = NULL;
    }
    rfd[0] = rfd[1] = wfd[0] = wfd[1] = fd;
    long written = 0;
    char b[REC + 1], want[REC + 1];
    for (long n = 1;; n++) {
        while (written < n + 100) {
            record(b, ++written);
            writeall(fd, b, REC);
        }
        int inflight = waiting(fd);
        if (readall(fd, b, REC) == 0) {
            record(want, n);
            if (memcmp(b, want, REC) != 0) snprintf(why, sizeof why, "record %ld: got \"%.10s\"", n, b);
        }
        if (!*why && (fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDWR) snprintf(why, sizeof why, "no longer O_RDWR");
        check(0);
        logline(n, inflight);
        usleep(200);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) return 1;
    logfd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (logfd < 0) return 2;
    const char *mode = argv[2];
    fifo = argc > 3 ? argv[3] : NULL;
    if (fifo) {
        umask(022);
        if (mkfifo(fifo, 0640) != 0 && errno != EEXIST) return 3;
    }
    pthread_t t;
    if (!strcmp(mode, "self")) {
        int p[2];
        if (pipe(p) || fcntl(p[1], F_SETPIPE_SZ, 128 << 10) < 0) return 3;
        rfd[0] = p[0];
        rfd[1] = dup2(p[0], 20);
        wfd[0] = p[1];
        wfd[1] = dup2(p[1], 21);
        pthread_create(&t, NULL, writer, NULL);
        reader(128 << 10);
    } else if (!strcmp(mode, "packets")) {
        packets();
    } else if (!strcmp(mode, "fifo")) {
        rfd[0] = rfd[1] = open(fifo, O_RDONLY | O_NONBLOCK);
        wfd[0] = wfd[1] = open(fifo, O_WRONLY);
        if (rfd[0] < 0 || wfd[0] < 0 || fcntl(rfd[0], F_SETFL, 0) != 0) return 3;
        pthread_create(&t, NULL, writer, NULL);
        reader(0);
    } else if (!strcmp(mode, "fiforw") || !strcmp(mode, "fifogone")) {
        fiforw(!strcmp(mode, "fifogone"));
    } else if (!strcmp(mode, "onesided")) {
        int p[2];
        if (pipe(p)) return 3;
        close(p[1]);
        if (p[0] != 5 && (dup2(p[0], 5) != 5 || close(p[0]))) return 3;
        for (long n = 1;; n++) {
            logline(n, 0);
            usleep(2000);
        }
    }
    return 4;
}
