/* A file deleted while open, read-only, mode 0400, whose directory is gone too:
 * usage: deleted LOG DIR. Creates DIR/x (20000 bytes), opens it O_RDONLY, chmods it 0400,
 * unlinks it and removes DIR; then every 2 ms checks size, nlink, mode, O_RDONLY, the
 * bytes at a moving position (pread) and that its offset is still 777, and appends
 * "n ok" or "n FAIL why" to LOG (kept open). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIZE 20000
static unsigned char pat(long i) { return (unsigned char) (i * 31 + 5); }

int main(int argc, char **argv) {
    if (argc < 3) return 1;
    int log = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    char path[4096];
    snprintf(path, sizeof path, "%s/x", argv[2]);
    int w = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    static unsigned char buf[SIZE];
    for (long i = 0; i < SIZE; i++) buf[i] = pat(i);
    if (w < 0 || write(w, buf, SIZE) != SIZE) return 2;
    close(w);
    int fd = open(path, O_RDONLY);
    if (fd < 0 || chmod(path, 0400) || unlink(path) || rmdir(argv[2])) return 3;
    lseek(fd, 777, SEEK_SET);
    for (long n = 1;; n++) {
        char why[200] = "";
        struct stat st;
        unsigned char b[100];
        long at = (n * 101) % (SIZE - 100);
        if (fstat(fd, &st) || st.st_size != SIZE || st.st_nlink != 0 || (st.st_mode & 0777) != 0400)
            snprintf(why, sizeof why, "stat size %ld nlink %ld mode %o", (long) st.st_size, (long) st.st_nlink, st.st_mode & 0777);
        else if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY) snprintf(why, sizeof why, "not O_RDONLY");
        else if (lseek(fd, 0, SEEK_CUR) != 777) snprintf(why, sizeof why, "offset %ld", (long) lseek(fd, 0, SEEK_CUR));
        else if (pread(fd, b, 100, at) != 100) snprintf(why, sizeof why, "pread: %s", strerror(errno));
        else for (int i = 0; i < 100; i++) if (b[i] != pat(at + i)) { snprintf(why, sizeof why, "byte %ld", at + i); break; }
        char line[300];
        int len = *why ? snprintf(line, sizeof line, "%ld FAIL %s\n", n, why) : snprintf(line, sizeof line, "%ld ok\n", n);
        if (write(log, line, len) != len) return 5;
        usleep(2000);
    }
}
