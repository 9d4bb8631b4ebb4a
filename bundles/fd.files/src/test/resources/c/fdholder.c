/* Holds a pipe, a socket or an eventfd on fd 5 and counts: appends "n" to argv[1]
 * (kept open, O_APPEND) every 2 ms. usage: fdholder LOG pipe|socket|eventfd */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) return 1;
    int log = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    int p[2];
    if (!strcmp(argv[2], "pipe")) { if (pipe(p)) return 2; }
    else if (!strcmp(argv[2], "socket")) { if (socketpair(AF_UNIX, SOCK_STREAM, 0, p)) return 2; }
    else { p[0] = eventfd(0, 0); p[1] = -1; }
    if (dup2(p[0], 5) != 5) return 3;
    if (p[0] != 5) close(p[0]);
    if (p[1] >= 0 && p[1] != 5) close(p[1]);
    for (long n = 1;; n++) {
        char line[32];
        int len = snprintf(line, sizeof line, "%ld\n", n);
        if (write(log, line, len) != len) return 5;
        usleep(2000);
    }
}
