/* Counters, timers and a signal queue that must go on across checkpoints. usage: events LOG
 *   E eventfd(0, EFD_NONBLOCK), written n each round; D = dup(E) read every 3rd round: it must
 *     give the sum of the writes since the last read (kept in memory)
 *   S eventfd(0, EFD_SEMAPHORE): 2 written and 1 read each round (each read gives 1), so its
 *     count grows by one a round; every 5th round it is read down to 0, poll()ed before each read
 *   A timerfd CLOCK_MONOTONIC every 2 ms, TFD_NONBLOCK, read after each expiry of B
 *   B timerfd CLOCK_MONOTONIC every 100 ms, blocking: a round is one read of B. A is armed just
 *     before B, so after b expiries of B, A has expired at least 50 b times: A >= 50 B is printed
 *     as is and checked by the test (a pending count lost at restart makes A fall behind)
 *   C timerfd CLOCK_REALTIME, TFD_TIMER_ABSTIME|TFD_TIMER_CANCEL_ON_SET, at now + 1000 s every
 *     7 s: timerfd_gettime + the clock must still give that deadline (within 50 ms)
 *   O timerfd CLOCK_BOOTTIME, one-shot after 1 ms, never read: 1 pending expiry, disarmed
 *   G signalfd {SIGUSR1, SIGUSR2}, SFD_NONBLOCK|SFD_CLOEXEC (both blocked): read each round
 * Each round appends "n ok A B bread sigs" ("n CORRUPT why" when a check fails). Also runtime's
 * EventFdsIT's program (compiled alone there: no header of the engine tests). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(int argc, char **argv) {
    if (argc < 2) return 1;
    const char *log = argv[1];
    int e = eventfd(0, EFD_NONBLOCK);
    int d = dup(e);
    int s = eventfd(0, EFD_SEMAPHORE);
    int a = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    int b = timerfd_create(CLOCK_MONOTONIC, 0);
    int c = timerfd_create(CLOCK_REALTIME, 0);
    int o = timerfd_create(CLOCK_BOOTTIME, 0);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGUSR2);
    sigprocmask(SIG_BLOCK, &m, NULL);
    int g = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
    if (e < 0 || d < 0 || s < 0 || a < 0 || b < 0 || c < 0 || o < 0 || g < 0) return 2;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long deadline = ns(now) + 1000000000000LL;
    struct itimerspec ic = {{7, 0}, {deadline / 1000000000LL, deadline % 1000000000LL}};
    struct itimerspec ia = {{0, 2000000}, {0, 2000000}}, ib = {{0, 100000000}, {0, 100000000}}, io = {{0, 0}, {0, 1000000}};
    if (timerfd_settime(c, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &ic, NULL) || timerfd_settime(o, 0, &io, NULL)
        || timerfd_settime(a, 0, &ia, NULL) || timerfd_settime(b, 0, &ib, NULL)) return 3;
    uint64_t written = 0, semcount = 0, at = 0, bt = 0, sigs = 0;
    char line[256];
    for (long n = 1;; n++) {
        uint64_t v;
        const char *bad = NULL;
        if (read(b, &v, 8) != 8) bad = "read B";
        uint64_t bread = v;
        bt += v;
        if (read(a, &v, 8) == 8) at += v;
        if (write(e, &(uint64_t){(uint64_t) n}, 8) != 8) bad = "write E";
        written += n;
        if (n % 3 == 0) {
            if (read(d, &v, 8) != 8 || v != written) bad = "E (read through its dup) lost its count";
            written = 0;
        }
        if (write(s, &(uint64_t){2}, 8) != 8 || read(s, &v, 8) != 8 || v != 1) bad = "S is no semaphore";
        semcount++;
        if (n % 5 == 0) {
            for (; semcount > 0; semcount--) {
                struct pollfd p = {s, POLLIN, 0};
                if (poll(&p, 1, 0) != 1 || read(s, &v, 8) != 8 || v != 1) { bad = "S lost its count"; break; }
            }
            struct pollfd p = {s, POLLIN, 0};
            if (poll(&p, 1, 0) != 0) bad = "S counts too much";
            semcount = 0;
        }
        struct itimerspec cur;
        clock_gettime(CLOCK_REALTIME, &now);
        if (timerfd_gettime(c, &cur) || cur.it_interval.tv_sec != 7) bad = "C lost its interval";
        long long left = ns(cur.it_value), want = deadline - ns(now);
        if (left - want > 50000000LL || want - left > 50000000LL) bad = "C lost its deadline";
        struct signalfd_siginfo si;
        while (read(g, &si, sizeof si) == sizeof si) sigs++;
        int len = bad ? snprintf(line, sizeof line, "%ld CORRUPT %s\n", n, bad)
                      : snprintf(line, sizeof line, "%ld ok %llu %llu %llu %llu\n", n, (unsigned long long) at,
                                 (unsigned long long) bt, (unsigned long long) bread, (unsigned long long) sigs);
        FILE *f = fopen(log, "a");
        if (!f || fwrite(line, 1, len, f) != (size_t) len || fclose(f)) return 4;
    }
}
