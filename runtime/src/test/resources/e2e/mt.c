// mt.c OUT: 4 worker threads add to a shared total under a mutex and signal a condition
// variable; main waits on it and appends "N total T" every 50 ms (T only grows).
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static long total, ticks[4];
static void *work(void *a) {
  long i = (long)a;
  for (;;) { pthread_mutex_lock(&m); total++; ticks[i]++; pthread_cond_signal(&c); pthread_mutex_unlock(&m); usleep(1000); }
}
int main(int argc, char **argv) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, work, (void *)i);
  long last = 0;
  for (long n = 0;; n++) {
    pthread_mutex_lock(&m);
    while (total == last) pthread_cond_wait(&c, &m);
    // every worker must have run by the 20th report (they all start within a few ms)
    int ok = total > last && (n < 20 || (ticks[0] && ticks[1] && ticks[2] && ticks[3]));
    last = total;
    pthread_mutex_unlock(&m);
    FILE *f = fopen(argv[1], "a");
    fprintf(f, "%ld total %ld %s\n", n, last, ok ? "ok" : "CORRUPT");
    fclose(f);
    usleep(50000);
  }
}
