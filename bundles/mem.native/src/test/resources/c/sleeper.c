/* Spends its life blocked in clock_nanosleep: appends "n" to argv[1], then sleeps
 * argv[2] seconds. (Blocking in read() needs fds restored, which this layer does not do.) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Appends a line, retrying once (written when a restore did not bring back file
 * descriptors: a checkpoint between open() and write() left a stale fd behind; kept as is). */
static void append(const char *path, const char *line, int len) {
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
        int ok = fd >= 0 && write(fd, line, len) == len;
        if (fd >= 0) close(fd);
        if (ok) return;
    }
    _exit(2);
}

int main(int argc, char **argv) {
    int secs = atoi(argv[2]);
    for (long n = 1;; n++) {
        char line[32];
        int len = snprintf(line, sizeof line, "%ld\n", n);
        append(argv[1], line, len);
        sleep(secs);
    }
}
