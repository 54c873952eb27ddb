package dev.virtsaga.providers.spi.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.DiskExportRequest;
import dev.virtsaga.providers.spi.DiskFormat;
import dev.virtsaga.providers.spi.DiskImportRequest;
import dev.virtsaga.providers.spi.DiskInfo;
import dev.virtsaga.providers.spi.DiskTransfer;
import dev.virtsaga.providers.spi.Disks;
import dev.virtsaga.providers.spi.ErrorType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Capability#DISK_EXPORT_IMPORT}: disk info, export with SHA-256 in each format, import with
 * a verified SHA-256, and the URL allow-list.
 */
public abstract class DisksConformanceTest extends CapabilityConformanceTest {
  private static final long GIB = 1L << 30;

  private final List<String> imported = new ArrayList<>();

  /** A directory the adapter's URL policy allows for export and import. */
  protected abstract Path allowedDirectory();

  /** Removes a disk made by an import (not part of the SPI). */
  protected abstract void deleteImportedDisk(String name);

  @Override
  protected final Capability capability() {
    return Capability.DISK_EXPORT_IMPORT;
  }

  @Override
  protected long diskGiB() {
    return 1;
  }

  @AfterEach
  void deleteImported() {
    imported.forEach(this::deleteImportedDisk);
  }

  private Disks disks() {
    return as(Disks.class);
  }

  private String importName() {
    String name = "conf-" + UUID.randomUUID().toString().substring(0, 8);
    imported.add(name);
    return name;
  }

  private String target(String file) {
    return allowedDirectory().resolve(file).toUri().toString();
  }

  @Test
  void disksListsTheBootableRootDiskWithItsSizes() {
    // Given
    String vmId = newVm("conf-disks");

    // When
    List<DiskInfo> disks = call(disks().disks(vmId, null));

    // Then
    assertThat(disks).isNotEmpty();
    DiskInfo root = disks.get(0);
    assertThat(root.bootable()).isTrue();
    assertThat(root.virtualSizeBytes()).isEqualTo(diskGiB() * GIB);
    assertThat(root.actualSizeBytes()).isBetween(0L, diskGiB() * GIB);
    assertThat(root.format()).isNotNull();
    assertThat(root.path()).isNotBlank();
  }

  @ParameterizedTest
  @EnumSource(DiskFormat.class)
  void exportWritesTheDiskInTheFormatAndReturnsItsSha256(DiskFormat format) {
    // Given
    String vmId = newVm("conf-export");
    Path file = allowedDirectory().resolve(vmId + "." + format.id());

    // When
    DiskTransfer export =
        call(
            disks()
                .exportDisk(
                    new DiskExportRequest(
                        vmId, null, null, null, file.toUri().toString(), format)));

    // Then
    try {
      assertThat(file).exists();
      assertThat(export.format()).isEqualTo(format);
      assertThat(export.sha256()).isEqualTo(sha256(file));
      assertThat(export.sizeBytes()).isEqualTo(size(file));
    } finally {
      deleteQuietly(file);
    }
  }

  @Test
  void aRepeatedExportReplacesTheTargetWithAWholeImage() {
    // Given
    String vmId = newVm("conf-export-twice");
    Path file = allowedDirectory().resolve(vmId + ".qcow2");
    DiskExportRequest request =
        new DiskExportRequest(vmId, null, null, null, file.toUri().toString(), DiskFormat.QCOW2);
    call(disks().exportDisk(request));

    // When
    DiskTransfer again = call(disks().exportDisk(request));

    // Then
    try {
      assertThat(again.sha256()).isEqualTo(sha256(file));
      try (var listing = Files.list(allowedDirectory())) {
        assertThat(listing.map(p -> p.getFileName().toString()))
            .filteredOn(n -> n.contains(vmId))
            .containsExactly(vmId + ".qcow2");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteQuietly(file);
    }
  }

  @Test
  void exportOutsideTheAllowList() {
    // Given
    String vmId = newVm("conf-export-refused");

    // When / Then
    for (String url :
        List.of(
            "file:///etc/virtsaga-conf.qcow2",
            "http://127.0.0.1/upload",
            "http://169.254.169.254/x",
            "ftp://example.com/x")) {
      assertThat(
              errorOf(
                  disks()
                      .exportDisk(
                          new DiskExportRequest(vmId, null, null, null, url, DiskFormat.QCOW2))))
          .as(url)
          .isEqualTo(ErrorType.INVALID_SPEC);
    }
    assertThat(Path.of("/etc/virtsaga-conf.qcow2")).doesNotExist();
  }

  @Test
  void importVerifiesTheSha256AndIsIdempotentByName() {
    // Given: an image exported from a VM
    String vmId = newVm("conf-import");
    Path file = allowedDirectory().resolve(vmId + ".qcow2");
    DiskTransfer export =
        call(
            disks()
                .exportDisk(
                    new DiskExportRequest(
                        vmId, null, null, null, file.toUri().toString(), DiskFormat.QCOW2)));
    String name = importName();
    DiskImportRequest request =
        new DiskImportRequest(name, file.toUri().toString(), DiskFormat.QCOW2, export.sha256());

    try {
      // When
      DiskTransfer first = call(disks().importDisk(request));
      DiskTransfer again = call(disks().importDisk(request));

      // Then
      assertThat(first.created()).isTrue();
      assertThat(first.sha256()).isEqualTo(export.sha256());
      assertThat(first.location()).isNotBlank();
      assertThat(again.created()).isFalse();
      assertThat(again.location()).isEqualTo(first.location());
    } finally {
      deleteQuietly(file);
    }
  }

  @Test
  void anImportWithTheWrongSha256IsInvalidAndKeepsNothing() {
    // Given
    String vmId = newVm("conf-import-bad");
    Path file = allowedDirectory().resolve(vmId + ".raw");
    DiskTransfer export =
        call(
            disks()
                .exportDisk(
                    new DiskExportRequest(
                        vmId, null, null, null, file.toUri().toString(), DiskFormat.RAW)));
    String name = importName();
    String wrong = "0".repeat(64);

    try {
      // When / Then
      assertThat(
              errorOf(
                  disks()
                      .importDisk(
                          new DiskImportRequest(
                              name, file.toUri().toString(), DiskFormat.RAW, wrong))))
          .isEqualTo(ErrorType.INVALID_SPEC);
      DiskTransfer right =
          call(
              disks()
                  .importDisk(
                      new DiskImportRequest(
                          name, file.toUri().toString(), DiskFormat.RAW, export.sha256())));
      assertThat(right.created()).as("nothing was kept from the failed import").isTrue();
    } finally {
      deleteQuietly(file);
    }
  }

  @Test
  void importFromOutsideTheAllowListIsInvalid() {
    for (String url : List.of("file:///etc/passwd", "http://10.0.0.1/x.qcow2")) {
      assertThat(
              errorOf(
                  disks()
                      .importDisk(
                          new DiskImportRequest(
                              importName(), url, DiskFormat.QCOW2, "a".repeat(64)))))
          .as(url)
          .isEqualTo(ErrorType.INVALID_SPEC);
    }
  }

  @Test
  void theDisksOfAnUnknownVmAreNotFound() {
    assertThat(errorOf(disks().disks(UUID.randomUUID().toString(), null)))
        .isEqualTo(ErrorType.NOT_FOUND);
    assertThat(
            errorOf(
                disks()
                    .exportDisk(
                        new DiskExportRequest(
                            UUID.randomUUID().toString(),
                            null,
                            null,
                            null,
                            target("missing.qcow2"),
                            DiskFormat.QCOW2))))
        .isEqualTo(ErrorType.NOT_FOUND);
  }

  /** SHA-256 of a file, lower-case hex. */
  protected static String sha256(Path file) {
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
      throw new IllegalStateException(e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // best effort: the directory is the test's
    }
  }
}
