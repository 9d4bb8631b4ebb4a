package dmtcp.mem.linux.api;

/**
 * Word indexes into x86_64 {@code struct user_regs_struct} (&lt;sys/user.h&gt;), the
 * NT_PRSTATUS regset: 27 unsigned longs in this order.
 */
public final class UserRegs {
    private UserRegs() {}

    public static final int R15 = 0, R14 = 1, R13 = 2, R12 = 3, RBP = 4, RBX = 5, R11 = 6, R10 = 7,
            R9 = 8, R8 = 9, RAX = 10, RCX = 11, RDX = 12, RSI = 13, RDI = 14, ORIG_RAX = 15, RIP = 16,
            CS = 17, EFLAGS = 18, RSP = 19, SS = 20, FS_BASE = 21, GS_BASE = 22, DS = 23, ES = 24,
            FS = 25, GS = 26;
    public static final int COUNT = 27;
    public static final int SIZE = COUNT * 8;
}
