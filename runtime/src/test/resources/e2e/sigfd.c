// sigfd.c OUT: SIGUSR1 and SIGUSR2 blocked and read through a signalfd (SFD_NONBLOCK), polled
// every 50 ms. Appends "tick N PID" each poll and "sig COUNT SIGNO" for each signal read; a
// handler that ever runs (the signal was not blocked any more) appends "CORRUPT handler".
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <unistd.h>
static const char *out;
static void handler(int sig) {
  FILE *f = fopen(out, "a");
  if (f) { fprintf(f, "CORRUPT handler %d\n", sig); fclose(f); }
}
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  out = argv[1];
  signal(SIGUSR1, handler);
  signal(SIGUSR2, handler);
  sigset_t m;
  sigemptyset(&m);
  sigaddset(&m, SIGUSR1);
  sigaddset(&m, SIGUSR2);
  sigprocmask(SIG_BLOCK, &m, NULL);
  int fd = signalfd(-1, &m, SFD_NONBLOCK);
  if (fd < 0) return 3;
  long count = 0;
  for (long n = 0;; n++) {
    struct pollfd p = {fd, POLLIN, 0};
    poll(&p, 1, 50);
    FILE *f = fopen(out, "a");
    if (!f) return 4;
    struct signalfd_siginfo si;
    while (read(fd, &si, sizeof si) == sizeof si) fprintf(f, "sig %ld %u\n", ++count, si.ssi_signo);
    fprintf(f, "tick %ld %d\n", n, (int) getpid());
    fclose(f);
  }
}
