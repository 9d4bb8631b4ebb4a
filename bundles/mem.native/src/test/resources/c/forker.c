/* Forks and execs a child every 10 ms (posix_spawn of /bin/true, then waitpid) and
 * appends "n ok" to argv[1], ok being 1 when the child exited 0, 2 when waitpid says
 * ECHILD (a child spawned before a checkpoint: a single-process restore does not bring
 * children back), 0 otherwise. A restored process must still fork, exec and reap its
 * own children. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#include "append.h"

int main(int argc, char **argv) {
    for (long n = 1;; n++) {
        pid_t pid;
        char *args[] = { "/bin/true", NULL };
        int status = -1, ok = 0;
        if (posix_spawn(&pid, "/bin/true", NULL, NULL, args, environ) == 0) {
            if (waitpid(pid, &status, 0) == pid) ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            else if (errno == ECHILD) ok = 2;
        }
        char line[64];
        int len = snprintf(line, sizeof line, "%ld %d\n", n, ok);
        append(argv[1], line, len);
        usleep(10000);
    }
}
