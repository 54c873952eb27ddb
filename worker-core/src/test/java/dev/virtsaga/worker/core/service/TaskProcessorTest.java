package dev.virtsaga.worker.core.service;

import static dev.virtsaga.events.task.TaskStatus.ACCEPTED;
import static dev.virtsaga.events.task.TaskStatus.FAILED;
import static dev.virtsaga.events.task.TaskStatus.SUCCEEDED;
import static dev.virtsaga.worker.core.service.Tasks.newVmId;
import static dev.virtsaga.worker.core.service.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.testing.InMemoryProvider;
import dev.virtsaga.providers.spi.testing.InMemoryProvider.Call;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TaskProcessorTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final InMemoryProvider provider = new InMemoryProvider(Tasks.PROVIDER);
  private final RecordingSink sink = new RecordingSink();
  private final Set<String> providerThreads = ConcurrentHashMap.newKeySet();
  private ExecutorService workers;
  private TaskProcessor processor;

  @BeforeEach
  void setUp() {
    workers = Executors.newFixedThreadPool(4, r -> new Thread(r, "test-worker"));
    processor =
        new TaskProcessor(
            provider,
            sink,
            new CompletedTasks(100, Duration.ofMinutes(5), Clock.systemUTC()),
            new TaskSettings(Tasks.PROVIDER, Duration.ofMillis(20), Duration.ofMinutes(1)),
            Clock.systemUTC(),
            command ->
                workers.execute(
                    () -> {
                      providerThreads.add(Thread.currentThread().getName());
                      command.run();
                    }));
  }

  @AfterEach
  void tearDown() {
    workers.shutdownNow();
  }

  private void run(TaskRequested task) {
    processor.process(task).await().atMost(WAIT);
  }

  private TaskEvent last(String vmId) {
    var events = sink.of(vmId);
    return events.get(events.size() - 1);
  }

  @Test
  void createIsAcceptedThenSucceedsWithTheVmsRefAndPower() {
    // Given
    String vmId = newVmId();

    // When
    run(task(vmId, TaskAction.CREATE, Duration.ofMinutes(1)));

    // Then
    assertThat(sink.statuses(vmId)).containsExactly(ACCEPTED, SUCCEEDED);
    TaskEvent done = last(vmId);
    assertThat(done.providerRef()).startsWith("mem-");
    assertThat(done.power()).isEqualTo(PowerState.OFF);
    assertThat(done.error()).isNull();
    assertThat(provider.vmIds()).containsExactly(vmId);
    assertThat(providerThreads).containsExactly("test-worker");
  }

  @Test
  void powerTasksReportThePowerStateAfterwards() {
    // Given
    String vmId = newVmId();
    run(task(vmId, TaskAction.CREATE, Duration.ofMinutes(1)));

    // When / Then
    run(task(vmId, TaskAction.POWER_ON, Duration.ofMinutes(1)));
    assertThat(last(vmId).power()).isEqualTo(PowerState.ON);
    run(task(vmId, TaskAction.REBOOT, Duration.ofMinutes(1)));
    assertThat(last(vmId).power()).isEqualTo(PowerState.ON);
    run(task(vmId, TaskAction.POWER_OFF, Duration.ofMinutes(1)));
    assertThat(last(vmId).power()).isEqualTo(PowerState.OFF);
    assertThat(sink.of(vmId)).filteredOn(e -> e.status() == FAILED).isEmpty();
  }

  @Test
  void deleteSucceedsOnceTheVmIsGoneAndAlsoWhenItNeverExisted() {
    // Given
    String vmId = newVmId();
    run(task(vmId, TaskAction.CREATE, Duration.ofMinutes(1)));

    // When
    run(task(vmId, TaskAction.DELETE, Duration.ofMinutes(1)));
    String never = newVmId();
    run(task(never, TaskAction.DELETE, Duration.ofMinutes(1)));

    // Then
    assertThat(last(vmId).status()).isEqualTo(SUCCEEDED);
    assertThat(last(vmId).power()).isEqualTo(PowerState.NOT_FOUND);
    assertThat(provider.vmIds()).doesNotContain(vmId);
    assertThat(sink.statuses(never)).containsExactly(ACCEPTED, SUCCEEDED);
  }

  @Test
  void aTaskPastItsDeadlineFailsWithTimeoutWithoutTouchingTheProvider() {
    // Given
    String vmId = newVmId();
    TaskRequested late = task(vmId, TaskAction.CREATE, 1, Instant.now().minusSeconds(1));

    // When
    run(late);

    // Then
    assertThat(sink.statuses(vmId)).containsExactly(FAILED);
    assertThat(last(vmId).error().type()).isEqualTo(ErrorType.TIMEOUT);
    assertThat(last(vmId).error().retryable()).isTrue();
    for (Call c : Call.values()) {
      assertThat(provider.calls(c)).as("%s calls", c).isZero();
    }
  }

  @Test
  void aRedeliveredTaskGetsItsRecordedOutcomeWithoutASecondCall() {
    // Given
    String vmId = newVmId();
    TaskRequested create = task(vmId, TaskAction.CREATE, Duration.ofMinutes(1));
    run(create);

    // When
    run(create);

    // Then
    assertThat(sink.statuses(vmId)).containsExactly(ACCEPTED, SUCCEEDED, SUCCEEDED);
    assertThat(sink.of(vmId).get(2)).isEqualTo(sink.of(vmId).get(1));
    assertThat(provider.calls(Call.CREATE)).isEqualTo(1);
  }

  @Test
  void aNewAttemptOfTheSameStepRunsAgain() {
    // Given
    String vmId = newVmId();
    provider.failNext(Call.CREATE, ProviderException.unavailable("daemon restarting", null));
    TaskRequested first = task(vmId, TaskAction.CREATE, 1, Instant.now().plusSeconds(60));
    run(first);

    // When
    TaskRequested retry = task(vmId, TaskAction.CREATE, 2, first.deadline());
    run(
        new TaskRequested(
            retry.taskId(),
            first.operationId(),
            vmId,
            first.provider(),
            first.step(),
            first.action(),
            2,
            first.idempotencyKey(),
            first.deadline(),
            first.spec(),
            null));

    // Then
    assertThat(sink.statuses(vmId)).containsExactly(ACCEPTED, FAILED, ACCEPTED, SUCCEEDED);
    assertThat(sink.of(vmId).get(1).error().type()).isEqualTo(ErrorType.UNAVAILABLE);
    assertThat(provider.calls(Call.CREATE)).isEqualTo(2);
  }

  @Test
  void providerErrorsKeepTheirTypeAndRetryHint() {
    // Given
    String vmId = newVmId();
    run(task(vmId, TaskAction.CREATE, Duration.ofMinutes(1)));
    provider.failNext(
        Call.POWER,
        new ProviderException(
            dev.virtsaga.providers.spi.ErrorType.RATE_LIMIT, "429", null, Duration.ofSeconds(2)));

    // When
    run(task(vmId, TaskAction.POWER_ON, Duration.ofMinutes(1)));

    // Then
    var error = last(vmId).error();
    assertThat(error.type()).isEqualTo(ErrorType.RATE_LIMIT);
    assertThat(error.retryable()).isTrue();
    assertThat(error.retryAfterMs()).isEqualTo(2000L);
    assertThat(error.message()).isEqualTo("429");
  }

  @Test
  void unexpectedErrorsAreRetryableWithTheirMessage() {
    // Given
    String vmId = newVmId();
    provider.failNext(Call.CREATE, new IllegalStateException("boom"));

    // When
    run(task(vmId, TaskAction.CREATE, Duration.ofMinutes(1)));

    // Then
    var error = last(vmId).error();
    assertThat(error.type()).isEqualTo(ErrorType.RETRYABLE);
    assertThat(error.message()).contains("boom");
  }

  @Test
  void nonRetryableErrorsAreReportedAsSuch() {
    // Given
    String vmId = newVmId();

    // When: power on a VM that does not exist, and a CREATE without spec
    run(task(vmId, TaskAction.POWER_ON, Duration.ofMinutes(1)));
    TaskRequested noSpec = task(newVmId(), TaskAction.CREATE, Duration.ofMinutes(1));
    run(
        new TaskRequested(
            noSpec.taskId(),
            noSpec.operationId(),
            noSpec.vmId(),
            noSpec.provider(),
            noSpec.step(),
            noSpec.action(),
            1,
            noSpec.idempotencyKey(),
            noSpec.deadline(),
            null,
            null));

    // Then
    assertThat(last(vmId).error().type()).isEqualTo(ErrorType.NOT_FOUND);
    assertThat(last(vmId).error().retryable()).isFalse();
    assertThat(last(noSpec.vmId()).error().type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(provider.calls(Call.CREATE)).isZero();
  }

  @Test
  void gracefulShutdownSucceedsOnlyOnceTheVmIsOff() {
    // Given: a guest that needs three polls to shut down
    String vmId = newVmId();
    run(task(vmId, TaskAction.CREATE, Duration.ofMinutes(1)));
    run(task(vmId, TaskAction.POWER_ON, Duration.ofMinutes(1)));
    provider.gracefulShutdownDescribes(3);
    int describesBefore = provider.calls(Call.DESCRIBE);

    // When
    run(task(vmId, TaskAction.SHUTDOWN_GRACEFUL, Duration.ofMinutes(1)));

    // Then
    assertThat(last(vmId).status()).isEqualTo(SUCCEEDED);
    assertThat(last(vmId).power()).isEqualTo(PowerState.OFF);
    assertThat(provider.calls(Call.DESCRIBE) - describesBefore).isEqualTo(4);
  }

  @Test
  void aGuestThatNeverShutsDownFailsWithTimeoutAtTheDeadline() {
    // Given
    String vmId = newVmId();
    run(task(vmId, TaskAction.CREATE, Duration.ofMinutes(1)));
    run(task(vmId, TaskAction.POWER_ON, Duration.ofMinutes(1)));
    provider.gracefulShutdownDescribes(-1);

    // When
    run(task(vmId, TaskAction.SHUTDOWN_GRACEFUL, Duration.ofMillis(300)));

    // Then
    TaskEvent done = last(vmId);
    assertThat(done.status()).isEqualTo(FAILED);
    assertThat(done.error().type()).isEqualTo(ErrorType.TIMEOUT);
    assertThat(provider.powerOf(vmId)).isEqualTo(dev.virtsaga.providers.spi.PowerState.ON);
  }

  @Test
  void aProviderCallThatOutlivesTheDeadlineFailsWithTimeout() {
    // Given
    String vmId = newVmId();
    provider.delay(Call.CREATE, Duration.ofSeconds(30));

    // When
    run(task(vmId, TaskAction.CREATE, Duration.ofMillis(200)));

    // Then
    assertThat(sink.statuses(vmId)).containsExactly(ACCEPTED, FAILED);
    assertThat(last(vmId).error().type()).isEqualTo(ErrorType.TIMEOUT);
  }

  @Test
  void whenTheEventCannotBeSentTheTaskFailsAndNothingIsRecorded() {
    // Given
    String vmId = newVmId();
    TaskRequested create = task(vmId, TaskAction.CREATE, Duration.ofMinutes(1));
    sink.failWith(new IllegalStateException("broker down"));

    // When / Then
    assertThatThrownBy(() -> run(create)).hasMessageContaining("broker down");

    // and a redelivery after the broker is back does the work and reports it
    sink.failWith(null);
    run(create);
    assertThat(sink.statuses(vmId)).containsExactly(ACCEPTED, SUCCEEDED);
  }
}
