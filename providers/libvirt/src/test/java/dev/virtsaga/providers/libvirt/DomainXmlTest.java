package dev.virtsaga.providers.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.providers.spi.CreateRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DomainXmlTest {

  @Test
  void theUuidOfAVmIsStableAndDistinct() {
    assertThat(DomainXml.uuidOf("vm-1")).isEqualTo(DomainXml.uuidOf("vm-1"));
    assertThat(DomainXml.uuidOf("vm-1")).isNotEqualTo(DomainXml.uuidOf("vm-2"));
  }

  @Test
  void domainNamesAreSafeBoundedAndUniquePerVm() {
    assertThat(DomainXml.domainName("web 1/<x>", "vm-1")).matches("web-1--x--[0-9a-f]{12}");
    assertThat(DomainXml.domainName("...", "vm-1")).matches("vm-[0-9a-f]{12}");
    assertThat(DomainXml.domainName("a".repeat(200), "vm-1")).hasSize(40 + 1 + 12);
    assertThat(DomainXml.domainName("same", "vm-1"))
        .isNotEqualTo(DomainXml.domainName("same", "vm-2"));
  }

  @Test
  void theTagRoundTripsAndIsEscaped() {
    // Given
    String xml = DomainXml.tag("vm-'1'&<", "op-\"2\"");

    // When / Then
    assertThat(DomainXml.parseTag(xml)).contains(new DomainXml.Tag("vm-'1'&<", "op-\"2\""));
    assertThat(DomainXml.parseTag("<vm id='v'/>")).contains(new DomainXml.Tag("v", null));
    assertThat(DomainXml.parseTag("<other id='v'/>")).isEmpty();
    assertThat(DomainXml.parseTag("<vm/>")).isEmpty();
    assertThat(DomainXml.parseTag("not xml")).isEmpty();
    assertThat(DomainXml.parseTag("<!DOCTYPE x [<!ENTITY e 'v'>]><vm id='&e;'/>")).isEmpty();
  }

  @Test
  void aQemuDomainGetsAcpiAConsoleAndItsRootVolume() {
    // Given
    CreateRequest r = new CreateRequest("vm-1", "op-1", "db", 2, 256, 1, null, Map.of());

    // When
    String xml = DomainXml.domain(r, DriverKind.QEMU, "virtsaga", "v.qcow2");

    // Then
    assertThat(xml)
        .contains("<domain type='qemu'>")
        .contains("<acpi/>")
        .contains("<source pool='virtsaga' volume='v.qcow2'/>")
        .contains("<memory unit='MiB'>256</memory>")
        .contains("<uuid>" + DomainXml.uuidOf("vm-1") + "</uuid>")
        .contains(DomainXml.tag("vm-1", "op-1"));
    assertThat(DomainXml.domain(r, DriverKind.TEST, "p", null))
        .contains("<domain type='test'>")
        .doesNotContain("<disk");
  }

  @Test
  void theVncPortIsReadFromALiveDefinition() {
    assertThat(
            DomainXml.vncPort(
                "<domain><devices><graphics type='vnc' port='5901' autoport='yes'/></devices></domain>"))
        .contains(5901);
    assertThat(
            DomainXml.vncPort(
                "<domain><devices><graphics type='vnc' port='-1'/></devices></domain>"))
        .isEmpty();
    assertThat(DomainXml.vncPort("<domain/>")).isEmpty();
  }

  @Test
  void driversAreKnownByTheirUriScheme() {
    assertThat(DriverKind.of("test:///default")).isEqualTo(DriverKind.TEST);
    assertThat(DriverKind.of("qemu:///system")).isEqualTo(DriverKind.QEMU);
    assertThat(DriverKind.of("qemu+ssh://root@host/system")).isEqualTo(DriverKind.QEMU);
    assertThatThrownBy(() -> DriverKind.of("lxc:///")).isInstanceOf(IllegalArgumentException.class);
  }
}
