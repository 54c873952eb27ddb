package dev.virtsaga.providers.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.DiskExportRequest;
import dev.virtsaga.providers.spi.DiskFormat;
import dev.virtsaga.providers.spi.DiskImportRequest;
import dev.virtsaga.providers.spi.DiskTransfer;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.UrlPolicy;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * Disk export (PUT) and import (GET) over http against a loopback server, on real QEMU: the round
 * trip keeps the SHA-256, the URL policy stops loopback before any request, server errors are
 * typed.
 */
class LibvirtQemuHttpDisksIT {
  private static final String URI = System.getProperty("virtsaga.libvirt.it-uri", "qemu:///system");
  private static final Duration CALL = Duration.ofSeconds(60);

  private static ExecutorService executor;
  private static LibvirtProvider loopbackAllowed;
  private static LibvirtProvider defaultPolicy;
  private static Connect probe;
  private static Path served;

  private final List<String> vms = new ArrayList<>();
  private final List<String> imports = new ArrayList<>();
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<String, String> receivedSha = new ConcurrentHashMap<>();
  private final Map<String, String> receivedChecksumHeader = new ConcurrentHashMap<>();
  private HttpServer server;

  @BeforeAll
  static void connect() throws IOException {
    executor = Executors.newFixedThreadPool(4);
    served = Files.createTempDirectory("virtsaga-it-http");
    UrlPolicy loopback = UrlPolicy.denyAll().withAllowedHosts(Set.of("127.0.0.1"));
    loopbackAllowed =
        new LibvirtProvider(LibvirtSettings.of(URI).withUrlPolicy(loopback), executor);
    defaultPolicy = new LibvirtProvider(LibvirtSettings.of(URI), executor);
    try {
      loopbackAllowed.validate().await().atMost(Duration.ofSeconds(10));
      probe = new Connect(URI);
    } catch (RuntimeException | LibvirtException e) {
      Assumptions.abort("no libvirt daemon at " + URI + ": " + e.getMessage());
    }
  }

  @AfterAll
  static void disconnect() throws LibvirtException, IOException {
    if (loopbackAllowed != null) {
      loopbackAllowed.close();
      defaultPolicy.close();
    }
    executor.shutdownNow();
    if (probe != null) {
      probe.close();
    }
    try (Stream<Path> files = Files.walk(served)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(handlers);
    server.start();
  }

  @AfterEach
  void cleanUp() throws LibvirtException {
    server.stop(0);
    handlers.shutdownNow();
    for (String vmId : vms) {
      call(loopbackAllowed.delete(vmId, null));
    }
    StoragePool pool = probe.storagePoolLookupByName(LibvirtSettings.DEFAULT_POOL);
    pool.refresh(0);
    for (String name : imports) {
      pool.storageVolLookupByName(DomainXml.importVolumeName(name)).delete(0);
    }
  }

  /**
   * {@code /images/<file>}: PUT stores the body (SHA-256 computed while it streams in), GET serves
   * it; {@code /unavailable/…}: 503 to everything.
   */
  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    String path = exchange.getRequestURI().getPath();
    try (exchange;
        InputStream in = exchange.getRequestBody()) {
      if (path.startsWith("/unavailable/")) {
        in.transferTo(OutputStream.nullOutputStream());
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      Path file = served.resolve(Path.of(path).getFileName().toString());
      if ("PUT".equals(exchange.getRequestMethod())) {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (DigestInputStream digesting = new DigestInputStream(in, sha)) {
          Files.copy(digesting, file);
        }
        receivedSha.put(path, HexFormat.of().formatHex(sha.digest()));
        receivedChecksumHeader.put(
            path, String.valueOf(exchange.getRequestHeaders().getFirst("X-Checksum-SHA256")));
        exchange.sendResponseHeaders(201, -1);
      } else if (Files.isRegularFile(file)) {
        exchange.sendResponseHeaders(200, Files.size(file));
        try (OutputStream out = exchange.getResponseBody()) {
          Files.copy(file, out);
        }
      } else {
        exchange.sendResponseHeaders(404, -1);
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private static <T> T call(Uni<T> uni) {
    return uni.await().atMost(CALL);
  }

  private static ProviderException failureOf(Uni<?> uni) {
    try {
      uni.await().atMost(CALL);
    } catch (ProviderException e) {
      return e;
    }
    throw new AssertionError("expected a ProviderException");
  }

  private String vm(String name, String image) {
    String vmId = "it-" + UUID.randomUUID();
    vms.add(vmId);
    call(loopbackAllowed.create(new CreateRequest(vmId, "op-it", name, 1, 64, 1, image, Map.of())));
    return vmId;
  }

  private static String importName() {
    return "it-http-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aDiskExportedToAnAllowedHostIsImportedBackWithTheSameSha256() {
    // Given: a VM and a policy that allows 127.0.0.1 explicitly
    String source = vm("it-http-src", null);
    String target = url("/images/" + source + ".qcow2");

    // When
    DiskTransfer export =
        call(
            loopbackAllowed.exportDisk(
                new DiskExportRequest(source, null, null, null, target, DiskFormat.QCOW2)));
    String name = importName();
    DiskTransfer imported =
        call(
            loopbackAllowed.importDisk(
                new DiskImportRequest(name, target, DiskFormat.QCOW2, export.sha256())));
    imports.add(name);

    // Then
    String path = "/images/" + source + ".qcow2";
    assertThat(receivedSha.get(path)).isEqualTo(export.sha256());
    assertThat(receivedChecksumHeader.get(path)).isEqualTo(export.sha256());
    assertThat(export.location()).isEqualTo(target);
    assertThat(imported.sha256()).isEqualTo(export.sha256());
    assertThat(imported.created()).isTrue();
    assertThat(Path.of(imported.location())).exists();
    String vmId = vm("it-from-http", imported.location());
    assertThat(call(loopbackAllowed.disks(vmId, null)).get(0).backingFile())
        .isEqualTo(imported.location());
  }

  @Test
  void aWrongChecksumKeepsNothing() throws LibvirtException {
    // Given
    String source = vm("it-http-sum", null);
    String target = url("/images/" + source + ".qcow2");
    call(
        loopbackAllowed.exportDisk(
            new DiskExportRequest(source, null, null, null, target, DiskFormat.QCOW2)));
    String name = importName();

    // When
    ProviderException e =
        failureOf(
            loopbackAllowed.importDisk(
                new DiskImportRequest(name, target, DiskFormat.QCOW2, "0".repeat(64))));

    // Then
    assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC);
    StoragePool pool = probe.storagePoolLookupByName(LibvirtSettings.DEFAULT_POOL);
    pool.refresh(0);
    assertThat(pool.listVolumes())
        .doesNotContain(DomainXml.importVolumeName(name))
        .noneMatch(v -> v.startsWith(".download-") || v.startsWith(".import-"));
  }

  @Test
  void theDefaultPolicyRefusesLoopbackBeforeAnyRequest() {
    // Given
    String vmId = vm("it-http-refused", null);

    // When
    ProviderException imported =
        failureOf(
            defaultPolicy.importDisk(
                new DiskImportRequest(
                    importName(), url("/images/x.qcow2"), DiskFormat.QCOW2, "0".repeat(64))));
    ProviderException exported =
        failureOf(
            defaultPolicy.exportDisk(
                new DiskExportRequest(
                    vmId, null, null, null, url("/images/x.qcow2"), DiskFormat.QCOW2)));

    // Then
    assertThat(imported.type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(exported.type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(imported.getMessage()).contains("non-public address");
    assertThat(requests).hasValue(0);
  }

  @Test
  void aServerAnswering503IsRetryable() {
    // Given
    String vmId = vm("it-http-503", null);

    // When
    ProviderException exported =
        failureOf(
            loopbackAllowed.exportDisk(
                new DiskExportRequest(
                    vmId, null, null, null, url("/unavailable/x.qcow2"), DiskFormat.QCOW2)));
    ProviderException imported =
        failureOf(
            loopbackAllowed.importDisk(
                new DiskImportRequest(
                    importName(), url("/unavailable/x.qcow2"), DiskFormat.QCOW2, "0".repeat(64))));

    // Then
    assertThat(exported.type()).isEqualTo(ErrorType.UNAVAILABLE);
    assertThat(imported.type()).isEqualTo(ErrorType.UNAVAILABLE);
    assertThat(exported.isRetryable()).isTrue();
    assertThat(requests).hasValue(2);
  }
}
