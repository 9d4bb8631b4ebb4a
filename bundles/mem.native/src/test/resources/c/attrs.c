/* Process attributes a restore must bring back: umask, cwd (argv[2]), RLIMIT_NOFILE soft
 * limit, an ITIMER_REAL ticking every 10 ms into a SIGALRM handler, a blocked signal
 * (SIGUSR2, and SIGRTMIN+2 = 36), and a heap that keeps growing with sbrk (brk must be
 * restored). Appends "n umask cwd nofile ticks blocked heapok pending" to argv[1], pending
 * having bit 0 for SIGUSR2 and bit 1 for signal 36 (the test queues both, blocked). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "append.h"

static volatile long ticks;
static void on_alarm(int sig) { (void) sig; ticks++; }

int main(int argc, char **argv) {
    umask(027);
    if (chdir(argv[2]) != 0) return 3;
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = 123;
    setrlimit(RLIMIT_NOFILE, &rl);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, 36);
    sigprocmask(SIG_BLOCK, &set, NULL);
    unsigned char *first = sbrk(0);
    for (long n = 1;; n++) {
        unsigned char *p = sbrk(4096);
        int heapok = p != (void *) -1;
        if (heapok) memset(p, (int) n, 4096);
        for (unsigned char *q = first; heapok && q < p; q += 4096) if (*q != (unsigned char) ((q - first) / 4096 + 1)) heapok = 0;
        mode_t m = umask(0);
        umask(m);
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "?");
        getrlimit(RLIMIT_NOFILE, &rl);
        sigset_t cur;
        sigprocmask(SIG_BLOCK, NULL, &cur);
        sigset_t pend;
        sigpending(&pend);
        int pending = sigismember(&pend, SIGUSR2) | sigismember(&pend, 36) << 1;
        char line[4300];
        int len = snprintf(line, sizeof line, "%ld %03o %s %ld %ld %d %d %d\n", n, (unsigned) m, cwd, (long) rl.rlim_cur,
                ticks, sigismember(&cur, SIGUSR2), heapok, pending);
        append(argv[1], line, len);
        usleep(20000);
    }
}
