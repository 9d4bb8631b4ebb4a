package dmtcp.mem.linux.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * The exported package is a typed Java facade: no public or protected signature of any of its
 * classes (a method's parameters, return type or exceptions, a constructor, a field, a
 * supertype) names a JNA type, so that the other bundles neither import com.sun.jna nor
 * depend on how mem.native reaches the kernel. Read by reflection from every class file of
 * the package as built, nested classes included.
 */
public class ApiLeaksNoJnaTest {

    @Test
    public void noExportedSignatureNamesAJnaType() throws Exception {
        List<Class<?>> classes = packageClasses();
        assertTrue("found only " + classes, classes.size() > 20 && classes.contains(ThreadControl.class));
        List<String> leaks = new ArrayList<>();
        for (Class<?> c : classes) {
            leaks.addAll(leaks(c));
        }
        assertEquals("dmtcp.mem.linux.api must not leak JNA types", List.of(), leaks);
    }

    @Test
    public void aJnaTypeInASignatureIsFound() {
        abstract class Leaky {
            public abstract com.sun.jna.Pointer pointer();
        }
        assertEquals(1, leaks(Leaky.class).size());
    }

    /** The signatures of {@code c} visible outside its package that name a com.sun.jna type. */
    static List<String> leaks(Class<?> c) {
        List<String> out = new ArrayList<>();
        if (!visible(c.getModifiers()) && !c.isLocalClass()) {
            return out;
        }
        check(out, c + " extends", c.getGenericSuperclass());
        for (Type t : c.getGenericInterfaces()) {
            check(out, c + " implements", t);
        }
        for (Method m : c.getDeclaredMethods()) {
            if (visible(m.getModifiers()) && !m.isSynthetic()) {
                check(out, m.toGenericString(), m.getGenericReturnType());
                for (Type t : m.getGenericParameterTypes()) {
                    check(out, m.toGenericString(), t);
                }
                for (Type t : m.getGenericExceptionTypes()) {
                    check(out, m.toGenericString(), t);
                }
            }
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (visible(k.getModifiers()) && !k.isSynthetic()) {
                for (Type t : k.getGenericParameterTypes()) {
                    check(out, k.toGenericString(), t);
                }
            }
        }
        for (Field f : c.getDeclaredFields()) {
            if (visible(f.getModifiers()) && !f.isSynthetic()) {
                check(out, f.toGenericString(), f.getGenericType());
            }
        }
        return out;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(List<String> out, String where, Type t) {
        if (t != null && t.getTypeName().contains("com.sun.jna")) {
            out.add(where + ": " + t.getTypeName());
        }
    }

    /** Every class of this package in the directory (or jar) the main classes were loaded from. */
    private static List<Class<?>> packageClasses() throws URISyntaxException, java.io.IOException, ClassNotFoundException {
        Path root = Path.of(ThreadControl.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve("dmtcp/mem/linux/api");
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".class") && !n.equals("package-info.class")) {
                    out.add(Class.forName("dmtcp.mem.linux.api." + n.substring(0, n.length() - 6), false,
                            ApiLeaksNoJnaTest.class.getClassLoader()));
                }
            }
        }
        return out;
    }
}
