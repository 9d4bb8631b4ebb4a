// evtimers.c OUT: counters and timers a restart must continue. Appends one line a round to OUT:
// "N ok A B BREAD" ("N CORRUPT why" when an eventfd lost its count).
//   E eventfd(0, EFD_NONBLOCK): N written each round, read every 3rd: must give the sum since
//   S eventfd(0, EFD_SEMAPHORE): 2 written, 1 read a round; read down to 0 every 5th round
//   A timerfd every 2 ms (nonblocking), B timerfd every 100 ms (blocking: a round is a read of B,
//     BREAD the expirations it gave). A is armed just before B, so A >= 50 B stays true unless
//     expirations pending at a checkpoint are lost; BREAD stays 1 unless the time the program
//     was not running (between checkpoint and restart) is counted.
#define _GNU_SOURCE
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int e = eventfd(0, EFD_NONBLOCK), s = eventfd(0, EFD_SEMAPHORE);
  int a = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK), b = timerfd_create(CLOCK_MONOTONIC, 0);
  struct itimerspec ia = {{0, 2000000}, {0, 2000000}}, ib = {{0, 100000000}, {0, 100000000}};
  if (e < 0 || s < 0 || a < 0 || b < 0 || timerfd_settime(a, 0, &ia, NULL) || timerfd_settime(b, 0, &ib, NULL)) return 3;
  uint64_t written = 0, sem = 0, at = 0, bt = 0, v;
  for (long n = 1;; n++) {
    const char *bad = NULL;
    if (read(b, &v, 8) != 8) return 4;
    uint64_t bread = v;
    bt += v;
    if (read(a, &v, 8) == 8) at += v;
    if (write(e, &(uint64_t){(uint64_t) n}, 8) != 8) bad = "write E";
    written += n;
    if (n % 3 == 0) {
      if (read(e, &v, 8) != 8 || v != written) bad = "E lost its count";
      written = 0;
    }
    if (write(s, &(uint64_t){2}, 8) != 8 || read(s, &v, 8) != 8 || v != 1) bad = "S is no semaphore";
    sem++;
    if (n % 5 == 0) {
      for (; sem > 0; sem--) {
        struct pollfd p = {s, POLLIN, 0};
        if (poll(&p, 1, 0) != 1 || read(s, &v, 8) != 8 || v != 1) { bad = "S lost its count"; break; }
      }
      struct pollfd p = {s, POLLIN, 0};
      if (poll(&p, 1, 0) != 0) bad = "S counts too much";
      sem = 0;
    }
    FILE *f = fopen(argv[1], "a");
    if (!f) return 5;
    if (bad) fprintf(f, "%ld CORRUPT %s\n", n, bad);
    else fprintf(f, "%ld ok %llu %llu %llu\n", n, (unsigned long long) at, (unsigned long long) bt, (unsigned long long) bread);
    fclose(f);
  }
}
