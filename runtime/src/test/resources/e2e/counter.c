// counter.c OUT: appends "tick N" to OUT every 50 ms, forever. Proves a program under
// checkpoint control keeps running, and where it is, through rounds.
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  for (long n = 0;; n++) {
    FILE *f = fopen(argv[1], "a");
    if (!f) return 3;
    fprintf(f, "tick %ld\n", n);
    fclose(f);
    usleep(50000);
  }
}
