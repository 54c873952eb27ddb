package dev.virtsaga.worker.core.service;

import static dev.virtsaga.worker.core.service.Tasks.newVmId;
import static dev.virtsaga.worker.core.service.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.Page;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.TaskState;
import dev.virtsaga.providers.spi.VmDescription;
import dev.virtsaga.providers.spi.testing.InMemoryProvider;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A power-on waits, within {@link TaskSettings#guestIpWait()}, for the guest's IP. */
class GuestIpWaitTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** The in-memory provider, whose running guests report an IP from the n-th describe on. */
  private static final class SlowGuest implements Provider {
    final InMemoryProvider vms = new InMemoryProvider(Tasks.PROVIDER);
    final int describesUntilIp;
    final AtomicInteger describesWhileOn = new AtomicInteger();

    SlowGuest(int describesUntilIp) {
      this.describesUntilIp = describesUntilIp;
    }

    @Override
    public String name() {
      return vms.name();
    }

    @Override
    public Set<Capability> capabilities() {
      return vms.capabilities();
    }

    @Override
    public Uni<Void> validate() {
      return vms.validate();
    }

    @Override
    public Uni<CreateResult> create(CreateRequest request) {
      return vms.create(request);
    }

    @Override
    public Uni<Void> delete(String vmId, String providerRef) {
      return vms.delete(vmId, providerRef);
    }

    @Override
    public Uni<Void> power(String vmId, String providerRef, PowerOp op) {
      return vms.power(vmId, providerRef, op);
    }

    @Override
    public Uni<VmDescription> describe(String vmId, String providerRef) {
      return vms.describe(vmId, providerRef)
          .map(
              d -> {
                if (d.power() != dev.virtsaga.providers.spi.PowerState.ON
                    || describesWhileOn.incrementAndGet() < describesUntilIp) {
                  return d;
                }
                return new VmDescription(
                    d.vmId(),
                    d.providerRef(),
                    d.exists(),
                    d.power(),
                    List.of("10.0.0.7"),
                    d.consoleUrl(),
                    d.raw());
              });
    }

    @Override
    public Uni<Page<VmDescription>> list(String pageToken, int pageSize) {
      return vms.list(pageToken, pageSize);
    }

    @Override
    public Uni<TaskState> taskStatus(String taskRef) {
      return vms.taskStatus(taskRef);
    }
  }

  private static TaskEvent powerOn(SlowGuest provider, Duration guestIpWait) {
    RecordingSink sink = new RecordingSink();
    TaskProcessor processor =
        new TaskProcessor(
            provider,
            sink,
            new CompletedTasks(100, Duration.ofMinutes(5), Clock.systemUTC()),
            new TaskSettings(
                Tasks.PROVIDER, Duration.ofMillis(10), Duration.ofMinutes(1), guestIpWait),
            Clock.systemUTC(),
            Runnable::run);
    String vmId = newVmId();
    processor.process(task(vmId, TaskAction.CREATE, Duration.ofMinutes(1))).await().atMost(WAIT);
    processor.process(task(vmId, TaskAction.POWER_ON, Duration.ofMinutes(1))).await().atMost(WAIT);
    List<TaskEvent> events = sink.of(vmId);
    return events.get(events.size() - 1);
  }

  @Test
  void aPowerOnReportsTheIpTheGuestReportsWithinTheWait() {
    TaskEvent started = powerOn(new SlowGuest(5), Duration.ofSeconds(5));

    assertThat(started.power()).isEqualTo(PowerState.ON);
    assertThat(started.ips()).containsExactly("10.0.0.7");
  }

  @Test
  void withoutAnIpInTimeThePowerOnSucceedsWithoutOne() {
    TaskEvent started = powerOn(new SlowGuest(Integer.MAX_VALUE), Duration.ofMillis(200));

    assertThat(started.power()).isEqualTo(PowerState.ON);
    assertThat(started.ips()).isNullOrEmpty();
  }

  @Test
  void withoutAWaitThePowerOnReportsAtOnce() {
    SlowGuest guest = new SlowGuest(5);
    TaskEvent started = powerOn(guest, Duration.ZERO);

    assertThat(started.ips()).isNullOrEmpty();
    assertThat(guest.describesWhileOn.get()).isEqualTo(1);
  }
}
