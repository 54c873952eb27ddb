package dev.virtsaga.orchestrator.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.orchestrator.Operation;
import dev.virtsaga.orchestrator.Vm;
import dev.virtsaga.orchestrator.mapping.VmMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The aggregate's row on the real PostgreSQL: round trip, optimistic locking, invariant 1. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class VmRepositoryTest {
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

  @Inject VmRepository repository;
  @Inject Pool pool;
  @Inject Vertx vertx;

  /** Runs reactive persistence work on a safe Vert.x context, as consumers do, and waits. */
  private <T> T run(Supplier<Uni<T>> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Context ctx = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    VertxContextSafetyToggle.setContextSafe(ctx, true);
    ctx.runOnContext(
        v -> work.get().subscribe().with(result::complete, result::completeExceptionally));
    try {
      return result.get(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new CompletionException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Vm provisioning(String id) {
    Operation op =
        new Operation(
            "op-" + id,
            CommandType.CREATE,
            "provision",
            2,
            NOW.plusSeconds(60),
            NOW,
            VmState.PENDING,
            false,
            NOW.plusSeconds(1),
            null,
            null,
            null,
            null);
    return new Vm(
        id,
        "t1",
        new VmSpec("db", "libvirt", 2, 512, 1, null, null),
        VmState.PROVISIONING,
        op,
        null,
        PowerState.UNKNOWN,
        List.of(),
        List.of("10.0.0.1"),
        op.id(),
        null,
        2,
        NOW,
        NOW);
  }

  private void insert(Vm vm) {
    run(() -> Panache.withTransaction(() -> repository.save(null, vm)));
  }

  private VmEntity read(String id) {
    return run(() -> Panache.withSession(() -> repository.find(id)));
  }

  @Test
  void aVmIsStoredAndReadBackUnchanged() {
    Vm vm = provisioning(UUID.randomUUID().toString());
    insert(vm);
    VmEntity row = read(vm.id());
    assertThat(VmMapper.toVm(row)).isEqualTo(vm);
    // the sweeper looks at the VM when its retry is due (before the deadline)
    assertThat(row.nextTimer).isEqualTo(NOW.plusSeconds(1));
  }

  @Test
  void aDecisionMadeOnAStaleVersionIsRefusedAndChangesNothing() {
    Vm vm = provisioning(UUID.randomUUID().toString());
    insert(vm);
    // Given a row read at version 2, When another writer stores version 3 meanwhile,
    // Then storing a decision made on version 2 fails
    assertThatThrownBy(
            () ->
                run(
                    () ->
                        Panache.withTransaction(
                            () ->
                                repository
                                    .find(vm.id())
                                    .call(
                                        row ->
                                            pool.preparedQuery(
                                                    "update vm set version = 3 where id = $1")
                                                .execute(Tuple.of(vm.id())))
                                    .chain(row -> repository.save(row, vm.bumped(NOW))))))
        .hasCauseInstanceOf(OptimisticLockException.class);
    assertThat(read(vm.id()).version).isEqualTo(3);
  }

  @Test
  void theDatabaseItselfRefusesAnOperationWithoutADeadline() {
    String id = UUID.randomUUID().toString();
    insert(provisioning(id));
    assertThatThrownBy(
            () ->
                run(
                    () ->
                        pool.preparedQuery("update vm set op_deadline = null where id = $1")
                            .execute(Tuple.of(id))))
        .hasMessageContaining("vm_operation_has_deadline");
  }
}
