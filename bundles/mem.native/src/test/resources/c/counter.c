/* Counts forever: appends "n usr1" to argv[1] every argv[2] microseconds (open/append/close,
 * so no fd outlives a line). SIGUSR1 runs a handler on a sigaltstack that counts them. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "append.h"

static volatile sig_atomic_t usr1;
static char altstack[65536];

static void on_usr1(int sig) {
    (void) sig;
    char probe;
    /* proves the handler ran on the alternate stack */
    if (&probe >= altstack && &probe < altstack + sizeof altstack) usr1++;
}

int main(int argc, char **argv) {
    long period = argc > 2 ? atol(argv[2]) : 10000;
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK | SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    for (long n = 1;; n++) {
        char line[64];
        int len = snprintf(line, sizeof line, "%ld %d\n", n, (int) usr1);
        append(argv[1], line, len);
        usleep(period);
    }
}
