package dev.virtsaga.providers.spi.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.Migration;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.TaskState;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Capability#MIGRATION}: a VM moves to another host, the task reports progress and ends
 * SUCCEEDED, a repeated migrate is harmless, cancel of a finished task is a no-op.
 */
public abstract class MigrationConformanceTest extends CapabilityConformanceTest {
  /** How long one migration of a small test VM may take. */
  protected static final Duration MIGRATION = Duration.ofMinutes(2);

  /** The target host, as the adapter names it in {@link Migration#migrate}. */
  protected abstract String targetHost();

  /** The same adapter connected to the target host (to see migrated VMs and clean them up). */
  protected abstract Provider targetProvider();

  /**
   * The host the VM runs on, for an adapter that reaches every host through one endpoint (a
   * vCenter): its {@link #targetProvider()} is {@link #provider()} itself, and a migrated VM stays
   * visible there. Adapters with one connection per host need not override it.
   */
  protected String hostOf(String vmId) {
    throw new UnsupportedOperationException("hostOf is needed when targetProvider() is provider()");
  }

  @Override
  protected final Capability capability() {
    return Capability.MIGRATION;
  }

  @AfterEach
  void deleteOnTheTarget() {
    for (String vmId : createdVmIds()) {
      targetProvider().delete(vmId, null).await().atMost(callTimeout());
    }
  }

  private Migration migration() {
    return as(Migration.class);
  }

  /** Polls the task until it ends; returns every state seen. */
  private List<TaskState> awaitEnd(String taskRef) {
    List<TaskState> seen = new CopyOnWriteArrayList<>();
    await()
        .atMost(MIGRATION)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              TaskState s = call(migration().migrationStatus(taskRef));
              seen.add(s);
              return s.isComplete();
            });
    return seen;
  }

  @Test
  void aRunningVmMovesToTheTargetAndTheTaskSucceeds() {
    // Given
    String vmId = newVm("conf-migrate");
    call(provider.power(vmId, null, PowerOp.ON));

    // When
    String taskRef = call(migration().migrate(vmId, null, targetHost()));
    List<TaskState> states = awaitEnd(taskRef);

    // Then
    assertThat(states.get(states.size() - 1).phase()).isEqualTo(TaskState.Phase.SUCCEEDED);
    assertThat(states).allSatisfy(s -> assertThat(s.phase()).isNotEqualTo(TaskState.Phase.FAILED));
    assertThat(call(targetProvider().describe(vmId, null)).power()).isEqualTo(PowerState.ON);
    if (targetProvider() == provider) {
      assertThat(hostOf(vmId)).isEqualTo(targetHost());
    } else {
      assertThat(describe(vmId).exists()).isFalse();
    }
    assertThat(call(provider.taskStatus(taskRef)).phase()).isEqualTo(TaskState.Phase.SUCCEEDED);
  }

  @Test
  void migratingAVmThatIsAlreadyThereSucceedsAtOnceAndCancelOfAFinishedTaskIsANoOp() {
    // Given
    String vmId = newVm("conf-migrate-twice");
    String first = call(migration().migrate(vmId, null, targetHost()));
    awaitEnd(first);

    // When
    String again = call(migration().migrate(vmId, null, targetHost()));
    call(migration().cancelMigration(first));

    // Then
    assertThat(call(migration().migrationStatus(again)).phase())
        .isEqualTo(TaskState.Phase.SUCCEEDED);
    assertThat(call(migration().migrationStatus(first)).phase())
        .isEqualTo(TaskState.Phase.SUCCEEDED);
    assertThat(call(targetProvider().describe(vmId, null)).power()).isEqualTo(PowerState.OFF);
  }

  @Test
  void unknownVmsAndTasksAreNotFound() {
    assertThat(errorOf(migration().migrate(UUID.randomUUID().toString(), null, targetHost())))
        .isEqualTo(ErrorType.NOT_FOUND);
    assertThat(errorOf(migration().migrationStatus("no-such-task"))).isEqualTo(ErrorType.NOT_FOUND);
    assertThat(errorOf(migration().cancelMigration("no-such-task"))).isEqualTo(ErrorType.NOT_FOUND);
  }
}
