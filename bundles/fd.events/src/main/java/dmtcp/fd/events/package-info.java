/**
 * Resource handlers ({@link dmtcp.ckpt.process.spi.FdHandler}) for the kernel's event fds:
 * eventfd (its counter), timerfd (clock, time left, interval, pending expirations; armed when
 * the program runs again), signalfd (its mask), epoll (every registration, after the threads)
 * and inotify (its watches, with their wd numbers). Nothing here is exported: the handlers are
 * DS services. See doc/fd-events.md.
 */
package dmtcp.fd.events;
