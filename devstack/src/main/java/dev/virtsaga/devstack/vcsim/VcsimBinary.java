package dev.virtsaga.devstack.vcsim;

import dev.virtsaga.devstack.Exec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The vcsim executable, built from the Go main that ships inside devstack (resource {@code
 * devstack/go/vcsim/main.go}, from {@code src/main/go/vcsim/main.go}) against Debian's govmomi,
 * offline: {@code GO111MODULE=off GOPATH=/usr/share/gocode CGO_ENABLED=0 go build}.
 *
 * <p>The binary is cached as {@code <cache>/<sha256 of the source, 16 hex>/vcsim}, so it is built
 * once per version of the source (an edited source is a new key, never an old binary) and shared by
 * every module's tests; {@code <cache>} is {@code $VIRTSAGA_VCSIM_CACHE}, else {@code
 * ~/.cache/virtsaga/vcsim}. Go's build cache lives in {@code <cache>/go-build}. Concurrent JVMs
 * build it once (a file lock). {@code $VIRTSAGA_VCSIM_BINARY} names a ready binary instead.
 */
public final class VcsimBinary {

  /** Environment variable: a prebuilt vcsim to use instead of building one. */
  public static final String BINARY_ENV = "VIRTSAGA_VCSIM_BINARY";

  /** Environment variable: the cache directory. */
  public static final String CACHE_ENV = "VIRTSAGA_VCSIM_CACHE";

  /** Where Debian's golang-github-vmware-govmomi-dev puts govmomi. */
  public static final Path GOPATH = Path.of("/usr/share/gocode");

  private static final String SOURCE_RESOURCE = "devstack/go/vcsim/main.go";
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  private static final System.Logger LOG = System.getLogger(VcsimBinary.class.getName());

  private VcsimBinary() {}

  /** The path of a built vcsim, building it first when this source version has no binary yet. */
  public static synchronized Path ensureBuilt() {
    String override = System.getenv(BINARY_ENV);
    if (override != null && !override.isBlank()) {
      Path binary = Path.of(override);
      if (!Files.isExecutable(binary)) {
        throw new IllegalStateException(BINARY_ENV + "=" + override + " is not an executable");
      }
      return binary;
    }
    byte[] source = source();
    Path dir = cacheDir().resolve(sha256(source).substring(0, 16));
    Path binary = dir.resolve("vcsim");
    if (Files.isExecutable(binary)) {
      return binary;
    }
    try {
      Files.createDirectories(dir);
      try (FileChannel lockFile =
              FileChannel.open(
                  dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        if (!Files.isExecutable(binary)) {
          build(source, dir, binary);
        }
      }
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build vcsim in " + dir, e);
    }
  }

  /** The environment of the offline Go build (added to the inherited one). */
  public static Map<String, String> goEnv(Path goCache) {
    return Map.of(
        "GO111MODULE", "off",
        "GOPATH", GOPATH.toString(),
        "GOFLAGS", "",
        "GOPROXY", "off",
        "CGO_ENABLED", "0",
        "GOCACHE", goCache.toString());
  }

  private static void build(byte[] source, Path dir, Path binary) throws IOException {
    String go = goExecutable();
    if (!Files.isDirectory(GOPATH.resolve("src/github.com/vmware/govmomi/simulator"))) {
      throw new IllegalStateException(
          "govmomi's simulator package is missing under "
              + GOPATH
              + "/src: install golang-github-vmware-govmomi-dev (bin/setup does)");
    }
    Path src = dir.resolve("src");
    Files.createDirectories(src);
    Files.write(src.resolve("main.go"), source);
    Path partial = dir.resolve("vcsim.partial");
    long started = System.nanoTime();
    LOG.log(System.Logger.Level.INFO, "building vcsim into {0} (offline Go build)", binary);
    Exec.run(
            List.of(go, "build", "-o", partial.toString(), src.resolve("main.go").toString()),
            goEnv(cacheDir().resolve("go-build")),
            BUILD_TIMEOUT)
        .orThrow();
    Files.move(
        partial, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    LOG.log(
        System.Logger.Level.INFO,
        "built vcsim in {0} ms",
        Duration.ofNanos(System.nanoTime() - started).toMillis());
  }

  private static String goExecutable() {
    for (String candidate : List.of("/usr/bin/go", "/usr/lib/go/bin/go", "/usr/local/go/bin/go")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    if (Exec.onPath("go")) {
      return "go";
    }
    throw new IllegalStateException(
        "no Go toolchain: install golang-go and golang-github-vmware-govmomi-dev (bin/setup does)");
  }

  private static Path cacheDir() {
    String configured = System.getenv(CACHE_ENV);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "virtsaga", "vcsim");
  }

  private static byte[] source() {
    try (InputStream in = VcsimBinary.class.getClassLoader().getResourceAsStream(SOURCE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + SOURCE_RESOURCE + " missing: devstack was built without src/main/go");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + SOURCE_RESOURCE, e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
