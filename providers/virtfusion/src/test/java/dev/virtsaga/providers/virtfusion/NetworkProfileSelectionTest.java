package dev.virtsaga.providers.virtfusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.virtfusion.HypervisorGroup.NetworkProfile;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The request's profile, else the group's primary, else its default, else a clear error. */
class NetworkProfileSelectionTest {
  private static final NetworkProfile PUBLIC = new NetworkProfile(1, "Public", true, false);
  private static final NetworkProfile PRIVATE = new NetworkProfile(2, "Private", false, true);
  private static final NetworkProfile OTHER = new NetworkProfile(3, "Other", false, false);

  @Test
  void theRequestedProfileWinsWhenTheGroupHasIt() {
    HypervisorGroup g = new HypervisorGroup(1, "Prague", List.of(PUBLIC, PRIVATE));
    assertThat(CreatePlanner.networkProfile(g, Optional.of(2L))).isEqualTo(2);
  }

  @Test
  void elseThePrimaryElseTheDefault() {
    assertThat(
            CreatePlanner.networkProfile(
                new HypervisorGroup(1, "Prague", List.of(PRIVATE, PUBLIC)), Optional.empty()))
        .isEqualTo(1);
    assertThat(
            CreatePlanner.networkProfile(
                new HypervisorGroup(2, "Frankfurt", List.of(OTHER, PRIVATE)), Optional.empty()))
        .isEqualTo(2);
  }

  @Test
  void anUnknownProfileIsInvalidAndNamesTheGroup() {
    HypervisorGroup g = new HypervisorGroup(1, "Prague", List.of(PUBLIC, PRIVATE));
    assertThatThrownBy(() -> CreatePlanner.networkProfile(g, Optional.of(99L)))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC);
              assertThat(e.getMessage())
                  .contains("network profile 99")
                  .contains("Prague (1)")
                  .contains("1 Public (primary)");
            });
  }

  @Test
  void aGroupWithoutPrimaryOrDefaultNetworkIsAClearError() {
    HypervisorGroup lab = new HypervisorGroup(3, "Lab", List.of());
    assertThatThrownBy(() -> CreatePlanner.networkProfile(lab, Optional.empty()))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC);
              assertThat(e.getMessage())
                  .contains("Lab (3)")
                  .contains("no primary or default network")
                  .contains(Labels.NETWORK_PROFILE);
            });
    HypervisorGroup odd = new HypervisorGroup(4, "Odd", List.of(OTHER));
    assertThatThrownBy(() -> CreatePlanner.networkProfile(odd, Optional.empty()))
        .hasMessageContaining("3 Other");
  }
}
