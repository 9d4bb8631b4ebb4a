/* Holds event fds a checkpoint must refuse, and counts: appends "n" to LOG every 2 ms.
 * usage: holdevents LOG MODE [PATH]
 *   epoll-closed    fd 5 an epoll whose registered eventfd fd 4 was closed after epoll_ctl
 *                   (its file stays open as fd 6)
 *   epoll-replaced  the same, then another eventfd opened into fd 4
 *   inotify-lazy    fd 5 an inotify watching PATH (a folder) for IN_CREATE, never read
 *   inotify-watch   fd 5 an inotify watching PATH */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>
#include "append.h"

int main(int argc, char **argv) {
    if (argc < 3) return 1;
    const char *mode = argv[2];
    if (!strncmp(mode, "epoll-", 6)) {
        int e = eventfd(0, 0);
        if (dup2(e, 4) != 4) return 2;
        int ep = epoll_create1(0);
        if (dup2(ep, 5) != 5) return 2;
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 1};
        if (epoll_ctl(5, EPOLL_CTL_ADD, 4, &ev)) return 3;
        if (dup2(4, 6) != 6) return 2;
        close(4);
        if (!strcmp(mode, "epoll-replaced") && dup2(eventfd(0, 0), 4) != 4) return 4;
    } else {
        int in = inotify_init1(0);
        if (argc < 4 || dup2(in, 5) != 5 || close(in) || inotify_add_watch(5, argv[3], IN_CREATE) != 1) return 5;
    }
    for (long n = 1;; n++) {
        char line[32];
        int len = snprintf(line, sizeof line, "%ld\n", n);
        append(argv[1], line, len);
        usleep(2000);
    }
}
