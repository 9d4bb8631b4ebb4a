package dmtcp.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Writes a plugin bundle in memory: a manifest, one class copied from the test classes,
 * and the Declarative Services descriptor that registers it as a BarrierHook. Nothing but
 * java.util.jar, so it runs inside the framework (in the probe) as well as outside.
 */
final class PluginBundles {
    static final String BSN = "dmtcp.itests.plugin";
    static final String PLUGIN_NAME = "itest-plugin";
    static final int PLUGIN_LAYER = 50;
    static final String IMPL = "dmtcp.itests.plugin.FilePluginHook";

    private PluginBundles() {}

    static byte[] filePluginBundle() throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", BSN);
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Name", "itests: a BarrierHook plugin built at test time");
        a.putValue("Import-Package", "dmtcp.core.barrier.api;version=\"[0.1,1)\","
                + "dmtcp.core.barrier.spi;version=\"[0.1,1)\"");
        a.putValue("Service-Component", "OSGI-INF/plugin.xml");
        a.putValue("Require-Capability",
                "osgi.extender;filter:=\"(&(osgi.extender=osgi.component)(version>=1.3.0)(!(version>=2.0.0)))\"");
        String ds = """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="%s" immediate="true">
                  <implementation class="%s"/>
                  <service><provide interface="dmtcp.core.barrier.spi.BarrierHook"/></service>
                  <property name="dmtcp.layer" type="Integer" value="%d"/>
                  <property name="dmtcp.plugin" type="String" value="%s"/>
                </scr:component>
                """.formatted(BSN, IMPL, PLUGIN_LAYER, PLUGIN_NAME);
        String classFile = IMPL.replace('.', '/') + ".class";
        byte[] classBytes;
        try (InputStream in = PluginBundles.class.getClassLoader().getResourceAsStream(classFile)) {
            if (in == null) {
                throw new IOException(classFile + " is not on the test class path");
            }
            classBytes = in.readAllBytes();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, mf)) {
            jar.putNextEntry(new JarEntry("OSGI-INF/plugin.xml"));
            jar.write(ds.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
            jar.putNextEntry(new JarEntry(classFile));
            jar.write(classBytes);
            jar.closeEntry();
        }
        return bytes.toByteArray();
    }
}
