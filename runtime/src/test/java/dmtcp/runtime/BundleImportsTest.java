package dmtcp.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The bundle graph's rules, read from the manifests bnd wrote for the bundles this module is
 * built from (the reactor's jars or target/classes, as they are on this test's class path):
 * core.barrier knows nothing of how processes are made (it imports no {@code dmtcp.mem.*}
 * package: it consumes a ProcessRegistry), only mem.native touches JNA and it exports its typed
 * API package alone, the process engine (ckpt.process) does not even name JNA, and the system
 * bundle exports the bootstrap package at the version core.boot declares.
 */
public class BundleImportsTest {

    /** Symbolic name to manifest, for every DMTCP bundle on the class path. */
    private static final Map<String, Manifest> BUNDLES = new TreeMap<>();

    @BeforeClass
    public static void readManifests() throws IOException {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            Manifest m = null;
            if (Files.isDirectory(p) && Files.isRegularFile(p.resolve("META-INF/MANIFEST.MF"))) {
                try (InputStream in = Files.newInputStream(p.resolve("META-INF/MANIFEST.MF"))) {
                    m = new Manifest(in);
                }
            } else if (Files.isRegularFile(p) && entry.endsWith(".jar")) {
                try (JarFile j = new JarFile(p.toFile())) {
                    m = j.getManifest();
                }
            }
            String bsn = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
            if (bsn != null && bsn.startsWith("dmtcp.")) {
                BUNDLES.put(bsn.split(";")[0].trim(), m);
            }
        }
        for (String needed : List.of("dmtcp.core.barrier", "dmtcp.mem.native", "dmtcp.ckpt.process", "dmtcp.core.boot")) {
            assertTrue("no manifest of " + needed + " on the class path: " + BUNDLES.keySet(), BUNDLES.containsKey(needed));
        }
    }

    @Test
    public void coreBarrierImportsNoPackageOfMemNative() {
        List<String> mem = packages(BUNDLES.get("dmtcp.core.barrier"), "Import-Package").stream()
                .filter(p -> p.startsWith("dmtcp.mem.")).toList();
        assertEquals("core.barrier must list processes through the ProcessRegistry service, not mem.native", List.of(), mem);
    }

    @Test
    public void onlyMemNativeImportsJna() {
        List<String> offenders = new ArrayList<>();
        BUNDLES.forEach((bsn, m) -> {
            if (!bsn.equals("dmtcp.mem.native")) {
                packages(m, "Import-Package").stream().filter(p -> p.equals("com.sun.jna") || p.startsWith("com.sun.jna."))
                        .forEach(p -> offenders.add(bsn + " imports " + p));
            }
        });
        assertEquals("only mem.native may touch JNA", List.of(), offenders);
    }

    @Test
    public void memNativeExportsOnlyItsTypedApi() {
        List<String> exported = packages(BUNDLES.get("dmtcp.mem.native"), "Export-Package").stream()
                .map(c -> c.split(";")[0].trim()).toList();
        assertEquals("mem.native exports its typed facade alone (its JNA bindings stay private)", List.of("dmtcp.mem.linux.api"),
                exported);
    }

    @Test
    public void theProcessEngineDoesNotEvenDependOnJna() {
        Manifest m = BUNDLES.get("dmtcp.ckpt.process");
        List<String> jna = new ArrayList<>();
        for (String header : List.of("Import-Package", "Require-Bundle", "DynamicImport-Package")) {
            clauses(m, header).stream().filter(c -> c.contains("com.sun.jna")).forEach(c -> jna.add(header + ": " + c));
        }
        assertEquals("ckpt.process dumps and restores through mem.native's typed API only", List.of(), jna);
    }

    @Test
    public void theSystemBundleExportsTheBootstrapPackageAtItsVersion() {
        String declared = packages(BUNDLES.get("dmtcp.core.boot"), "Export-Package").stream()
                .filter(p -> p.startsWith("dmtcp.core.boot;")).findFirst().orElse("none");
        String version = declared.replaceAll(".*;version=\"?([0-9.]+)\"?.*", "$1");
        assertEquals(dmtcp.core.boot.Bootstrap.EXPORT + " vs core.boot's " + declared,
                "dmtcp.core.boot;version=\"" + version + "\"", dmtcp.core.boot.Bootstrap.EXPORT);
    }

    /**
     * The clauses of a package header ({@code name;attr=value,...}), each as written, split at
     * the commas outside quotes; {@link #packages} gives the names alone when no attribute is asked for.
     */
    private static List<String> clauses(Manifest m, String header) {
        String v = m.getMainAttributes().getValue(header);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        StringBuilder b = new StringBuilder();
        boolean quoted = false;
        for (char c : v.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                out.add(b.toString().trim());
                b.setLength(0);
            } else {
                b.append(c);
            }
        }
        out.add(b.toString().trim());
        return out;
    }

    /** The packages an Import-Package header names; for Export-Package the clauses with their attributes. */
    private static List<String> packages(Manifest m, String header) {
        List<String> c = clauses(m, header);
        return header.equals("Import-Package") ? c.stream().map(s -> s.split(";")[0].trim()).toList() : c;
    }
}
