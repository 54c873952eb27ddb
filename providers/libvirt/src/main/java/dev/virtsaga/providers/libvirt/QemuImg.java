package dev.virtsaga.providers.libvirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.virtsaga.providers.spi.DiskFormat;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code qemu-img} calls the adapter makes on disk images the storage API cannot reach:
 * converting (export, import, clone from an internal snapshot) and inspecting images. Blocking:
 * called on the adapter's executor only. The images must be on this machine (libvirtd local).
 */
final class QemuImg {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String binary;
  private final Duration timeout;

  QemuImg(String binary, Duration timeout) {
    this.binary = binary;
    this.timeout = timeout;
  }

  static QemuImg defaults() {
    return new QemuImg("qemu-img", Duration.ofMinutes(30));
  }

  /**
   * What {@code qemu-img info} says of an image.
   *
   * @param format the detected format ({@code qcow2}, {@code raw}, {@code vmdk}, …)
   * @param backingFile the backing image, or {@code null}
   * @param snapshots names of the internal snapshots
   * @param otherFiles the files besides the image itself that reading it would read: its backing
   *     file, a qcow2 external data file, vmdk extents in other files
   */
  record Info(
      String format,
      long virtualSizeBytes,
      long actualSizeBytes,
      String backingFile,
      List<String> snapshots,
      List<String> otherFiles) {}

  /** {@code qemu-img info --output=json -U} (readable while a VM uses the image). */
  Info info(Path image) {
    String out = run(List.of(binary, "info", "--output=json", "-U", image.toString()));
    try {
      JsonNode n = JSON.readTree(out);
      List<String> snapshots = new ArrayList<>();
      n.path("snapshots").forEach(s -> snapshots.add(s.path("name").asText()));
      String backing = n.hasNonNull("backing-filename") ? n.get("backing-filename").asText() : null;
      List<String> otherFiles = new ArrayList<>();
      if (backing != null) {
        otherFiles.add(backing);
      }
      JsonNode specific = n.path("format-specific").path("data");
      if (specific.hasNonNull("data-file")) {
        otherFiles.add(specific.get("data-file").asText());
      }
      Path self = image.toAbsolutePath().normalize();
      for (JsonNode extent : specific.path("extents")) {
        String file = extent.path("filename").asText("");
        Path parent = self.getParent() == null ? Path.of("/") : self.getParent();
        if (!parent.resolve(file).normalize().equals(self)) {
          otherFiles.add(file);
        }
      }
      return new Info(
          n.path("format").asText(null),
          n.path("virtual-size").asLong(),
          n.path("actual-size").asLong(),
          backing,
          snapshots,
          otherFiles);
    } catch (IOException e) {
      throw new ProviderException(ErrorType.RETRYABLE, "unreadable qemu-img info: " + out, e);
    }
  }

  /**
   * {@code qemu-img convert} of a whole image (flattening any backing chain).
   *
   * @param sourceFormat the source's format, or {@code null} to let qemu-img probe
   * @param snapshot read the source as it was in this internal snapshot, or {@code null}
   */
  void convert(Path source, String sourceFormat, String snapshot, Path target, DiskFormat format) {
    List<String> cmd = new ArrayList<>(List.of(binary, "convert", "-U"));
    if (sourceFormat != null) {
      cmd.addAll(List.of("-f", sourceFormat));
    }
    if (snapshot != null) {
      cmd.addAll(List.of("-l", "snapshot.name=" + snapshot));
    }
    cmd.addAll(List.of("-O", format.id(), source.toString(), target.toString()));
    run(cmd);
  }

  private String run(List<String> cmd) {
    Path err = null;
    try {
      err = Files.createTempFile("qemu-img", ".err");
      Process p =
          new ProcessBuilder(cmd)
              .redirectError(err.toFile())
              .redirectInput(Path.of("/dev/null").toFile())
              .start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new ProviderException(ErrorType.TIMEOUT, String.join(" ", cmd) + " timed out");
      }
      if (p.exitValue() != 0) {
        throw new ProviderException(
            ErrorType.RETRYABLE,
            String.join(" ", cmd)
                + " failed ("
                + p.exitValue()
                + "): "
                + Files.readString(err, StandardCharsets.UTF_8).strip());
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ProviderException(ErrorType.UNAVAILABLE, "cannot run " + binary + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException(ErrorType.RETRYABLE, "interrupted: " + String.join(" ", cmd), e);
    } finally {
      if (err != null) {
        try {
          Files.deleteIfExists(err);
        } catch (IOException e) {
          // a temp file
        }
      }
    }
  }

  /** SHA-256 of a file, lower-case hex. */
  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 20];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }
}
