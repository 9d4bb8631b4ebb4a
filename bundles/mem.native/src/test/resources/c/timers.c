/* POSIX timers a restore must bring back under their ids, still counting:
 *  A  CLOCK_MONOTONIC, SIGEV_SIGNAL SIGUSR1, sigev_value 0xA11CE, every argv[2] us (default 50000);
 *  B  CLOCK_REALTIME one-shot, SIGEV_SIGNAL SIGUSR2, sigev_value 0xB0B, argv[3] ms after start (default 3000);
 *  C  SIGEV_THREAD every 30 ms (glibc: SIGTIMER = 32 to its helper thread, a new thread per expiry);
 *  D  CLOCK_MONOTONIC, SIGEV_NONE, every 10 s: only timer_gettime sees it;
 *  E  CLOCK_MONOTONIC, SIGEV_THREAD_ID SIGRTMIN+3 to a worker thread that only sleeps, every 40 ms;
 *  F  CLOCK_BOOTTIME, SIGEV_THREAD_ID SIGRTMIN+5 to the main thread, which blocks it and collects it
 *     with sigtimedwait every round, every 20 ms (its signal is nearly always pending at a checkpoint).
 * A timer created and deleted first leaves id 0 free, so the ids start at 1.
 * Every 100 ms appends to argv[1]:
 *   "n ms ticksA firedB atB ticksC ticksE gotF maxF bad ok idA idB idC idD idE idF"
 * ms: CLOCK_MONOTONIC ms since start; atB: ms when B fired (0 before); gotF: F's signals collected;
 * maxF: the most collected in one round (a timer's signal is queued once: 1); bad: signals whose
 * siginfo is not their timer's (si_code SI_TIMER, si_timerid, sigev_value), or E's signal handled on
 * another thread than the worker, or C's callback with another value; ok: 1 while timer_gettime works
 * on every timer_t and each has its interval (B none). idC is glibc's timer_t (a pointer, not the id). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static timer_t ta, tb, tc, td, te, tf;
static int ida, idb, ide, idf;
static atomic_long ticksA, firedB, atB, ticksC, ticksE, bad;
static pthread_t worker;
static struct timespec t0;

static long ms_since_start(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ts.tv_sec - t0.tv_sec) * 1000 + (ts.tv_nsec - t0.tv_nsec) / 1000000;
}

static int from_timer(const siginfo_t *si, int id, int value) {
    return si->si_code == SI_TIMER && si->si_timerid == id && si->si_value.sival_int == value;
}

static void on_a(int sig, siginfo_t *si, void *uc) {
    (void) sig, (void) uc;
    if (from_timer(si, ida, 0xA11CE)) ticksA++; else bad++;
}

static void on_b(int sig, siginfo_t *si, void *uc) {
    (void) sig, (void) uc;
    if (from_timer(si, idb, 0xB0B)) {
        if (firedB++ == 0) atB = ms_since_start();
    } else {
        bad++;
    }
}

static void on_e(int sig, siginfo_t *si, void *uc) {
    (void) sig, (void) uc;
    if (from_timer(si, ide, 0xE) && pthread_equal(pthread_self(), worker)) ticksE++; else bad++;
}

static void on_c(union sigval v) {
    if (v.sival_int == 0xC) ticksC++; else bad++;
}

static atomic_int worker_tid;

static void *work(void *arg) {
    (void) arg;
    worker_tid = gettid();
    for (;;) pause();
    return NULL;
}

static void handle(int sig, void (*h)(int, siginfo_t *, void *)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(sig, &sa, NULL);
}

static timer_t make(clockid_t clock, int notify, int sig, int value, pid_t tid, long first_ns, long every_ns) {
    struct sigevent se;
    memset(&se, 0, sizeof se);
    se.sigev_notify = notify;
    se.sigev_signo = sig;
    se.sigev_value.sival_int = value;
    if (notify == SIGEV_THREAD_ID) se._sigev_un._tid = tid;
    if (notify == SIGEV_THREAD) se.sigev_notify_function = on_c;
    timer_t t;
    if (timer_create(clock, &se, &t) != 0) {
        perror("timer_create");
        exit(3);
    }
    struct itimerspec its = {{every_ns / 1000000000, every_ns % 1000000000}, {first_ns / 1000000000, first_ns % 1000000000}};
    if (timer_settime(t, 0, &its, NULL) != 0) {
        perror("timer_settime");
        exit(4);
    }
    return t;
}

static int has_interval(timer_t t, long ns) {
    struct itimerspec its;
    if (timer_gettime(t, &its) != 0) return 0;
    return its.it_interval.tv_sec * 1000000000L + its.it_interval.tv_nsec == ns;
}

int main(int argc, char **argv) {
    long period_a = argc > 2 ? atol(argv[2]) * 1000 : 50000000L;
    long b_after = argc > 3 ? atol(argv[3]) * 1000000L : 3000000000L;
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) return 2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int sig_e = SIGRTMIN + 3, sig_f = SIGRTMIN + 5;
    sigset_t fset;
    sigemptyset(&fset);
    sigaddset(&fset, sig_f);
    pthread_sigmask(SIG_BLOCK, &fset, NULL);
    handle(SIGUSR1, on_a);
    handle(SIGUSR2, on_b);
    handle(sig_e, on_e);
    pthread_create(&worker, NULL, work, NULL);
    while (!worker_tid) usleep(1000);
    timer_delete(make(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0, 0, 0)); /* id 0 stays free */
    ta = make(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGUSR1, 0xA11CE, 0, period_a, period_a);
    tb = make(CLOCK_REALTIME, SIGEV_SIGNAL, SIGUSR2, 0xB0B, 0, b_after, 0);
    tc = make(CLOCK_MONOTONIC, SIGEV_THREAD, 0, 0xC, 0, 30000000L, 30000000L);
    td = make(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0xD, 0, 10000000000L, 10000000000L);
    te = make(CLOCK_MONOTONIC, SIGEV_THREAD_ID, sig_e, 0xE, worker_tid, 40000000L, 40000000L);
    tf = make(CLOCK_BOOTTIME, SIGEV_THREAD_ID, sig_f, 0xF, gettid(), 20000000L, 20000000L);
    ida = (int) (long) ta, idb = (int) (long) tb, ide = (int) (long) te, idf = (int) (long) tf;
    long got_f = 0, max_f = 0;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (long n = 1;; n++) {
        next.tv_nsec += 100000000L;
        if (next.tv_nsec >= 1000000000L) next.tv_nsec -= 1000000000L, next.tv_sec++;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
        }
        struct timespec zero = {0, 0};
        siginfo_t si;
        long got = 0;
        while (sigtimedwait(&fset, &si, &zero) == sig_f) {
            if (from_timer(&si, idf, 0xF)) got++; else bad++;
        }
        got_f += got;
        if (got > max_f) max_f = got;
        struct itimerspec dv;
        int ok = has_interval(ta, period_a) && has_interval(tb, 0) && has_interval(tc, 30000000L)
                && has_interval(td, 10000000000L) && has_interval(te, 40000000L) && has_interval(tf, 20000000L)
                && timer_gettime(td, &dv) == 0 && (dv.it_value.tv_sec > 0 || dv.it_value.tv_nsec > 0) && dv.it_value.tv_sec < 10;
        char line[512];
        int len = snprintf(line, sizeof line, "%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %d %d %d %ld %d %d %d\n", n, ms_since_start(),
                (long) ticksA, (long) firedB, (long) atB, (long) ticksC, (long) ticksE, got_f, max_f, (long) bad, ok, ida, idb,
                (long) tc, (int) (long) td, ide, idf);
        if (write(fd, line, len) != len) return 5;
    }
}
