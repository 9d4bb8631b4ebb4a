package dmtcp.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import dmtcp.core.boot.Bootstrap;
import dmtcp.core.boot.Providers;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Boots the OSGi framework with the installation's bundles ({@link InstalledBundles}),
 * installed by reference from where they are installed: nothing is copied, so nothing is
 * loaded from a place another user could write. Each process gets its own framework
 * storage in the user's private folder ({@link PrivateDir}), named after its pid and
 * removed on exit, or by the next start when the process was killed. Plugins dropped
 * into the plugins directory are picked up by Felix FileInstall.
 *
 * <p>Before the framework starts, the launcher reaches the bundles only through
 * {@link Bootstrap} (the system bundle exports its package from this class path, so both
 * sides link to one interface) and the {@link Providers} it implements here: implementations
 * a bundle lists under {@code META-INF/services}, loaded with {@link ServiceLoader} from that
 * bundle's class loader. See doc/architecture.md.
 */
final class Runtime implements Providers {
    private final Framework framework;
    private final List<Bundle> bundles = new ArrayList<>();
    /** The Gogo shell is the coordinator's console; launchers and restarters do not start it. */
    private final boolean shell;

    /** The private folder it was prepared in. */
    private final Path tmp;
    /** False when the plugins directory is missing and this user may not create it: nothing to watch. */
    private final boolean watchPlugins;

    private Runtime(Framework framework, Path tmp, boolean shell, boolean watchPlugins) {
        this.framework = framework;
        this.tmp = tmp;
        this.shell = shell;
        this.watchPlugins = watchPlugins;
    }

    /**
     * The plugins directory, created when missing. An ordinary user of an installation owned
     * by root may not create it: then there are no drop-in plugins, and no error.
     */
    private static boolean createIfMissing(Path plugins) {
        try {
            Files.createDirectories(plugins);
            return true;
        } catch (IOException e) {
            return Files.isDirectory(plugins);
        }
    }

    /** A framework {@link #initEarly} is initialising, or null. */
    private static java.util.concurrent.CompletableFuture<Runtime> early;

    /**
     * Starts initialising the framework on another thread while the command line is parsed
     * (dmtcp_checkpoint and dmtcp_restart: their programs wait for it). The properties that
     * depend on the options are given later to {@link #init(Map)} and reach the framework
     * as system properties, which it reads when it starts.
     */
    static synchronized void initEarly(String role) {
        early = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Runtime> f = early;
        Thread t = new Thread(() -> {
            try {
                f.complete(create(Map.of("dmtcp.role", role), null));
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        }, "dmtcp-runtime-init");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Creates and initialises (but does not start) a framework with every bundle installed,
     * or takes the one {@link #initEarly} prepared (then {@code properties} become system
     * properties).
     */
    static Runtime init(Map<String, String> properties) {
        java.util.concurrent.CompletableFuture<Runtime> f;
        synchronized (Runtime.class) {
            f = early;
            early = null;
        }
        if (f != null) {
            Runtime r;
            try {
                r = f.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
            if (Env.runtimeDir().equals(r.tmp)) {
                properties.forEach(System::setProperty);
                return r;
            }
        }
        return create(properties, null);
    }

    /**
     * One of the agent's frameworks ({@link Agent}): one per participant, each with its own
     * bundles, class loaders and storage ({@code felix-<agent>.<slot>}), so that the
     * participants of one JVM share nothing but the JVM. Removed by {@link #stop}.
     */
    static Runtime slot(Map<String, String> properties, String slot) {
        return create(properties, slot);
    }

    private static Runtime create(Map<String, String> properties, String slot) {
        Path base = Env.runtimeDir();
        try {
            removeStale(base);
            // named after this process, so that the next start can tell it is stale once we are gone
            Path own = base.resolve("felix-" + Pids.self());
            Path storage = slot == null ? own : base.resolve("felix-" + Pids.self() + "." + slot);
            deleteTree(storage);
            Files.createDirectories(storage);
            if (slot != null) {
                Files.createDirectories(own);
            }
            // at once: a command that exits while this runs (a bad option) leaves nothing behind
            if (slot == null) {
                java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(storage), "dmtcp-cleanup"));
            } else {
                cleanOnExit(base, own);
            }
            // JNA unpacks its native library, FileInstall its temporary folder, here: private, and
            // removed with it (the agent's own folder, which outlives its frameworks)
            System.setProperty("jna.tmpdir", own.toString());
            System.setProperty("java.io.tmpdir", own.toString());
            Path plugins = Env.pluginDir();
            boolean watchPlugins = createIfMissing(plugins);
            Map<String, String> p = new HashMap<>();
            p.put(Constants.FRAMEWORK_STORAGE, storage.resolve("framework").toString());
            p.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
            p.put("dmtcp.runtimeDir", base.toString());
            p.put("felix.fileinstall.dir", plugins.toString());
            p.put("felix.fileinstall.tmpdir", storage.resolve("fileinstall").toString());
            p.put("felix.fileinstall.poll", "500");
            p.put("felix.fileinstall.noInitialDelay", "true");
            p.put("felix.fileinstall.log.level", "1");
            p.put("felix.fileinstall.bundles.new.start", "true");
            p.put("felix.fileinstall.filter", ".*\\.jar");
            p.put("org.apache.felix.log.maxSize", "0");
            p.put("org.apache.felix.log.storeDebug", "false");
            p.put("gosh.args", "--nointeractive");
            p.put("dmtcp.logLevel", Env.get("DMTCP_LOG_LEVEL", "info"));
            // the launcher's own API, on this class path: the bundles import it from the system bundle
            p.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, Bootstrap.EXPORT);
            p.putAll(properties);
            FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
            Framework fw = factory.newFramework(p);
            fw.init();
            Timing.mark("framework created");
            Runtime rt = new Runtime(fw, base, "coordinator".equals(properties.get("dmtcp.role")), watchPlugins);
            rt.storage = slot == null ? null : storage;
            for (Path bundle : InstalledBundles.list()) {
                rt.bundles.add(fw.getBundleContext().installBundle("reference:" + bundle.toUri()));
            }
            return rt;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the OSGi runtime in " + base + ": " + PrivateDir.reason(e), e);
        } catch (BundleException e) {
            throw new IllegalStateException("cannot install the runtime's bundles: " + e.getMessage(), e);
        }
    }

    private static boolean cleaning;

    /** The agent's: one hook for all its frameworks, removing its folder and whatever storage they left. */
    private static synchronized void cleanOnExit(Path base, Path own) {
        if (cleaning) {
            return;
        }
        cleaning = true;
        String prefix = own.getFileName() + ".";
        java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> s = Files.list(base)) {
                s.filter(p -> p.getFileName().toString().startsWith(prefix)).forEach(Runtime::deleteTree);
            } catch (IOException | UncheckedIOException e) {
                // best effort: the next start removes it
            }
            deleteTree(own);
        }, "dmtcp-cleanup"));
    }

    /**
     * Removes what processes that are gone left in the private folder: their framework
     * storage (a command killed with SIGKILL runs no shutdown hook).
     */
    private static void removeStale(Path base) throws IOException {
        try (Stream<Path> s = Files.list(base)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (!n.startsWith("felix-")) {
                    continue;
                }
                int dot = n.indexOf('.');
                String tag = n.substring("felix-".length(), dot < 0 ? n.length() : dot); // felix-<pid>-<start>[.<slot>]
                if (!Pids.alive(tag)) {
                    deleteTree(p);
                }
            }
        }
    }

    /**
     * The implementations of {@code type} the installed bundles list in
     * {@code META-INF/services/<type>}: only those bundles are resolved (the rest resolve
     * when the framework starts), in installation order.
     */
    @Override
    public <S> List<S> load(Class<S> type) {
        String entry = "META-INF/services/" + type.getName();
        List<S> out = new ArrayList<>();
        for (Bundle b : bundles) {
            if (b.getEntry(entry) == null) {
                continue;
            }
            framework.adapt(FrameworkWiring.class).resolveBundles(List.of(b));
            BundleWiring wiring = b.adapt(BundleWiring.class);
            if (wiring == null) {
                throw new IllegalStateException("bundle " + b.getSymbolicName() + " offers " + type.getName()
                        + " but cannot be resolved: a broken installation");
            }
            ServiceLoader.load(type, wiring.getClassLoader()).forEach(out::add);
        }
        return out;
    }

    /** The one installed bundle's {@link Bootstrap}, made at the first call; registered as a service when the framework starts. */
    Bootstrap bootstrap() {
        if (bootstrap == null) {
            List<Bootstrap> found = load(Bootstrap.class);
            if (found.size() != 1) {
                throw new IllegalStateException("the installation's bundles offer " + found.size() + " implementations of "
                        + Bootstrap.class.getName() + " (META-INF/services), not one: a broken installation");
            }
            bootstrap = found.get(0);
        }
        return bootstrap;
    }

    private Bootstrap bootstrap;
    /** An agent's framework: its storage, removed when it stops; null for a command's own. */
    private Path storage;

    /**
     * Starts the framework and its bundles (the Gogo shell's only for the coordinator). The
     * {@link Bootstrap}, if one was used, is registered first, under its interface: the
     * bundle that made it takes over what it began when its components activate.
     */
    void start() {
        try {
            if (bootstrap != null) {
                framework.getBundleContext().registerService(Bootstrap.class, bootstrap, null);
            }
            framework.start();
            // the barrier engine last: its participant joins the coordinator (and may be asked
            // for a checkpoint at once) only when every plugin and resource handler is there
            List<Bundle> order = new java.util.ArrayList<>(bundles);
            order.sort(java.util.Comparator.comparing((Bundle b) -> "dmtcp.core.barrier".equals(b.getSymbolicName())));
            for (Bundle b : order) {
                String bsn = b.getSymbolicName() == null ? "" : b.getSymbolicName();
                boolean gogo = bsn.startsWith("org.apache.felix.gogo.");
                boolean fileInstall = bsn.equals("org.apache.felix.fileinstall");
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null && (shell || !gogo) && (watchPlugins || !fileInstall)) {
                    b.start();
                }
            }
        } catch (BundleException e) {
            throw new IllegalStateException("cannot start the OSGi runtime: " + e.getMessage(), e);
        }
    }

    /** Waits until the framework stops (a bundle stopped it: quit, exit on last client). */
    void awaitStop() {
        try {
            framework.waitForStop(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop() {
        try {
            framework.stop();
            framework.waitForStop(10_000);
        } catch (BundleException | InterruptedException e) {
            // exiting anyway
        }
        if (storage != null) {
            deleteTree(storage);
        }
    }

    private static void deleteTree(Path storage) {
        if (!Files.exists(storage, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(storage)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
