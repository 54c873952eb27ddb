package dev.virtsaga.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.model.VmState;
import dev.virtsaga.gateway.ProjectProgress.Phase;
import org.junit.jupiter.api.Test;

class ProjectProgressTest {

  @Test
  void aVmNotSubmittedIsNothingElse() {
    assertThat(Phase.of(false, null, null)).isEqualTo(Phase.NOT_SUBMITTED);
  }

  @Test
  void aFailedOrRejectedCreateOrAFailedVmIsFailed() {
    assertThat(Phase.of(true, VmState.PENDING, OperationStatus.FAILED)).isEqualTo(Phase.FAILED);
    assertThat(Phase.of(true, null, OperationStatus.REJECTED)).isEqualTo(Phase.FAILED);
    assertThat(Phase.of(true, VmState.FAILED, OperationStatus.SUCCEEDED)).isEqualTo(Phase.FAILED);
  }

  @Test
  void aRunningVmIsRunningEvenBeforeItsCreateIsReportedDone() {
    assertThat(Phase.of(true, VmState.RUNNING, OperationStatus.SUCCEEDED)).isEqualTo(Phase.RUNNING);
    assertThat(Phase.of(true, VmState.RUNNING, OperationStatus.ACCEPTED)).isEqualTo(Phase.RUNNING);
  }

  @Test
  void anUnfinishedCreateOrATransitionalVmIsInProgress() {
    assertThat(Phase.of(true, null, OperationStatus.ACCEPTED)).isEqualTo(Phase.IN_PROGRESS);
    assertThat(Phase.of(true, VmState.PROVISIONING, OperationStatus.RUNNING))
        .isEqualTo(Phase.IN_PROGRESS);
    assertThat(Phase.of(true, VmState.STARTING, null)).isEqualTo(Phase.IN_PROGRESS);
  }

  @Test
  void aMadeVmThatIsNotRunningNowIsOther() {
    assertThat(Phase.of(true, VmState.STOPPED, OperationStatus.SUCCEEDED)).isEqualTo(Phase.OTHER);
    assertThat(Phase.of(true, null, OperationStatus.SUCCEEDED)).isEqualTo(Phase.OTHER);
    assertThat(Phase.of(true, null, null)).isEqualTo(Phase.OTHER);
  }
}
