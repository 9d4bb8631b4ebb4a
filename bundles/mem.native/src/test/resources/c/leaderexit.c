/* The main thread leaves with pthread_exit (the leader becomes a zombie) while two
 * workers go on, one appending "n c0 c1" to argv[1] every 10 ms. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "append.h"

static volatile long c[2];
static const char *path;

static void *worker(void *arg) {
    long i = (long) arg;
    for (long n = 1;; n++) {
        c[i]++;
        if (i == 0 && n % 10 == 0) {
            char line[64];
            int len = snprintf(line, sizeof line, "%ld %ld %ld\n", n / 10, c[0], c[1]);
            append(path, line, len);
        }
        usleep(1000);
    }
    return NULL;
}

int main(int argc, char **argv) {
    path = argv[1];
    pthread_t t[2];
    for (long i = 0; i < 2; i++) pthread_create(&t[i], NULL, worker, (void *) i);
    pthread_exit(NULL);
}
