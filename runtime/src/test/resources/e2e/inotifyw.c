// inotifyw.c OUT DIR: watches DIR/a (wd 1, removed at once), DIR/b (wd 2) and DIR/c (wd 3) for
// IN_CREATE; appends "ev WD MASK NAME" (mask in hex) for each event read, and "tick N" every
// 50 ms (poll timeout).
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  char a[4096], b[4096], c[4096];
  snprintf(a, sizeof a, "%s/a", argv[2]);
  snprintf(b, sizeof b, "%s/b", argv[2]);
  snprintf(c, sizeof c, "%s/c", argv[2]);
  int in = inotify_init1(IN_NONBLOCK);
  int w1 = inotify_add_watch(in, a, IN_CREATE);
  if (w1 != 1 || inotify_rm_watch(in, w1)) return 3;
  if (inotify_add_watch(in, b, IN_CREATE) != 2 || inotify_add_watch(in, c, IN_CREATE) != 3) return 4;
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  for (long n = 0;; n++) {
    struct pollfd p = {in, POLLIN, 0};
    poll(&p, 1, 50);
    FILE *f = fopen(argv[1], "a");
    if (!f) return 5;
    ssize_t len;
    while ((len = read(in, buf, sizeof buf)) > 0) {
      for (char *q = buf; q < buf + len;) {
        struct inotify_event *ev = (struct inotify_event *) q;
        if (ev->wd != 1) fprintf(f, "ev %d %x %s\n", ev->wd, ev->mask, ev->len ? ev->name : "-");
        q += sizeof(struct inotify_event) + ev->len;
      }
    }
    fprintf(f, "tick %ld\n", n);
    fclose(f);
  }
}
