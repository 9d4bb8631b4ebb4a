package dmtcp.mem.linux.api;

/**
 * One POSIX timer ({@code timer_create}) of a dumped process: its notification from
 * /proc/PID/timers, its current value and interval from an injected {@code timer_gettime}.
 * Restored under the same id with {@code prctl(PR_TIMER_CREATE_RESTORE_IDS)} and re-armed
 * relative to the restore: the time the process did not exist does not count.
 *
 * <p>glibc's SIGEV_THREAD timers are kernel timers of kind {@code SIGEV_SIGNAL |
 * SIGEV_THREAD_ID}, signal 32 (SIGTIMER) to glibc's helper thread, {@code sigval} pointing to
 * glibc's own record of the timer; the {@code timer_t} the program holds is that pointer,
 * not this id.
 *
 * @param id the kernel's timer id (what {@code timer_create} wrote to {@code *timerid})
 * @param clock the clock it counts: CLOCK_REALTIME 0, MONOTONIC 1, PROCESS_CPUTIME_ID 2,
 *     THREAD_CPUTIME_ID 3, BOOTTIME 7, REALTIME_ALARM 8, BOOTTIME_ALARM 9, TAI 11, or an
 *     encoded CPU clock (negative)
 * @param sigevNotify {@code sigev_notify}: {@link #SIGEV_SIGNAL}, {@link #SIGEV_NONE}, {@link
 *     #SIGEV_THREAD}, or {@link #SIGEV_THREAD_ID} | SIGEV_SIGNAL
 * @param signal {@code sigev_signo}
 * @param sigval {@code sigev_value} (sival_int or sival_ptr) as 64 bits
 * @param tid the thread the signal goes to when {@code sigevNotify} has SIGEV_THREAD_ID (its tid at
 *     dump time, as in {@link ThreadState#tid()}); else 0
 * @param valueNanos time left to the next expiry in nanoseconds; 0 when disarmed
 * @param intervalNanos the reload interval in nanoseconds; 0 for a one-shot timer
 * @param overrun {@code timer_getoverrun} at dump time (kept for inspection: no call sets it)
 */
public record PosixTimer(int id, int clock, int sigevNotify, int signal, long sigval, int tid, long valueNanos, long intervalNanos,
        int overrun) {
    public static final int SIGEV_SIGNAL = 0;
    public static final int SIGEV_NONE = 1;
    public static final int SIGEV_THREAD = 2;
    public static final int SIGEV_THREAD_ID = 4;

    /** The signal goes to one thread ({@link #tid()}). */
    public boolean threadDirected() {
        return (sigevNotify & SIGEV_THREAD_ID) != 0;
    }

    public boolean armed() {
        return valueNanos != 0;
    }

    /** Whether an expiry queues a signal (all but SIGEV_NONE). */
    public boolean signals() {
        return sigevNotify != SIGEV_NONE;
    }

    @Override
    public String toString() {
        String how = switch (sigevNotify & ~SIGEV_THREAD_ID) {
            case SIGEV_SIGNAL -> "signal " + signal;
            case SIGEV_NONE -> "no signal";
            case SIGEV_THREAD -> "SIGEV_THREAD signal " + signal;
            default -> "sigev_notify " + sigevNotify + " signal " + signal;
        };
        return "POSIX timer " + id + " (clock " + clock + ", " + how + (threadDirected() ? " to thread " + tid : "")
                + ", sigval 0x" + Long.toHexString(sigval) + (armed() ? ", next in " + valueNanos + " ns" : ", disarmed")
                + (intervalNanos != 0 ? ", every " + intervalNanos + " ns" : "") + ")";
    }
}
