// holder.c FILE OUT: keeps FILE open (fd 3) and appends "tick N" to OUT every 20 ms: a
// restart needs FILE again, to reopen it under fd 3.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 3 || open(argv[1], O_RDONLY) != 3) return 2;
  for (long t = 0;; t++) {
    FILE *f = fopen(argv[2], "a");
    fprintf(f, "tick %ld\n", t);
    fclose(f);
    usleep(20000);
  }
}
