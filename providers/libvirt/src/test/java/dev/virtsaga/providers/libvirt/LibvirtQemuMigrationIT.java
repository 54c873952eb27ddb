package dev.virtsaga.providers.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.TaskState;
import dev.virtsaga.providers.spi.conformance.MigrationConformanceTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Migration between two libvirt hosts on this machine: the system libvirtd ({@code qemu:///system})
 * and a second libvirtd with its own host UUID in its own mount namespace, sharing the pool
 * directory (started by {@code src/test/scripts/second-libvirtd.sh}, which this IT runs when the
 * target does not answer). {@code -Dvirtsaga.libvirt.it-target-uri=…} names another target.
 */
class LibvirtQemuMigrationIT {
  private static final String URI = System.getProperty("virtsaga.libvirt.it-uri", "qemu:///system");
  private static final String TARGET =
      System.getProperty(
          "virtsaga.libvirt.it-target-uri",
          "qemu+unix:///system?socket=/run/virtsaga-libvirtd2/sock/libvirt-sock");
  private static final Duration CALL = Duration.ofSeconds(60);

  private static ExecutorService executor;
  private static LibvirtProvider source;
  private static LibvirtProvider target;
  private static boolean startedHere;

  @BeforeAll
  static void connect() {
    executor = Executors.newFixedThreadPool(6);
    source = new LibvirtProvider(URI, executor);
    target = new LibvirtProvider(TARGET, executor);
    try {
      source.validate().await().atMost(Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      Assumptions.abort("no libvirt daemon at " + URI + ": " + e.getMessage());
    }
    if (!answers(target)) {
      startedHere = secondDaemon("start");
    }
    Assumptions.assumeTrue(answers(target), "no second libvirt daemon at " + TARGET);
  }

  private static boolean answers(LibvirtProvider p) {
    try {
      p.validate().await().atMost(Duration.ofSeconds(10));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Runs the script with {@code start} or {@code stop}; true when it ran and succeeded. */
  private static boolean secondDaemon(String command) {
    Path script = Path.of("src/test/scripts/second-libvirtd.sh");
    if (!Files.isExecutable(script)) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(script.toString(), command).inheritIO().start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false; // the assumption skips the IT
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @AfterAll
  static void disconnect() {
    if (source != null) {
      source.close();
    }
    if (target != null) {
      target.close();
    }
    executor.shutdownNow();
    if (startedHere) {
      secondDaemon("stop"); // leave the machine as we found it
    }
  }

  @Nested
  class Conformance extends MigrationConformanceTest {
    @Override
    protected Provider provider() {
      return source;
    }

    @Override
    protected long diskGiB() {
      return 1;
    }

    @Override
    protected String targetHost() {
      return TARGET;
    }

    @Override
    protected Provider targetProvider() {
      return target;
    }
  }

  @Test
  void aCancelledMigrationLeavesTheVmRunningOnTheSource() {
    // A guest without an OS has little memory that is not zero, so even throttled to 1 MiB/s a
    // migration can end before the cancel reaches it: try again (a fresh VM) until it lands.
    int tries = 0;
    boolean cancelled = false;
    while (!cancelled && tries++ < 3) {
      cancelled = cancelledWhileRunning("it-" + UUID.randomUUID());
    }
    assertThat(cancelled).as("a cancel reached a running migration in %d tries", tries).isTrue();
  }

  /** Whether the cancel reached the VM's running migration (false: it had finished already). */
  private boolean cancelledWhileRunning(String vmId) {
    // Given: a running VM whose migration is throttled to 1 MiB/s
    try {
      source
          .create(new CreateRequest(vmId, "op-it", "it-cancel", 1, 64, 1, null, Map.of()))
          .await()
          .atMost(CALL);
      source.power(vmId, null, PowerOp.ON).await().atMost(CALL);
      source.migrationBandwidth(1);
      String taskRef = source.migrate(vmId, null, TARGET).await().atMost(CALL);
      await()
          .atMost(CALL)
          .pollInterval(Duration.ofMillis(10))
          .until(
              () -> {
                TaskState s = source.migrationStatus(taskRef).await().atMost(CALL);
                return s.isComplete()
                    || s.phase() == TaskState.Phase.RUNNING && s.progress() != null;
              });

      // When
      source.cancelMigration(taskRef).await().atMost(CALL);

      // Then
      await()
          .atMost(CALL)
          .until(() -> source.migrationStatus(taskRef).await().atMost(CALL).isComplete());
      TaskState end = source.migrationStatus(taskRef).await().atMost(CALL);
      if (end.phase() == TaskState.Phase.SUCCEEDED) {
        System.out.println("the migration of " + vmId + " ended before the cancel reached it");
        return false;
      }
      assertThat(end.phase()).isEqualTo(TaskState.Phase.FAILED);
      assertThat(end.error().type()).isEqualTo(ErrorType.CONFLICT);
      assertThat(source.describe(vmId, null).await().atMost(CALL).power()).isEqualTo(PowerState.ON);
      assertThat(target.describe(vmId, null).await().atMost(CALL).exists()).isFalse();
      source.cancelMigration(taskRef).await().atMost(CALL);
      return true;
    } finally {
      source.migrationBandwidth(0);
      source.delete(vmId, null).await().atMost(CALL);
      target.delete(vmId, null).await().atMost(CALL);
    }
  }
}
