package dev.virtsaga.gateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.gateway.rest.ActionRequest;
import dev.virtsaga.gateway.rest.CreateVmRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestFingerprintTest {

  @Test
  void equalRequestsHaveEqualFingerprintsWhateverTheLabelOrder() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");

    assertThat(CommandMapper.create(create("web", ab)).fingerprint())
        .isEqualTo(CommandMapper.create(create("web", ba)).fingerprint());
  }

  @Test
  void emptyLabelsAreNoLabels() {
    assertThat(CommandMapper.create(create("web", Map.of())).fingerprint())
        .isEqualTo(CommandMapper.create(create("web", null)).fingerprint());
  }

  @Test
  void anyDifferenceChangesTheFingerprint() {
    String web = CommandMapper.create(create("web", null)).fingerprint();

    assertThat(CommandMapper.create(create("db", null)).fingerprint()).isNotEqualTo(web);
    assertThat(
            CommandMapper.action("vm", CommandType.STOP, new ActionRequest(true, null))
                .fingerprint())
        .isNotEqualTo(
            CommandMapper.action("vm", CommandType.STOP, new ActionRequest(false, null))
                .fingerprint());
    assertThat(CommandMapper.action("vm", CommandType.STOP, null).fingerprint())
        .isEqualTo(CommandMapper.action("vm", CommandType.STOP, ActionRequest.NONE).fingerprint())
        .isNotEqualTo(CommandMapper.action("vm", CommandType.START, null).fingerprint())
        .isNotEqualTo(CommandMapper.action("vm2", CommandType.STOP, null).fingerprint());
    assertThat(CommandMapper.delete("vm").fingerprint())
        .isNotEqualTo(CommandMapper.action("vm", CommandType.STOP, null).fingerprint());
  }

  static CreateVmRequest create(String name, Map<String, String> labels) {
    return new CreateVmRequest(name, "libvirt", 2, 512L, 1L, null, labels, null);
  }
}
