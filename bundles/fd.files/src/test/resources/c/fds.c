/* Holds file descriptors open across checkpoints and proves each still works every round.
 * usage: fds LOG DATA DIR
 *   LOG  opened O_WRONLY|O_APPEND (kept open): one line per round, "n ok" or "n FAIL why"
 *   DATA a file of DATA_SIZE bytes where byte i == (i * 7 + 3) & 0xff; read sequentially
 *        from offset 100, 16 bytes a round, fd marked O_CLOEXEC
 *   DIR  a directory with 5 entries besides . and ..; read one entry a round with
 *        getdents64; after the end, 7 entries must have been seen, then it is rewound;
 *        also holds "victim", created, opened O_RDWR, filled and unlinked
 * plus /dev/null (write/read), /dev/urandom (read). fds 0-2 are checked open. Every fd
 * in 3..63 that is not ours must be closed (nothing leaked into a restored process). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VICTIM_SIZE 100000
static unsigned char pat(long i) { return (unsigned char) (i * 7 + 3); }
static unsigned char vpat(long i) { return (unsigned char) (i * 13 + 1); }

int main(int argc, char **argv) {
    if (argc < 4) return 1;
    int log = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    int data = open(argv[2], O_RDONLY | O_CLOEXEC);
    int dir = open(argv[3], O_RDONLY | O_DIRECTORY);
    char vpath[4096];
    snprintf(vpath, sizeof vpath, "%s/victim", argv[3]);
    int victim = open(vpath, O_RDWR | O_CREAT | O_TRUNC, 0640);
    static unsigned char vbuf[VICTIM_SIZE];
    for (long i = 0; i < VICTIM_SIZE; i++) vbuf[i] = vpat(i);
    if (victim < 0 || write(victim, vbuf, VICTIM_SIZE) != VICTIM_SIZE || unlink(vpath) != 0) return 3;
    lseek(victim, 1234, SEEK_SET);
    int devnull = open("/dev/null", O_RDWR);
    int urandom = open("/dev/urandom", O_RDONLY);
    if (log < 0 || data < 0 || dir < 0 || devnull < 0 || urandom < 0) return 4;
    int ours[] = {log, data, dir, victim, devnull, urandom};
    long pos = 100;
    lseek(data, pos, SEEK_SET);
    int dirents = 0, dircycles = 0;
    for (long n = 1;; n++) {
        char why[256] = "";
        unsigned char buf[64];
        /* data: the next 16 bytes at the right offset */
        if (lseek(data, 0, SEEK_CUR) != pos) snprintf(why, sizeof why, "data offset %ld != %ld", (long) lseek(data, 0, SEEK_CUR), pos);
        else if (read(data, buf, 16) != 16) snprintf(why, sizeof why, "data read: %s", strerror(errno));
        else {
            for (int i = 0; i < 16; i++) if (buf[i] != pat(pos + i)) { snprintf(why, sizeof why, "data byte %ld", pos + i); break; }
            pos += 16;
        }
        if (!*why && !(fcntl(data, F_GETFD) & FD_CLOEXEC)) snprintf(why, sizeof why, "data lost FD_CLOEXEC");
        if (!*why && (fcntl(log, F_GETFD) & FD_CLOEXEC)) snprintf(why, sizeof why, "log gained FD_CLOEXEC");
        if (!*why && !(fcntl(log, F_GETFL) & O_APPEND)) snprintf(why, sizeof why, "log lost O_APPEND");
        /* deleted file: content, size, link count, offset */
        struct stat vs;
        long at = (n * 997) % (VICTIM_SIZE - 64);
        if (!*why) {
            if (fstat(victim, &vs) != 0 || vs.st_size != VICTIM_SIZE || vs.st_nlink != 0 || (vs.st_mode & 0777) != 0640)
                snprintf(why, sizeof why, "victim stat size %ld nlink %ld mode %o", (long) vs.st_size, (long) vs.st_nlink, vs.st_mode & 0777);
            else if (pread(victim, buf, 64, at) != 64) snprintf(why, sizeof why, "victim pread: %s", strerror(errno));
            else if (lseek(victim, 0, SEEK_CUR) != 1234) snprintf(why, sizeof why, "victim offset %ld", (long) lseek(victim, 0, SEEK_CUR));
            else for (int i = 0; i < 64; i++) if (buf[i] != vpat(at + i)) { snprintf(why, sizeof why, "victim byte %ld", at + i); break; }
        }
        /* devices */
        if (!*why && write(devnull, "x", 1) != 1) snprintf(why, sizeof why, "/dev/null write: %s", strerror(errno));
        if (!*why && read(devnull, buf, 1) != 0) snprintf(why, sizeof why, "/dev/null read not EOF");
        if (!*why && read(urandom, buf, 32) != 32) snprintf(why, sizeof why, "/dev/urandom read: %s", strerror(errno));
        /* directory: one entry per round (a 40-byte buffer holds one short-named dirent64) */
        if (!*why) {
            char dbuf[40];
            long r = syscall(SYS_getdents64, dir, dbuf, sizeof dbuf);
            if (r < 0) snprintf(why, sizeof why, "getdents64: %s", strerror(errno));
            else if (r > 0) dirents++;
            else {
                if (dirents != 7) {
                    char big[4096];
                    long cur = lseek(dir, 0, SEEK_CUR), z = lseek(dir, 0, SEEK_SET);
                    long rb = syscall(SYS_getdents64, dir, big, sizeof big);
                    snprintf(why, sizeof why, "directory had %d entries, not 7 (pos %ld, rewind %ld, then getdents %ld)", dirents, cur, z, rb);
                }
                dirents = 0;
                dircycles++;
                lseek(dir, 0, SEEK_SET);
            }
        }
        /* 0-2 open, and nothing but ours in 3..63 */
        for (int fd = 0; fd < 64 && !*why; fd++) {
            int mine = fd <= 2;
            for (unsigned k = 0; k < sizeof ours / sizeof ours[0]; k++) mine |= ours[k] == fd;
            int open_ = fcntl(fd, F_GETFD) >= 0;
            if (open_ != mine) snprintf(why, sizeof why, "fd %d is %s", fd, open_ ? "open (leaked)" : "closed");
        }
        char line[400];
        int len = snprintf(line, sizeof line, "%ld %s %d %ld\n", n, *why ? "FAIL" : "ok", dircycles, pos);
        if (*why) len = snprintf(line, sizeof line, "%ld FAIL %s\n", n, why);
        if (write(log, line, len) != len) return 5;
        usleep(2000);
    }
}
