/* The test programs' one way to write a line of output (included by each; CPrograms copies
 * it beside them). Needs <fcntl.h> and <unistd.h>. */
#ifndef DMTCP_TEST_APPEND_H
#define DMTCP_TEST_APPEND_H
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
#endif
