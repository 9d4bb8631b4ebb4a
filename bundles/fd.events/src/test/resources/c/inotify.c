/* Inotify watches that must go on across checkpoints. usage: inotify LOG DIR1 DIR2 DIR3 FILE [lazy]
 * Watches DIR1 (wd 1, removed again at once: its IN_IGNORED is read), DIR2 (wd 2, IN_CREATE|
 * IN_DELETE), DIR3 (wd 3, IN_CREATE|IN_MOVED_TO|IN_EXCL_UNLINK) and FILE (wd 4, IN_MODIFY|
 * IN_ONESHOT, never modified), IN_NONBLOCK. Each event read is appended as "ev WD MASK NAME"
 * (mask in hex); every 50 ms "tick N". With "lazy" the events are never read (only ticks). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>
#include "append.h"

static long long ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    if (argc < 6) return 1;
    const char *log = argv[1];
    int lazy = argc > 6 && !strcmp(argv[6], "lazy");
    int in = inotify_init1(IN_NONBLOCK);
    int w1 = inotify_add_watch(in, argv[2], IN_CREATE);
    if (w1 != 1 || inotify_rm_watch(in, w1)) return 2;
    int w2 = inotify_add_watch(in, argv[3], IN_CREATE | IN_DELETE);
    int w3 = inotify_add_watch(in, argv[4], IN_CREATE | IN_MOVED_TO | IN_EXCL_UNLINK);
    int w4 = inotify_add_watch(in, argv[5], IN_MODIFY | IN_ONESHOT);
    if (w2 != 2 || w3 != 3 || w4 != 4) return 3;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    struct pollfd p = {in, POLLIN, 0};
    while (poll(&p, 1, 1000) != 1 || read(in, buf, sizeof buf) <= 0) { /* the IN_IGNORED of wd 1 */ }
    char line[512];
    long long next = ms();
    for (long n = 1;;) {
        if (ms() >= next) {
            int len = snprintf(line, sizeof line, "tick %ld\n", n++);
            append(log, line, len);
            next += 50;
        }
        if (lazy) { usleep(5000); continue; }
        int r = poll(&p, 1, 10);
        if (r < 0 && errno == EINTR) continue;
        if (r != 1) continue;
        ssize_t len = read(in, buf, sizeof buf);
        for (char *q = buf; len > 0 && q < buf + len;) {
            struct inotify_event *ev = (struct inotify_event *) q;
            int l = snprintf(line, sizeof line, "ev %d %x %s\n", ev->wd, ev->mask, ev->len ? ev->name : "-");
            append(log, line, l);
            q += sizeof(struct inotify_event) + ev->len;
        }
    }
}
