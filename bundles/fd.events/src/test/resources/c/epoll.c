/* Epoll sets that must go on across checkpoints. usage: epoll LOG
 *   inner = epoll over
 *     e1 eventfd, EPOLLIN, data 0x1111 (written every 4th round, read when reported)
 *     t1 timerfd every 5 ms, EPOLLIN|EPOLLET, data 0x2222 (read when reported)
 *     e2 eventfd, EPOLLIN|EPOLLONESHOT, data 0x3333 (written every 7th round; re-armed with
 *        EPOLL_CTL_MOD when reported and read)
 *     e3 eventfd holding 1, EPOLLIN|EPOLLONESHOT, data 0x4444: fired at the start and never
 *        re-armed, so it must never be reported again though it stays readable
 *     e4 eventfd holding 1 at first, EPOLLIN|EPOLLONESHOT, data 0x5555: fired at the start,
 *        then read down to 0 and never re-armed: must never be reported again
 *     t2 timerfd, one-shot after 1 ms, EPOLLIN|EPOLLONESHOT, data 0x8888: fired at the start and
 *        read, so ready for nothing when checkpointed; never re-armed: never reported again
 *     the read end of a pipe (bundles/fd.pipes), EPOLLIN|EPOLLET, data 0x9999: a byte written
 *        every 5th round, read until EAGAIN when reported
 *   outer = epoll over inner (EPOLLIN, data 0x6666) and g, a signalfd of SIGUSR1 (EPOLLIN,
 *     data 0x7777); a dup of outer is what the loop waits on
 * A round is one epoll_wait on the outer set (the inner one ready: an epoll_wait on it, timeout 0);
 * EINTR is a round with nothing (a stop, as a checkpoint's freeze, interrupts epoll_wait).
 * Every 10 timer expiries: "n ok ticks e1 e2 sigs piped" ("n CORRUPT why" on anything unexpected). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include "append.h"

static int add(int ep, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int main(int argc, char **argv) {
    if (argc < 2) return 1;
    const char *log = argv[1];
    int inner = epoll_create1(0), outer0 = epoll_create1(EPOLL_CLOEXEC);
    int e1 = eventfd(0, EFD_NONBLOCK), e2 = eventfd(0, EFD_NONBLOCK), e3 = eventfd(1, EFD_NONBLOCK), e4 = eventfd(1, EFD_NONBLOCK);
    int t1 = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_BLOCK, &m, NULL);
    int g = signalfd(-1, &m, SFD_NONBLOCK);
    int t2 = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec once = {{0, 0}, {0, 1000000}};
    int p[2];
    if (pipe2(p, O_NONBLOCK)) return 2;
    struct itimerspec it = {{0, 5000000}, {0, 5000000}};
    if (add(inner, e1, EPOLLIN, 0x1111) || add(inner, t1, EPOLLIN | EPOLLET, 0x2222) || add(inner, e2, EPOLLIN | EPOLLONESHOT, 0x3333)
        || add(inner, e3, EPOLLIN | EPOLLONESHOT, 0x4444) || add(inner, e4, EPOLLIN | EPOLLONESHOT, 0x5555)
        || add(inner, t2, EPOLLIN | EPOLLONESHOT, 0x8888) || add(inner, p[0], EPOLLIN | EPOLLET, 0x9999) || add(outer0, inner, EPOLLIN, 0x6666) || add(outer0, g, EPOLLIN, 0x7777))
        return 2;
    struct epoll_event evs[8];
    uint64_t v;
    int first = epoll_wait(inner, evs, 8, 0); /* e3 and e4 fire once */
    if (first != 2 || read(e4, &v, 8) != 8 || timerfd_settime(t2, 0, &once, NULL)) return 3;
    if (epoll_wait(inner, evs, 8, 1000) != 1 || evs[0].data.u64 != 0x8888 || read(t2, &v, 8) != 8) return 3; /* t2 fires once */
    int outer = dup(outer0);
    if (timerfd_settime(t1, 0, &it, NULL)) return 4;
    uint64_t ticks = 0, got1 = 0, got2 = 0, sigs = 0, printed = 0, put1 = 0, put2 = 0, piped = 0, pread = 0;
    char line[256];
    for (long n = 1;; n++) {
        const char *bad = NULL;
        if (n % 4 == 0 && write(e1, &(uint64_t){1}, 8) == 8) put1++;
        if (n % 7 == 0 && write(e2, &(uint64_t){1}, 8) == 8) put2++;
        if (n % 5 == 0 && write(p[1], "x", 1) == 1) piped++;
        int k = epoll_wait(outer, evs, 8, 1000);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) bad = "nothing ready for a second";
        for (int i = 0; i < k && !bad; i++) {
            if (evs[i].data.u64 == 0x7777) {
                struct signalfd_siginfo si;
                while (read(g, &si, sizeof si) == sizeof si) sigs++;
            } else if (evs[i].data.u64 != 0x6666) {
                bad = "unknown data from the outer set";
            } else {
                struct epoll_event in[8];
                int j = epoll_wait(inner, in, 8, 0);
                for (int x = 0; x < j && !bad; x++) {
                    switch (in[x].data.u64) {
                    case 0x1111: if (read(e1, &v, 8) == 8) got1 += v; break;
                    case 0x2222: if (read(t1, &v, 8) == 8) ticks += v; break;
                    case 0x3333: {
                        if (read(e2, &v, 8) == 8) got2 += v;
                        struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = 0x3333};
                        if (epoll_ctl(inner, EPOLL_CTL_MOD, e2, &ev)) bad = "re-arming e2";
                        break;
                    }
                    case 0x4444: bad = "e3, a fired one-shot, fired again"; break;
                    case 0x5555: bad = "e4, a fired one-shot, fired again"; break;
                    case 0x8888: bad = "t2, a fired one-shot, fired again"; break;
                    case 0x9999: {
                        char b[64];
                        ssize_t r;
                        while ((r = read(p[0], b, sizeof b)) > 0) pread += r;
                        break;
                    }
                    default: bad = "unknown data from the inner set";
                    }
                }
            }
        }
        if (!bad && (got1 > put1 || got2 > put2 || pread > piped)) bad = "more read than written";
        if (!bad && piped - pread > 2) bad = "the pipe's bytes are not reported";
        if (bad || ticks >= printed + 10) {
            int len = bad ? snprintf(line, sizeof line, "%ld CORRUPT %s\n", n, bad)
                          : snprintf(line, sizeof line, "%ld ok %llu %llu %llu %llu %llu\n", n, (unsigned long long) ticks,
                                     (unsigned long long) got1, (unsigned long long) got2, (unsigned long long) sigs,
                                     (unsigned long long) pread);
            append(log, line, len);
            printed = ticks;
            if (bad) return 5;
        }
    }
}
