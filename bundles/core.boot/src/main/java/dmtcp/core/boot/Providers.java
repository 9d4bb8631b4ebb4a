package dmtcp.core.boot;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Implementations the installed bundles offer before the framework starts, found the way
 * the JDK finds them on a class path: a bundle lists its implementations of a type in
 * {@code META-INF/services/<type's name>}, and they are loaded with
 * {@link java.util.ServiceLoader} from that bundle's class loader. The launcher implements
 * it; a {@link Bootstrap} asks it, e.g., for the stream codecs an early restore decodes with.
 */
@ConsumerType
public interface Providers {

    /** New instances of every implementation of {@code type} the installed bundles list, in installation order. */
    <S> List<S> load(Class<S> type);
}
