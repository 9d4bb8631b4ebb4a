// rawtty.c: a full-screen program's terminal use, reduced. Puts its terminal (fd 0) in raw
// mode (cfmakeraw) and gives it a window of 33x111, then reads one byte at a time and
// answers each at once with "key K n=COUNT icanon=I echo=E" (I and E from its own
// tcgetattr: 0 and 0 while its raw mode holds). On SIGWINCH (no SA_RESTART: the read
// returns EINTR) it prints "winch ROWSxCOLS" of its terminal now. Lines end in \r\n (raw
// mode has no output processing). COUNT lives only in memory.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t winch;

static void on_winch(int sig) {
  (void) sig;
  winch = 1;
}

static void say(const char *s) {
  size_t n = strlen(s);
  if (write(1, s, n) != (ssize_t) n) _exit(4);
}

int main(void) {
  struct termios t;
  if (tcgetattr(0, &t) != 0) return 2;
  cfmakeraw(&t);
  if (tcsetattr(0, TCSANOW, &t) != 0) return 2;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_winch;
  sigaction(SIGWINCH, &sa, 0);
  struct winsize ws = {33, 111, 0, 0};
  ioctl(0, TIOCSWINSZ, &ws);
  say("ready\r\n");
  char line[128];
  for (long n = 0;;) {
    if (winch) {
      winch = 0;
      ioctl(0, TIOCGWINSZ, &ws);
      snprintf(line, sizeof line, "winch %dx%d\r\n", ws.ws_row, ws.ws_col);
      say(line);
    }
    char c;
    ssize_t r = read(0, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r != 1) {
      say(r == 0 ? "eof\r\n" : "read error\r\n");
      return 3;
    }
    tcgetattr(0, &t);
    snprintf(line, sizeof line, "key %c n=%ld icanon=%d echo=%d\r\n", c, ++n, !!(t.c_lflag & ICANON), !!(t.c_lflag & ECHO));
    say(line);
  }
}
