package dev.virtsaga.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.devstack.test.PostgresTestResource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresTest {

  @BeforeAll
  static void ensureRunning() {
    Postgres.ensureRunning();
  }

  @Test
  void createdDatabaseIsUsableOverJdbcByTheApplicationRole() throws SQLException {
    // Given a fresh database
    Postgres.Database db = PostgresTestResource.createDatabase();
    try {
      // When the application role connects with its password over TCP
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE vm (id text PRIMARY KEY, state text NOT NULL)");
        s.execute("INSERT INTO vm VALUES ('vm-1', 'RUNNING')");
        try (ResultSet rs =
            s.executeQuery(
                "SELECT current_database(), current_user, (SELECT state FROM vm WHERE id = 'vm-1')")) {
          // Then it is in that database, as that role, and can create and query tables
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo(db.name());
          assertThat(rs.getString(2)).isEqualTo(Postgres.USER);
          assertThat(rs.getString(3)).isEqualTo("RUNNING");
        }
      }
      assertThat(databaseExists(db.name())).isTrue();
    } finally {
      db.drop();
    }
    assertThat(databaseExists(db.name())).isFalse();
  }

  @Test
  void createIsIdempotentAndDropDisconnectsSessions() throws SQLException {
    Postgres.Database db = PostgresTestResource.createDatabase();
    assertThat(Postgres.createDatabase(db.name())).isEqualTo(db);
    try (Connection open =
        DriverManager.getConnection(db.jdbcUrl(), Postgres.USER, Postgres.PASSWORD)) {
      // dropping while a session is open still works (WITH (FORCE))
      db.drop();
      assertThat(databaseExists(db.name())).isFalse();
    }
    Postgres.dropDatabase(db.name()); // dropping a missing database is fine
  }

  @Test
  void urlsPointAtTheLocalServer() {
    assertThat(Postgres.reactiveUrl("x"))
        .isEqualTo("postgresql://127.0.0.1:" + Postgres.port() + "/x");
    assertThat(Postgres.jdbcUrl("x"))
        .isEqualTo("jdbc:postgresql://127.0.0.1:" + Postgres.port() + "/x");
    assertThat(new Postgres.Database("x").env())
        .containsEntry("QUARKUS_DATASOURCE_REACTIVE_URL", Postgres.reactiveUrl("x"))
        .containsEntry("QUARKUS_DATASOURCE_JDBC_URL", Postgres.jdbcUrl("x"))
        .containsEntry("QUARKUS_DATASOURCE_USERNAME", "virtsaga")
        .containsEntry("QUARKUS_DATASOURCE_PASSWORD", "virtsaga");
  }

  @Test
  void unsafeDatabaseNamesAreRejected() {
    assertThatThrownBy(() -> Postgres.createDatabase("x; DROP DATABASE postgres"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("database name");
  }

  @Test
  void testResourceGivesQuarkusAFreshDatabaseAndDropsIt() throws SQLException {
    PostgresTestResource resource = new PostgresTestResource();
    var config = resource.start();
    String name = resource.database().name();
    assertThat(name).startsWith("vs_test_");
    assertThat(config)
        .containsEntry("quarkus.datasource.reactive.url", Postgres.reactiveUrl(name))
        .containsEntry("quarkus.datasource.jdbc.url", Postgres.jdbcUrl(name))
        .containsEntry("quarkus.datasource.username", "virtsaga")
        .containsEntry("quarkus.datasource.password", "virtsaga");
    assertThat(databaseExists(name)).isTrue();
    resource.stop();
    assertThat(databaseExists(name)).isFalse();
  }

  private static boolean databaseExists(String name) throws SQLException {
    try (Connection c =
            DriverManager.getConnection(
                Postgres.jdbcUrl("postgres"), Postgres.USER, Postgres.PASSWORD);
        var ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}
