// forktree.c: a process tree that keeps growing while it is killed. The program forks a
// spawner (which forks a child that only waits, every 10 ms, up to 300 of them) and an
// orphan maker (which forks a spawner of its own and exits: that spawner is re-parented to
// the launcher, a child subreaper, and keeps forking there). Every process has the same
// command line as the program (fork copies it): the test finds survivors by it.
#include <time.h>
#include <unistd.h>

static void spawner(void) {
  for (int i = 0; i < 300; i++) {
    if (fork() == 0)
      for (;;) pause();
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, 0);
  }
  for (;;) pause();
}

int main(void) {
  if (fork() == 0) spawner();
  if (fork() == 0) {
    if (fork() == 0) spawner();
    _exit(0);
  }
  for (;;) pause();
}
