package dmtcp.ckpt.process.spi;

import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.RemoteProcess;
import java.util.List;
import java.util.function.Supplier;
import org.osgi.annotation.versioning.ProviderType;

/** What a handler sees of the frozen process it saves an fd of. */
@ProviderType
public interface DumpContext {
    /** The frozen process: injected calls, its memory, scratch memory. Null while fds are being {@linkplain FdHandler#claims claimed}. */
    RemoteProcess process();

    int pid();

    /** Every open fd of the process, in fd order. */
    List<FdInfo> fds();

    /** State a handler keeps for the whole process while it is dumped (e.g. the pipes seen so far), made by {@code make} at the first call. */
    <T> T shared(String key, Supplier<T> make);
}
