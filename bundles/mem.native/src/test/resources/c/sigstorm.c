/* Threads that spend their life in pause(), woken by a storm of SIGUSR1 from a child
 * process that sends them without a pause: a freeze's PTRACE_INTERRUPT keeps meeting
 * signal-delivery stops. Appends "ready\n" to argv[1] once the storm blows; each
 * thread counts its signals in a shared array. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "append.h"

static volatile long hits[4];

/* argc unused beyond argv[1] */

static void on_usr1(int sig) { (void)sig; }

static void *sleeper(void *arg) {
    long i = (long)arg;
    for (;;) {
        pause();
        hits[i]++;
    }
    return 0;
}

int main(int argc, char **argv) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, 0);
    pid_t self = getpid();
    pthread_t t[3];
    for (long i = 0; i < 3; i++) pthread_create(&t[i], 0, sleeper, (void *)(i + 1));
    for (int k = 0; k < 2; k++) {
        if (fork() == 0) {
            for (;;) {
                if (kill(self, SIGUSR1) != 0) _exit(0);
            }
        }
    }
    append(argv[1], "ready\n", 6);
    sleeper((void *)0);
    return 0;
}
