package dmtcp.mem.linux.api;

/** A signal's disposition as the kernel holds it ({@code struct kernel_sigaction}). */
public record SigAction(int signal, long handler, long flags, long restorer, long mask) {

    /** SIG_DFL with no flags and an empty mask: nothing to restore. */
    public boolean isDefault() {
        return handler == 0 && flags == 0 && mask == 0;
    }
}
