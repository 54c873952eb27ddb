package dev.virtsaga.providers.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The XML the capability methods read and write. */
class DomainXmlCapabilitiesTest {
  private static final String DOMAIN =
      """
      <domain type='qemu'>
        <name>x</name>
        <memory unit='KiB'>65536</memory>
        <currentMemory unit='KiB'>65536</currentMemory>
        <memoryBacking><nosharepages/></memoryBacking>
        <vcpu placement='static' current='1'>2</vcpu>
        <devices>
          <disk type='volume' device='disk'>
            <driver name='qemu' type='qcow2'/>
            <source pool='virtsaga' volume='virtsaga-u.qcow2'/>
            <target dev='vda' bus='virtio'/>
          </disk>
          <disk type='file' device='cdrom'><source file='/iso'/><target dev='hdc'/></disk>
          <disk type='file' device='disk'>
            <driver name='qemu' type='raw'/>
            <source file='/var/x.img'/><target dev='vdc' bus='virtio'/>
          </disk>
        </devices>
      </domain>
      """;

  @Test
  void sizesAreReadAndReplacedWithoutTouchingSimilarElements() {
    // When
    String resized = DomainXml.withSizes(DOMAIN, new DomainXml.Sizes(4, 131072));

    // Then
    assertThat(DomainXml.sizes(DOMAIN)).isEqualTo(new DomainXml.Sizes(2, 65536));
    assertThat(DomainXml.sizes(resized)).isEqualTo(new DomainXml.Sizes(4, 131072));
    assertThat(resized)
        .contains("<currentMemory unit='KiB'>131072</currentMemory>")
        .contains("<memoryBacking><nosharepages/></memoryBacking>")
        .contains("<vcpu>4</vcpu>");
    assertThat(DomainXml.sizes("<domain><memory unit='MiB'>64</memory><vcpu>1</vcpu></domain>"))
        .isEqualTo(new DomainXml.Sizes(1, 65536));
  }

  @Test
  void disksAreListedWithoutCdroms() {
    // When
    List<DomainXml.DiskRef> disks = DomainXml.disks(DOMAIN);

    // Then
    assertThat(disks)
        .containsExactly(
            new DomainXml.DiskRef("virtsaga", "virtsaga-u.qcow2", null, "vda", "qcow2"),
            new DomainXml.DiskRef(null, null, "/var/x.img", "vdc", "raw"));
    assertThat(DomainXml.freeTarget(disks)).isEqualTo("vdb");
  }

  @Test
  void diskIdsMapToVolumesAndBack() {
    // Given
    String root = DomainXml.volumeName("vm-1", DomainXml.ROOT_DISK);
    String data = DomainXml.volumeName("vm-1", "data");

    // Then
    assertThat(root).isEqualTo(DomainXml.volumeName("vm-1"));
    assertThat(DomainXml.diskIdOf("vm-1", root)).contains("root");
    assertThat(DomainXml.diskIdOf("vm-1", data)).contains("data");
    assertThat(DomainXml.diskIdOf("vm-2", data)).isEmpty();
    assertThat(DomainXml.isVolumeOf("vm-1", data)).isTrue();
    assertThat(DomainXml.isVolumeOf("vm-2", data)).isFalse();
  }

  @Test
  void aSnapshotIsWrittenEscapedAndReadBack() {
    // Given
    String xml =
        """
        <domainsnapshot>
          <name>s2</name><description>a &lt;b&gt;</description>
          <state>running</state><parent><name>s1</name></parent>
          <creationTime>1700000000</creationTime>
          <memory snapshot='internal'/>
          <domain type='qemu'><memory unit='KiB'>131072</memory><vcpu>3</vcpu></domain>
        </domainsnapshot>
        """;

    // Then
    assertThat(DomainXml.snapshot("s1", "a <b> & 'c'"))
        .isEqualTo(
            "<domainsnapshot><name>s1</name><description>a &lt;b&gt; &amp; &apos;c&apos;"
                + "</description></domainsnapshot>");
    assertThat(DomainXml.parseSnapshot(xml))
        .isEqualTo(new DomainXml.SnapshotXml("s2", "a <b>", 1700000000L, "running", "s1"));
    assertThat(DomainXml.snapshotSizes(xml)).isEqualTo(new DomainXml.Sizes(3, 131072));
  }

  @Test
  void theDirectoryOfAPoolIsRead() {
    assertThat(DomainXml.poolPath(DomainXml.dirPool("p", "/var/lib/p"))).contains("/var/lib/p");
    assertThat(DomainXml.poolPath("<pool/>")).isEmpty();
  }
}
