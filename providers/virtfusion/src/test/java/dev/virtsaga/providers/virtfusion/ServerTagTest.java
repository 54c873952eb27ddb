package dev.virtsaga.providers.virtfusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The vmId tag in server names. */
class ServerTagTest {

  @Test
  void aTaggedNameGivesItsVmIdBack() {
    // When
    String name = ServerTag.name("web 1", "3f2c-11");

    // Then
    assertThat(name).isEqualTo("web 1 [vs:3f2c-11]");
    assertThat(ServerTag.vmIdOf(name)).contains("3f2c-11");
  }

  @Test
  void untaggedNamesHaveNoVmId() {
    assertThat(ServerTag.vmIdOf("vps-101")).isEmpty();
    assertThat(ServerTag.vmIdOf("web [vs:]")).isEmpty();
    assertThat(ServerTag.vmIdOf("web [vs:a b]")).isEmpty();
    assertThat(ServerTag.vmIdOf(null)).isEmpty();
  }

  @Test
  void displayNamesAreShortenedAndCannotForgeATag() {
    // When
    String name = ServerTag.name("x".repeat(300) + " [vs:other]", "mine");

    // Then
    assertThat(ServerTag.vmIdOf(name)).contains("mine");
    assertThat(name).hasSizeLessThanOrEqualTo(100 + " [vs:mine]".length());
  }

  @Test
  void vmIdsWithSpacesOrBracketsCannotBeTagged() {
    assertThatThrownBy(() -> ServerTag.name("a", "x y"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ServerTag.isTaggable("vm-" + "a".repeat(125))).isTrue();
    assertThat(ServerTag.isTaggable("a".repeat(129))).isFalse();
  }

  @Test
  void hostnamesAreOneDnsLabel() {
    assertThat(ServerTag.hostname("Web Server #1")).isEqualTo("web-server-1");
    assertThat(ServerTag.hostname("---")).isEqualTo("vm");
    assertThat(ServerTag.hostname("a".repeat(80))).hasSize(63);
  }
}
