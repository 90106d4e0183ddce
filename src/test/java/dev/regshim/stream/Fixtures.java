package dev.regshim.stream;

import org.tukaani.xz.XZInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** The real QEMU streams under src/test/resources/streams/ (xz-compressed), decompressed once per JVM. */
public final class Fixtures {

    private static final String ROOT = "/streams";
    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();

    /** A fixture: {@code qemu-7.2/max} and its bytes. */
    public record Fixture(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }

        public String qemu() {
            return name.substring(0, name.indexOf('/'));
        }
    }

    private Fixtures() {
    }

    /** Every {@code *.mig.xz} fixture, sorted by name. */
    public static List<Fixture> all() {
        List<Fixture> out = new ArrayList<>();
        for (String name : names()) {
            out.add(new Fixture(name, stream(name)));
        }
        return out;
    }

    public static List<String> names() {
        Path root = rootDir();
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".mig.xz"))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .map(n -> n.substring(0, n.length() - ".mig.xz".length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stream bytes of fixture {@code name}, e.g. {@code qemu-7.2/max}. */
    public static byte[] stream(String name) {
        return CACHE.computeIfAbsent(name + ".mig", n -> xz(ROOT + "/" + n + ".xz")).clone();
    }

    /** The separately saved vmdesc JSON of fixture {@code name}, if there is one. */
    public static byte[] vmdescJson(String name) {
        return xz(ROOT + "/" + name + ".vmdesc.json.xz");
    }

    public static boolean hasVmdescJson(String name) {
        return Fixtures.class.getResource(ROOT + "/" + name + ".vmdesc.json.xz") != null;
    }

    private static byte[] xz(String resource) {
        try (InputStream raw = Fixtures.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            try (InputStream in = new XZInputStream(raw)) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path rootDir() {
        URL u = Fixtures.class.getResource(ROOT);
        try {
            return Path.of(u.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the fixture to a temporary file (for the Path entry points). */
    public static Path toFile(Path dir, Fixture f) throws IOException {
        Path p = dir.resolve(f.name().replace('/', '_') + ".mig");
        Files.write(p, f.bytes());
        return p;
    }
}
