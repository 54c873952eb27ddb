package dev.virtsaga.providers.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.providers.spi.CloneRequest;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.DiskExportRequest;
import dev.virtsaga.providers.spi.DiskFormat;
import dev.virtsaga.providers.spi.DiskImportRequest;
import dev.virtsaga.providers.spi.DiskInfo;
import dev.virtsaga.providers.spi.DiskTransfer;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.ReconfigureRequest;
import dev.virtsaga.providers.spi.ReconfigureResult;
import dev.virtsaga.providers.spi.UrlPolicy;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * What the kit cannot say generically about disks on real QEMU: live disk changes, the limits of
 * internal qcow2 snapshots, clones and exports of running VMs, imported disks as base images.
 */
class LibvirtQemuDisksIT {
  private static final String URI = System.getProperty("virtsaga.libvirt.it-uri", "qemu:///system");
  private static final Duration CALL = Duration.ofSeconds(60);
  private static final long GIB = 1L << 30;

  private static ExecutorService executor;
  private static LibvirtProvider libvirt;
  private static Connect probe;
  private static Path transfers;

  private final List<String> vms = new ArrayList<>();
  private final List<String> imports = new ArrayList<>();

  @BeforeAll
  static void connect() throws IOException {
    executor = Executors.newFixedThreadPool(4);
    transfers = Files.createTempDirectory("virtsaga-it-disks");
    libvirt =
        new LibvirtProvider(
            LibvirtSettings.of(URI).withUrlPolicy(UrlPolicy.files(transfers)), executor);
    try {
      libvirt.validate().await().atMost(Duration.ofSeconds(10));
      probe = new Connect(URI);
    } catch (RuntimeException | LibvirtException e) {
      Assumptions.abort("no libvirt daemon at " + URI + ": " + e.getMessage());
    }
  }

  @AfterAll
  static void disconnect() throws LibvirtException, IOException {
    if (libvirt != null) {
      libvirt.close();
    }
    executor.shutdownNow();
    if (probe != null) {
      probe.close();
    }
    try (Stream<Path> files = Files.walk(transfers)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @AfterEach
  void cleanUp() throws LibvirtException {
    for (String vmId : vms) {
      call(libvirt.delete(vmId, null));
    }
    StoragePool pool = probe.storagePoolLookupByName(LibvirtSettings.DEFAULT_POOL);
    pool.refresh(0);
    for (String name : imports) {
      pool.storageVolLookupByName(DomainXml.importVolumeName(name)).delete(0);
    }
  }

  private static <T> T call(Uni<T> uni) {
    return uni.await().atMost(CALL);
  }

  private static ErrorType errorOf(Uni<?> uni) {
    try {
      uni.await().atMost(CALL);
    } catch (ProviderException e) {
      return e.type();
    }
    throw new AssertionError("expected a ProviderException");
  }

  private String newVmId() {
    String vmId = "it-" + UUID.randomUUID();
    vms.add(vmId);
    return vmId;
  }

  private String vm(String name, String image) {
    String vmId = newVmId();
    call(libvirt.create(new CreateRequest(vmId, "op-it", name, 1, 64, 1, image, Map.of())));
    return vmId;
  }

  private DiskInfo disk(String vmId, String diskId) {
    return call(libvirt.disks(vmId, null)).stream()
        .filter(d -> d.diskId().equals(diskId))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aRunningVmGetsADiskAndGrowsIt() throws LibvirtException {
    // Given
    String vmId = vm("it-live-disk", null);
    call(libvirt.power(vmId, null, PowerOp.ON));

    // When
    ReconfigureResult added =
        call(libvirt.reconfigure(vmId, null, ReconfigureRequest.disk("data", 1)));
    ReconfigureResult grown =
        call(libvirt.reconfigure(vmId, null, ReconfigureRequest.disk("data", 2)));

    // Then
    assertThat(added.changed()).isTrue();
    assertThat(grown.changed()).isTrue();
    assertThat(disk(vmId, "data").virtualSizeBytes()).isEqualTo(2 * GIB);
    String live = probe.domainLookupByUUIDString(DomainXml.uuidOf(vmId).toString()).getXMLDesc(0);
    assertThat(live.contains(DomainXml.volumeName(vmId, "data")))
        .as("attached live unless a restart is required")
        .isNotEqualTo(added.restartRequired());
    assertThat(call(libvirt.describe(vmId, null)).power()).isEqualTo(PowerState.ON);
  }

  @Test
  void aDiskWithInternalSnapshotsCannotGrowAndIsLeftAlone() {
    // Given
    String vmId = vm("it-snap-grow", null);
    call(libvirt.createSnapshot(vmId, null, "s1", null));

    // When / Then
    assertThat(errorOf(libvirt.reconfigure(vmId, null, ReconfigureRequest.disk("root", 2))))
        .isEqualTo(ErrorType.NOT_SUPPORTED);
    assertThat(disk(vmId, "root").virtualSizeBytes()).isEqualTo(GIB);
    assertThat(disk(vmId, "root").snapshots()).containsExactly("s1");
  }

  @Test
  void aRunningVmIsClonedFromASnapshotButNotDirectly() {
    // Given
    String source = vm("it-clone-running", null);
    call(libvirt.power(source, null, PowerOp.ON));
    call(libvirt.createSnapshot(source, null, "live", null));
    String direct = newVmId();
    String fromSnapshot = newVmId();

    // When / Then
    assertThat(
            errorOf(
                libvirt.cloneVm(
                    new CloneRequest(source, null, null, direct, "op", "direct", Map.of()))))
        .isEqualTo(ErrorType.CONFLICT);
    call(
        libvirt.cloneVm(
            new CloneRequest(source, null, "live", fromSnapshot, "op", "from-snap", Map.of())));
    DiskInfo root = disk(fromSnapshot, "root");
    assertThat(root.snapshots()).isEmpty();
    assertThat(root.backingFile()).isNull();
    call(libvirt.power(fromSnapshot, null, PowerOp.ON));
    assertThat(call(libvirt.describe(fromSnapshot, null)).power()).isEqualTo(PowerState.ON);
  }

  @Test
  void aRunningVmIsExportedFromASnapshotButNotDirectly() {
    // Given
    String vmId = vm("it-export-running", null);
    call(libvirt.power(vmId, null, PowerOp.ON));
    call(libvirt.createSnapshot(vmId, null, "s1", null));
    String target = transfers.resolve(vmId + ".vmdk").toUri().toString();

    // When / Then
    assertThat(
            errorOf(
                libvirt.exportDisk(
                    new DiskExportRequest(vmId, null, null, null, target, DiskFormat.VMDK))))
        .isEqualTo(ErrorType.CONFLICT);
    DiskTransfer export =
        call(
            libvirt.exportDisk(
                new DiskExportRequest(vmId, null, "root", "s1", target, DiskFormat.VMDK)));
    assertThat(export.sha256()).isEqualTo(QemuImg.sha256(transfers.resolve(vmId + ".vmdk")));
  }

  @Test
  void anImportedDiskIsABaseImageForNewVms() throws IOException {
    // Given: an image exported from one VM and imported under a name
    String source = vm("it-import-src", null);
    Path file = transfers.resolve(source + ".raw");
    DiskTransfer export =
        call(
            libvirt.exportDisk(
                new DiskExportRequest(
                    source, null, null, null, file.toUri().toString(), DiskFormat.RAW)));
    String name = "it-" + UUID.randomUUID().toString().substring(0, 8);
    imports.add(name);
    DiskTransfer imported =
        call(
            libvirt.importDisk(
                new DiskImportRequest(
                    name, file.toUri().toString(), DiskFormat.RAW, export.sha256())));

    // When
    String vmId = vm("it-from-import", imported.location());

    // Then
    assertThat(disk(vmId, "root").backingFile()).isEqualTo(imported.location());
    assertThat(imported.format()).isEqualTo(DiskFormat.QCOW2);
    call(libvirt.delete(vmId, null));
    assertThat(Path.of(imported.location())).exists();
    Files.delete(file);
  }

  @Test
  void anImageReferringToOtherFilesIsNotImported()
      throws IOException, InterruptedException, LibvirtException {
    // Given: a qcow2 whose backing file is a file of this machine
    Path secret = transfers.resolve("secret.raw");
    Files.write(secret, new byte[1 << 20]);
    Path overlay = transfers.resolve("overlay.qcow2");
    qemuImg("create", "-f", "qcow2", "-b", secret.toString(), "-F", "raw", overlay.toString());
    String name = "it-" + UUID.randomUUID().toString().substring(0, 8);

    // When
    ErrorType error =
        errorOf(
            libvirt.importDisk(
                new DiskImportRequest(
                    name, overlay.toUri().toString(), DiskFormat.QCOW2, QemuImg.sha256(overlay))));

    // Then
    assertThat(error).isEqualTo(ErrorType.INVALID_SPEC);
    StoragePool pool = probe.storagePoolLookupByName(LibvirtSettings.DEFAULT_POOL);
    pool.refresh(0);
    assertThat(pool.listVolumes()).doesNotContain(DomainXml.importVolumeName(name));
  }

  /** A qcow2 image of the given virtual size (a few hundred KiB on disk), imported by name. */
  private DiskTransfer importImage(String name, String size)
      throws IOException, InterruptedException {
    Path image = transfers.resolve(name + ".qcow2");
    qemuImg("create", "-f", "qcow2", image.toString(), size);
    return call(
        libvirt.importDisk(
            new DiskImportRequest(
                name, image.toUri().toString(), DiskFormat.QCOW2, QemuImg.sha256(image))));
  }

  private static List<String> volumes() throws LibvirtException {
    StoragePool pool = probe.storagePoolLookupByName(LibvirtSettings.DEFAULT_POOL);
    pool.refresh(0);
    return List.of(pool.listVolumes());
  }

  @Test
  void theImportOfAVmsRootDiskIsDeletedWithTheVm()
      throws IOException, InterruptedException, LibvirtException {
    // Given: a VM created on the import made for it
    String vmId = newVmId();
    DiskTransfer imported = importImage(DiskImportRequest.nameForVm(vmId), "64M");
    call(
        libvirt.create(
            new CreateRequest(
                vmId, "op-it", "it-own-import", 1, 64, 1, imported.location(), Map.of())));
    assertThat(disk(vmId, "root").backingFile()).isEqualTo(imported.location());
    String importVolume = DomainXml.importVolumeName(DiskImportRequest.nameForVm(vmId));
    assertThat(volumes()).contains(importVolume, DomainXml.volumeName(vmId));

    // When
    call(libvirt.delete(vmId, null));
    call(libvirt.delete(vmId, null));

    // Then
    assertThat(volumes())
        .doesNotContain(importVolume)
        .noneMatch(v -> DomainXml.isVolumeOf(vmId, v));
    assertThat(Path.of(imported.location())).doesNotExist();
  }

  @Test
  void aBaseImageBiggerThanTheRequestedDiskIsNotCutOff() throws IOException, InterruptedException {
    // Given: a 2 GiB base image
    String name = "it-" + UUID.randomUUID().toString().substring(0, 8);
    DiskTransfer imported = importImage(name, "2G");
    imports.add(name);
    String vmId = newVmId();
    String sized = newVmId();

    // When: 1 GiB asked for, and no size at all
    call(
        libvirt.create(
            new CreateRequest(vmId, "op-it", "it-big-base", 1, 64, 1, imported.location(), null)));
    call(
        libvirt.create(
            new CreateRequest(sized, "op-it", "it-no-size", 1, 64, 0, imported.location(), null)));

    // Then
    assertThat(disk(vmId, "root").virtualSizeBytes()).isEqualTo(2 * GIB);
    assertThat(disk(sized, "root").virtualSizeBytes()).isEqualTo(2 * GIB);
    assertThat(disk(sized, "root").backingFile()).isEqualTo(imported.location());
  }

  private static void qemuImg(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("qemu-img"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
  }
}
