/* Keeps floating-point and vector state live in registers: a CPU-bound inner loop adds
 * 0.5 to a double and 1.0 to each lane of an AVX vector (kept in registers, no calls),
 * then checks both against the integer count. A freeze lands inside the loop almost
 * always, so a restore that loses the XSAVE area shows up as ok=0. A second thread
 * sits in a SIGUSR1 handler on its sigaltstack, blocked in pause(), so it is restored
 * while on that stack. That stack is one page above a PROT_NONE guard page and the handler
 * takes room, so less than 1 KiB is left below the thread's stack pointer (no room for
 * the dumper's usual scratch slot). Appends "n ok" to argv[1]. */
#include <fcntl.h>
#include <immintrin.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "append.h"

static char *altstack;
static volatile int in_handler;

static void on_usr1(int sig) {
    (void) sig;
    volatile char room[320];
    room[0] = 1;
    in_handler = room[0];
    for (;;) pause(); /* stays here, on the alternate stack */
}

static void *sitter(void *arg) {
    (void) arg;
    stack_t ss = { .ss_sp = altstack, .ss_size = 4096 };
    sigaltstack(&ss, NULL);
    for (;;) pause();
    return NULL;
}

__attribute__((target("avx")))
int main(int argc, char **argv) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(m, 4096, PROT_NONE);
    altstack = m + 4096;
    pthread_t t;
    pthread_create(&t, NULL, sitter, NULL);
    usleep(10000);
    pthread_kill(t, SIGUSR1);
    while (!in_handler) usleep(1000);
    for (long n = 1;; n++) {
        double a = 0;
        __m256d v = _mm256_setzero_pd();
        const __m256d one = _mm256_set1_pd(1.0);
        long i;
        for (i = 0; i < 20000000; i++) {
            a += 0.5;
            v = _mm256_add_pd(v, one);
        }
        double lanes[4];
        _mm256_storeu_pd(lanes, v);
        int ok = a == i * 0.5 && lanes[0] == i && lanes[1] == i && lanes[2] == i && lanes[3] == i;
        char line[64];
        int len = snprintf(line, sizeof line, "%ld %d\n", n, ok);
        append(argv[1], line, len);
    }
}
