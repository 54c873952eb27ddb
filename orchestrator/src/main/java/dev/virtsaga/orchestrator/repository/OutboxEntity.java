package dev.virtsaga.orchestrator.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One record waiting to be relayed to Kafka; a null {@link #data} is a tombstone. */
@Entity
@Table(name = "outbox")
public class OutboxEntity extends PanacheEntityBase {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  public String topic;

  @Column(name = "record_key")
  public String recordKey;

  @Column(name = "ce_id")
  public String ceId;

  @Column(name = "ce_type")
  public String ceType;

  @Column(name = "ce_time")
  public Instant ceTime;

  @Column(name = "ce_extensions")
  public String ceExtensions;

  public String data;
}
