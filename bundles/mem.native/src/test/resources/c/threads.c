/* argv[2] (default 4, at most 256) workers each bump their own counter under one mutex
 * and signal a condvar; main waits on the condvar and every 20 ms appends
 * "iter c0 c1 c2 c3 ok min" to argv[1], where ok is 1 when pthread_kill(worker, 0)
 * succeeds for every worker (glibc's cached tids are right) and the counters are
 * consistent with the total (else "0:sum" or "0:kill<i>=<errno>"), and min is the
 * smallest counter of all workers. A failed pthread_kill is tried once more: main may
 * have been frozen with the old tid already loaded in a register (new tids are a known
 * limit of restore), but glibc's stored tid must be right on the second try. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "append.h"

#define MAXN 256
static int N = 4;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counters[MAXN];
static long total;

static void *worker(void *arg) {
    long i = (long) arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        counters[i]++;
        total++;
        pthread_cond_signal(&cv);
        pthread_mutex_unlock(&mu);
        usleep(200 + 100 * (i % 4));
    }
    return NULL;
}

static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    if (argc > 2) N = atoi(argv[2]);
    if (N < 4 || N > MAXN) return 3;
    pthread_t t[MAXN];
    for (long i = 0; i < N; i++) pthread_create(&t[i], NULL, worker, (void *) i);
    long last = now_ms(), seen = 0;
    for (long iter = 1;;) {
        pthread_mutex_lock(&mu);
        while (total == seen) pthread_cond_wait(&cv, &mu);
        seen = total;
        long c[MAXN], sum = 0, min = -1;
        for (int i = 0; i < N; i++) { c[i] = counters[i]; sum += c[i]; if (min < 0 || c[i] < min) min = c[i]; }
        pthread_mutex_unlock(&mu);
        if (now_ms() - last < 20) continue;
        last = now_ms();
        char ok[64] = "1";
        if (sum != seen) snprintf(ok, sizeof ok, "0:sum");
        for (int i = 0; i < N; i++) {
            int e = pthread_kill(t[i], 0);
            if (e != 0) e = pthread_kill(t[i], 0);
            if (e != 0) { snprintf(ok, sizeof ok, "0:kill%d=%d", i, e); break; }
        }
        char line[200];
        int len = snprintf(line, sizeof line, "%ld %ld %ld %ld %ld %s %ld\n", iter++, c[0], c[1], c[2], c[3], ok, min);
        append(argv[1], line, len);
    }
}
