package dev.virtsaga.orchestrator.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The row of the VM aggregate; {@link VmMapper} converts it to and from {@code Vm}. */
@Entity
@Table(name = "vm")
public class VmEntity extends PanacheEntityBase {
  @Id public String id;

  @Column(name = "tenant_id")
  public String tenantId;

  public String provider;
  public String spec;
  public String state;

  @Column(name = "provider_ref")
  public String providerRef;

  @Column(name = "observed_power")
  public String observedPower;

  /** When the provider's power was last seen (by the watcher or a task). */
  @Column(name = "observed_at")
  public Instant observedAt;

  public String conditions;
  public String ips;

  @Column(name = "last_operation_id")
  public String lastOperationId;

  @Column(name = "last_error")
  public String lastError;

  @Column(name = "op_id")
  public String opId;

  @Column(name = "op_type")
  public String opType;

  @Column(name = "op_step")
  public String opStep;

  @Column(name = "op_attempt")
  public Integer opAttempt;

  @Column(name = "op_deadline")
  public Instant opDeadline;

  @Column(name = "op_started_at")
  public Instant opStartedAt;

  @Column(name = "op_origin")
  public String opOrigin;

  @Column(name = "op_compensating")
  public Boolean opCompensating;

  @Column(name = "op_retry_at")
  public Instant opRetryAt;

  @Column(name = "op_cause")
  public String opCause;

  @Column(name = "op_graceful_timeout")
  public Integer opGracefulTimeout;

  @Column(name = "op_target")
  public String opTarget;

  @Column(name = "op_subject")
  public String opSubject;

  /** Clone / export arguments of the operation (JSON OperationArgs). */
  @Column(name = "op_args")
  public String opArgs;

  public String snapshots;

  @Column(name = "next_timer")
  public Instant nextTimer;

  public long version;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "updated_at")
  public Instant updatedAt;
}
