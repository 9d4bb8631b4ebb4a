/* Spends its life blocked in clock_nanosleep: appends "n" to argv[1], then sleeps
 * argv[2] seconds. (Blocking in read() needs fds restored, which this layer does not do.) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "append.h"

int main(int argc, char **argv) {
    int secs = atoi(argv[2]);
    for (long n = 1;; n++) {
        char line[32];
        int len = snprintf(line, sizeof line, "%ld\n", n);
        append(argv[1], line, len);
        sleep(secs);
    }
}
