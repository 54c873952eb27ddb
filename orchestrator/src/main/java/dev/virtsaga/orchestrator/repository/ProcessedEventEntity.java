package dev.virtsaga.orchestrator.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/** An event a consumer has processed (the inbox). */
@Entity
@Table(name = "processed_event")
public class ProcessedEventEntity extends PanacheEntityBase {
  @EmbeddedId public Key key;

  @Column(name = "processed_at")
  public Instant processedAt;

  /** Consumer + CloudEvents id. */
  @Embeddable
  public record Key(String consumer, @Column(name = "event_id") String eventId)
      implements Serializable {}
}
