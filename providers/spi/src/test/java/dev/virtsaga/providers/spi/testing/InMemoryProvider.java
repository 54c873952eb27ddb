package dev.virtsaga.providers.spi.testing;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.Page;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.TaskState;
import dev.virtsaga.providers.spi.VmDescription;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A provider that keeps its VMs in memory: the reference implementation of the contract (it passes
 * the conformance kit) and a scriptable fake for the worker's tests (injected failures, delays, a
 * guest that takes a while — or forever — to shut down).
 */
public final class InMemoryProvider implements Provider {

  /** The contract's calls, for failure injection, delays and counting. */
  public enum Call {
    VALIDATE,
    CREATE,
    DELETE,
    POWER,
    DESCRIBE,
    LIST,
    TASK_STATUS
  }

  private static final class Vm {
    final String vmId;
    final String ref;
    final boolean managed;
    PowerState power = PowerState.OFF;
    int describesUntilOff = -2;

    Vm(String vmId, String ref, boolean managed) {
      this.vmId = vmId;
      this.ref = ref;
      this.managed = managed;
    }
  }

  private final String name;
  private final Map<String, Vm> vms = new TreeMap<>();
  private final Map<Call, Deque<RuntimeException>> failures = new EnumMap<>(Call.class);
  private final Map<Call, Duration> delays = new EnumMap<>(Call.class);
  private final Map<Call, AtomicInteger> calls = new EnumMap<>(Call.class);
  private final AtomicInteger refs = new AtomicInteger();
  private volatile int gracefulShutdownDescribes;

  public InMemoryProvider(String name) {
    this.name = name;
    for (Call c : Call.values()) {
      calls.put(c, new AtomicInteger());
    }
  }

  public InMemoryProvider() {
    this("memory");
  }

  // ---- scripting -------------------------------------------------------------------------

  /** The next call of this kind fails with {@code failure} (queued, one per call). */
  public synchronized InMemoryProvider failNext(Call call, RuntimeException failure) {
    failures.computeIfAbsent(call, c -> new ArrayDeque<>()).add(failure);
    return this;
  }

  /** Every call of this kind completes only after {@code delay} (non-blocking). */
  public synchronized InMemoryProvider delay(Call call, Duration delay) {
    delays.put(call, delay);
    return this;
  }

  /**
   * After a graceful shutdown the guest stays ON for {@code describes} calls of {@link #describe}
   * and is OFF afterwards; a negative number means the guest never shuts down.
   */
  public InMemoryProvider gracefulShutdownDescribes(int describes) {
    this.gracefulShutdownDescribes = describes;
    return this;
  }

  /** Adds a VM this adapter did not create (not tagged): it must never be listed. */
  public synchronized void addUnmanaged(String name) {
    vms.put("unmanaged:" + name, new Vm(name, "mem-unmanaged-" + name, false));
  }

  public int calls(Call call) {
    return calls.get(call).get();
  }

  /** The managed VMs' ids. */
  public synchronized List<String> vmIds() {
    return vms.values().stream().filter(v -> v.managed).map(v -> v.vmId).toList();
  }

  public synchronized PowerState powerOf(String vmId) {
    Vm vm = vms.get(vmId);
    return vm == null ? PowerState.NOT_FOUND : vm.power;
  }

  // ---- the contract ----------------------------------------------------------------------

  @Override
  public String name() {
    return name;
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.GRACEFUL_SHUTDOWN, Capability.REBOOT, Capability.SUSPEND_RESUME);
  }

  @Override
  public Uni<Void> validate() {
    return call(Call.VALIDATE, () -> null);
  }

  @Override
  public Uni<CreateResult> create(CreateRequest request) {
    return call(
        Call.CREATE,
        () -> {
          request.requireValid();
          Vm existing = vms.get(request.vmId());
          if (existing != null) {
            return new CreateResult(existing.ref, null, false);
          }
          Vm vm = new Vm(request.vmId(), "mem-" + refs.incrementAndGet(), true);
          vms.put(vm.vmId, vm);
          return new CreateResult(vm.ref, null, true);
        });
  }

  @Override
  public Uni<Void> delete(String vmId, String providerRef) {
    return call(
        Call.DELETE,
        () -> {
          vms.remove(vmId);
          return null;
        });
  }

  @Override
  public Uni<Void> power(String vmId, String providerRef, PowerOp op) {
    return call(
        Call.POWER,
        () -> {
          Vm vm = find(vmId);
          if (vm == null) {
            throw ProviderException.notFound("no VM " + vmId);
          }
          switch (op) {
            case ON -> vm.power = PowerState.ON;
            case OFF -> vm.power = PowerState.OFF;
            case SHUTDOWN_GRACEFUL -> {
              if (vm.power == PowerState.ON) {
                int n = gracefulShutdownDescribes;
                if (n == 0) {
                  vm.power = PowerState.OFF;
                } else {
                  vm.describesUntilOff = n < 0 ? -1 : n;
                }
              }
            }
            case REBOOT -> {
              if (vm.power != PowerState.ON) {
                throw ProviderException.conflict("VM " + vmId + " is not running");
              }
            }
            case SUSPEND -> {
              if (vm.power != PowerState.ON) {
                throw ProviderException.conflict("VM " + vmId + " is not running");
              }
              vm.power = PowerState.PAUSED;
            }
            case RESUME -> {
              if (vm.power != PowerState.PAUSED) {
                throw ProviderException.conflict("VM " + vmId + " is not paused");
              }
              vm.power = PowerState.ON;
            }
          }
          return null;
        });
  }

  @Override
  public Uni<VmDescription> describe(String vmId, String providerRef) {
    return call(
        Call.DESCRIBE,
        () -> {
          Vm vm = find(vmId);
          if (vm == null) {
            return VmDescription.absent(vmId);
          }
          if (vm.describesUntilOff > 0) {
            vm.describesUntilOff--;
          } else if (vm.describesUntilOff == 0) {
            vm.describesUntilOff = -2;
            vm.power = PowerState.OFF;
          }
          return describe(vm);
        });
  }

  @Override
  public Uni<Page<VmDescription>> list(String pageToken, int pageSize) {
    return call(
        Call.LIST,
        () -> {
          if (pageSize < 1) {
            throw ProviderException.invalidSpec("pageSize must be at least 1");
          }
          List<Vm> managed =
              vms.values().stream()
                  .filter(v -> v.managed)
                  .filter(v -> pageToken == null || v.vmId.compareTo(pageToken) > 0)
                  .toList();
          List<Vm> page = managed.subList(0, Math.min(pageSize, managed.size()));
          String next = managed.size() > pageSize ? page.get(page.size() - 1).vmId : null;
          return new Page<>(page.stream().map(InMemoryProvider::describe).toList(), next);
        });
  }

  @Override
  public Uni<TaskState> taskStatus(String taskRef) {
    return call(
        Call.TASK_STATUS,
        () -> {
          throw ProviderException.notFound(
              "no task " + taskRef + " (this provider is synchronous)");
        });
  }

  // ---- internals -------------------------------------------------------------------------

  private Vm find(String vmId) {
    Vm vm = vms.get(vmId);
    return vm != null && vm.managed ? vm : null;
  }

  private static VmDescription describe(Vm vm) {
    return new VmDescription(
        vm.vmId, vm.ref, true, vm.power, List.of(), null, Map.of("memory.ref", vm.ref));
  }

  private <T> Uni<T> call(Call call, Supplier<T> body) {
    Uni<T> uni =
        Uni.createFrom()
            .item(
                () -> {
                  calls.get(call).incrementAndGet();
                  synchronized (this) {
                    RuntimeException failure =
                        failures.getOrDefault(call, new ArrayDeque<>()).poll();
                    if (failure != null) {
                      throw failure;
                    }
                    return body.get();
                  }
                });
    Duration delay;
    synchronized (this) {
      delay = delays.get(call);
    }
    return delay == null
        ? uni
        : Uni.createFrom().voidItem().onItem().delayIt().by(delay).replaceWith(uni);
  }

  /** A provider exception of the given type, for scripting failures. */
  public static ProviderException error(ErrorType type, String message) {
    return new ProviderException(type, message);
  }
}
