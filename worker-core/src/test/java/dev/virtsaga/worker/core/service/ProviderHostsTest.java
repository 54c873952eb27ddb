package dev.virtsaga.worker.core.service;

import static dev.virtsaga.events.task.TaskStatus.ACCEPTED;
import static dev.virtsaga.events.task.TaskStatus.FAILED;
import static dev.virtsaga.events.task.TaskStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.events.model.CloneArgs;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.testing.InMemoryProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tasks go to the adapter of the host their VM is on; what an adapter lacks fails cleanly. */
class ProviderHostsTest {
  private final InMemoryProvider hostA = new InMemoryProvider(Tasks.PROVIDER);
  private final InMemoryProvider hostB = new InMemoryProvider(Tasks.PROVIDER);
  private final ProviderHosts hosts =
      new ProviderHosts(
          List.of(
              new ProviderHosts.Host("a", "mem://a", hostA),
              new ProviderHosts.Host("b", "mem://b", hostB)));
  private final RecordingSink sink = new RecordingSink();
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private final TaskProcessor processor =
      new TaskProcessor(
          hosts,
          sink,
          new CompletedTasks(100, Duration.ofMinutes(5), Clock.systemUTC()),
          new TaskSettings(Tasks.PROVIDER, Duration.ofMillis(20), Duration.ofMinutes(1)),
          Clock.systemUTC(),
          workers);

  @AfterEach
  void tearDown() {
    workers.shutdownNow();
  }

  private static TaskRequested on(String host, TaskRequested t) {
    return new TaskRequested(
        t.taskId(),
        t.operationId(),
        t.vmId(),
        t.provider(),
        t.step(),
        t.action(),
        t.attempt(),
        t.idempotencyKey(),
        t.deadline(),
        t.spec(),
        t.providerRef(),
        t.snapshotId(),
        t.action() == TaskAction.CLONE ? new CloneArgs(Tasks.newVmId(), "copy", null) : null,
        t.action() == TaskAction.MIGRATE ? "nowhere" : null,
        null,
        host);
  }

  private void run(TaskRequested task) {
    processor.process(task).await().atMost(Duration.ofSeconds(10));
  }

  @Test
  void aTaskRunsOnTheHostItNamesAndTheFirstHostIsTheDefault() {
    String onB = Tasks.newVmId();
    run(on("b", Tasks.task(onB, TaskAction.CREATE, Duration.ofMinutes(1))));
    String onDefault = Tasks.newVmId();
    run(on(null, Tasks.task(onDefault, TaskAction.CREATE, Duration.ofMinutes(1))));

    assertThat(sink.statuses(onB)).containsExactly(ACCEPTED, SUCCEEDED);
    assertThat(hostB.describe(onB, null).await().indefinitely().exists()).isTrue();
    assertThat(hostA.describe(onB, null).await().indefinitely().exists()).isFalse();
    assertThat(hostA.describe(onDefault, null).await().indefinitely().exists()).isTrue();
    assertThat(hosts.names()).containsExactly("a", "b");
    assertThat(hosts.defaultName()).isEqualTo("a");
  }

  @Test
  void anUnknownHostOrAMissingCapabilityFailsTheTaskWithoutRetrying() {
    String vmId = Tasks.newVmId();
    run(on("c", Tasks.task(vmId, TaskAction.POWER_ON, Duration.ofMinutes(1))));
    assertThat(sink.of(vmId).get(sink.of(vmId).size() - 1).error().type())
        .isEqualTo(ErrorType.INVALID_SPEC);

    String source = Tasks.newVmId();
    run(on("a", Tasks.task(source, TaskAction.CREATE, Duration.ofMinutes(1))));
    run(on("a", Tasks.task(source, TaskAction.CLONE, Duration.ofMinutes(1))));
    var events = sink.of(source);
    assertThat(events.get(events.size() - 1).status()).isEqualTo(FAILED);
    assertThat(events.get(events.size() - 1).error().type()).isEqualTo(ErrorType.NOT_SUPPORTED);

    assertThatThrownBy(() -> hosts.host("zzz"))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("[a, b]");
  }

  @Test
  void hostsOfDifferentAdaptersOrTwiceTheSameNameAreRefused() {
    assertThatThrownBy(
            () ->
                new ProviderHosts(
                    List.of(
                        new ProviderHosts.Host("a", null, hostA),
                        new ProviderHosts.Host("a", null, hostB))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new ProviderHosts(
                    List.of(
                        new ProviderHosts.Host("a", null, hostA),
                        new ProviderHosts.Host("b", null, new InMemoryProvider("other")))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
