/* Threads come and go all the time: two long-lived workers count, and main keeps
 * creating short-lived threads that bump a counter and exit, joining each. Appends
 * "n spawned w0 w1" to argv[1] every 20 ms. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "append.h"

static volatile long spawned, w[2];

static void *shortlived(void *arg) { (void) arg; __sync_fetch_and_add(&spawned, 1); return NULL; }
static void *worker(void *arg) {
    long i = (long) arg;
    for (;;) { w[i]++; usleep(100); }
    return NULL;
}
static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    pthread_t t0, t1;
    pthread_create(&t0, NULL, worker, (void *) 0);
    pthread_create(&t1, NULL, worker, (void *) 1);
    long last = now_ms();
    for (long n = 1;;) {
        pthread_t t;
        if (pthread_create(&t, NULL, shortlived, NULL) == 0) pthread_join(t, NULL);
        if (now_ms() - last < 20) continue;
        last = now_ms();
        char line[128];
        int len = snprintf(line, sizeof line, "%ld %ld %ld %ld\n", n++, spawned, w[0], w[1]);
        append(argv[1], line, len);
    }
}
