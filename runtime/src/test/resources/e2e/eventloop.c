// eventloop.c OUT [plain]: an event loop as libuv and Python's asyncio build one: a single
// epoll_wait over
//   a self-pipe (both ends O_NONBLOCK) that a SIGUSR2 handler writes a byte into (asyncio's
//     signal.set_wakeup_fd, libuv's signal pipe), registered EPOLLIN, data 1
//   an eventfd a worker thread writes 1 into every 20 ms (libuv's uv_async_send), EPOLLIN|
//     EPOLLET (read when reported), data 2
//   a timerfd every 10 ms (the loop's timers), EPOLLIN, data 3
//   a signalfd of SIGUSR1 (blocked in every thread), EPOLLIN, data 4
// Every 10 timer expiries it appends "N TICKS POSTED GOT USR1 USR2 PID ok" to OUT (or
// "... CORRUPT why": an event with unknown data, more read from the eventfd than the worker
// posted, or the eventfd behind the worker by more than a few posts). With "plain" no event
// fd at all: a 10 ms clock_nanosleep loop writing the same lines every 10
// rounds (bench/checkpoint.sh's baseline for this program). OUT "-" is stdout.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int wake[2] = {-1, -1}, efd;
static uint64_t posted;

/* OUT opened for a line (appended), or stdout for "-"; done() closes or flushes it. */
static FILE *open_out(const char *out) { return strcmp(out, "-") ? fopen(out, "a") : stdout; }
static void done(FILE *f) {
  if (f == stdout) fflush(f);
  else fclose(f);
}

static void onusr2(int sig) {
  (void) sig;
  int saved = errno;
  (void) !write(wake[1], "x", 1);
  errno = saved;
}

static void *worker(void *arg) {
  (void) arg;
  for (;;) {
    __atomic_add_fetch(&posted, 1, __ATOMIC_SEQ_CST);
    (void) !write(efd, &(uint64_t){1}, 8);
    struct timespec t = {0, 20000000};
    nanosleep(&t, NULL); // interrupted (EINTR) by a restart: a shorter pause
  }
  return NULL;
}

static int add(int ep, int fd, uint32_t events, uint64_t data) {
  struct epoll_event ev = {.events = events, .data.u64 = data};
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  if (argc > 2 && !strcmp(argv[2], "plain")) {
    for (long n = 1;; n++) {
      struct timespec t = {0, 10000000};
      nanosleep(&t, NULL);
      if (n % 10 == 0) {
        FILE *f = open_out(argv[1]);
        if (!f) return 7;
        fprintf(f, "%ld %ld 0 0 0 0 %d ok\n", n, n, (int) getpid());
        done(f);
      }
    }
  }
  sigset_t m;
  sigemptyset(&m);
  sigaddset(&m, SIGUSR1);
  sigprocmask(SIG_BLOCK, &m, NULL); // before the worker exists: blocked in both threads
  int sfd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
  efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (sfd < 0 || efd < 0 || tfd < 0 || ep < 0) return 3;
  if (pipe2(wake, O_NONBLOCK | O_CLOEXEC)) return 3;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = onusr2;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR2, &sa, NULL);
  if (add(ep, wake[0], EPOLLIN, 1) || add(ep, efd, EPOLLIN | EPOLLET, 2) || add(ep, tfd, EPOLLIN, 3) || add(ep, sfd, EPOLLIN, 4))
    return 4;
  struct itimerspec it = {{0, 10000000}, {0, 10000000}};
  if (timerfd_settime(tfd, 0, &it, NULL)) return 5;
  pthread_t w;
  if (pthread_create(&w, NULL, worker, NULL)) return 6;
  uint64_t ticks = 0, got = 0, usr1 = 0, usr2 = 0, printed = 0, v;
  for (long n = 1;; n++) {
    struct epoll_event evs[8];
    int k = epoll_wait(ep, evs, 8, 2000);
    if (k < 0 && errno == EINTR) continue; // a signal handler ran, or a stop (a checkpoint's freeze)
    const char *bad = k <= 0 ? "nothing ready for 2 s" : NULL;
    for (int i = 0; i < k && !bad; i++) {
      switch (evs[i].data.u64) {
      case 1: {
        char b[64];
        ssize_t r;
        while ((r = read(wake[0], b, sizeof b)) > 0) usr2 += r;
        break;
      }
      case 2: while (read(efd, &v, 8) == 8) got += v; break; // edge-triggered: read until EAGAIN
      case 3: if (read(tfd, &v, 8) == 8) ticks += v; break;
      case 4: {
        struct signalfd_siginfo si;
        while (read(sfd, &si, sizeof si) == sizeof si) usr1++;
        break;
      }
      default: bad = "an event with unknown data";
      }
    }
    uint64_t p = __atomic_load_n(&posted, __ATOMIC_SEQ_CST);
    if (!bad && got > p) bad = "more read from the eventfd than posted";
    if (!bad && p - got > 5) bad = "the eventfd lost posts";
    if (bad || ticks >= printed + 10) {
      FILE *f = open_out(argv[1]);
      if (!f) return 7;
      fprintf(f, "%ld %llu %llu %llu %llu %llu %d %s%s\n", n, (unsigned long long) ticks, (unsigned long long) p,
              (unsigned long long) got, (unsigned long long) usr1, (unsigned long long) usr2,
              (int) getpid(), bad ? "CORRUPT " : "ok", bad ? bad : "");
      done(f);
      printed = ticks;
    }
  }
}
