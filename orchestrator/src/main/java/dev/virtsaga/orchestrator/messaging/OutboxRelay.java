package dev.virtsaga.orchestrator.messaging;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.Json;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.orchestrator.config.OrchestratorConfig;
import dev.virtsaga.orchestrator.repository.Outbox;
import dev.virtsaga.orchestrator.service.Ticker;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Relays the outbox to Kafka in commit order. One relay at a time holds a PostgreSQL advisory lock
 * (so several orchestrator instances never reorder a VM's records); rows are deleted only in the
 * transaction that saw Kafka acknowledge them — at-least-once, never lost.
 */
@ApplicationScoped
public class OutboxRelay {
  private static final long LOCK_ID = 0x5649525453414741L; // "VIRTSAGA"
  private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {};

  private final Pool pool;
  private final MutinyEmitter<Record<String, String>> emitter;
  private final int batch;
  private volatile Ticker ticker;

  public OutboxRelay(
      Pool pool,
      @Channel(Channels.OUTBOX) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 8192)
          MutinyEmitter<Record<String, String>> emitter,
      OrchestratorConfig config) {
    this.pool = pool;
    this.emitter = emitter;
    this.batch = config.relayBatch();
  }

  void start(@Observes StartupEvent ev, Vertx vertx, OrchestratorConfig config) {
    ticker = new Ticker(vertx, "outbox relay", config.relayInterval(), this::drain);
  }

  void stop(@Observes ShutdownEvent ev) {
    if (ticker != null) {
      ticker.stop();
    }
  }

  /** Relays now: called after a transaction that wrote to the outbox committed. */
  public void wake() {
    if (ticker != null) {
      ticker.wake();
    }
  }

  /** Sends batches until the outbox is empty. */
  private Uni<Void> drain() {
    return relayOnce().chain(n -> n >= batch ? drain() : Uni.createFrom().voidItem());
  }

  /** Sends one batch; returns how many records went out. */
  public Uni<Integer> relayOnce() {
    return pool.withTransaction(
        conn ->
            conn.query("select pg_try_advisory_xact_lock(" + LOCK_ID + ")")
                .execute()
                .chain(
                    rs -> {
                      boolean mine = rs.iterator().next().getBoolean(0);
                      return mine ? sendBatch(conn) : Uni.createFrom().item(0);
                    }));
  }

  private Uni<Integer> sendBatch(SqlConnection conn) {
    return conn.preparedQuery(
            "select id, topic, record_key, ce_id, ce_type, ce_time, ce_extensions, data"
                + " from outbox order by id limit $1")
        .execute(Tuple.of(batch))
        .chain(
            rows -> {
              List<Long> ids = new ArrayList<>();
              List<Uni<Void>> sends = new ArrayList<>();
              for (Row r : rows) {
                ids.add(r.getLong("id"));
                sends.add(emitter.sendMessage(toMessage(r)));
              }
              if (ids.isEmpty()) {
                return Uni.createFrom().item(0);
              }
              return Uni.join()
                  .all(sends)
                  .andFailFast()
                  .chain(
                      () ->
                          conn.preparedQuery("delete from outbox where id = any($1)")
                              .execute(Tuple.of(ids.toArray(new Long[0]))))
                  .map(x -> ids.size());
            });
  }

  private static Message<Record<String, String>> toMessage(Row r) {
    String key = r.getString("record_key");
    String data = r.getString("data");
    RecordHeaders headers = new RecordHeaders();
    if (r.getString("ce_id") != null) {
      OffsetDateTime time = r.getOffsetDateTime("ce_time");
      Map<String, String> ext;
      try {
        ext = Json.mapper().readValue(r.getString("ce_extensions"), MAP);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("corrupt outbox row " + r.getLong("id"), e);
      }
      CloudEvent ce =
          new CloudEvent(
              r.getString("ce_id"),
              Outbox.SOURCE,
              r.getString("ce_type"),
              key,
              time == null ? null : time.withOffsetSameInstant(ZoneOffset.UTC).toInstant(),
              ext,
              data);
      KafkaCloudEvents.toHeaders(ce).forEach(headers::add);
    }
    return Message.of(Record.of(key, data))
        .addMetadata(
            OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(r.getString("topic"))
                .withKey(key)
                .withHeaders(headers)
                .build());
  }
}
