package dev.virtsaga.devstack.test;

import dev.virtsaga.devstack.Postgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Gives a {@code @QuarkusTest} a fresh, empty database {@code vs_test_<random>} on the local
 * PostgreSQL server (installed and started if needed, see {@link Postgres#ensureRunning()}), and
 * drops it when the test resource stops:
 *
 * <pre>{@code
 * @QuarkusTest
 * @WithTestResource(PostgresTestResource.class)
 * class VmRepositoryTest { ... }
 * }</pre>
 *
 * <p>Plain JUnit tests (and tests that run packaged services) call {@link #createDatabase()} and
 * {@link Postgres.Database#drop()} themselves.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

  private Postgres.Database database;

  /** A fresh database {@code vs_test_<random>} owned by {@value Postgres#USER}. */
  public static Postgres.Database createDatabase() {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return Postgres.createDatabase("vs_test_" + suffix.toLowerCase(Locale.ROOT));
  }

  /** The database of the current start, or null before {@link #start()}. */
  public Postgres.Database database() {
    return database;
  }

  @Override
  public Map<String, String> start() {
    database = createDatabase();
    return database.quarkusConfig();
  }

  @Override
  public void stop() {
    if (database != null) {
      database.drop();
      database = null;
    }
  }
}
