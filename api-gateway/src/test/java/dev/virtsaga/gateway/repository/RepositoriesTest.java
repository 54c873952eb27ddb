package dev.virtsaga.gateway.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.OperationResult;
import dev.virtsaga.gateway.Operation;
import dev.virtsaga.gateway.OperationStatus;
import dev.virtsaga.gateway.OperationUpdate;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The SQL of the gateway's own tables, on the real PostgreSQL. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RepositoriesTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  @Inject IdempotencyKeyRepository keys;
  @Inject OperationRepository operations;

  @Test
  void aKeyIsClaimedOnceUntilItExpiresThenItCanBeClaimedAgain() {
    // Given
    String key = UUID.randomUUID().toString();
    IdempotencyRecord first = record(key, "hash-1", NOW, NOW.plus(Duration.ofHours(24)));
    assertThat(keys.claim(first, NOW).await().atMost(WAIT)).isTrue();

    // Then a second claim within the TTL loses, and sees the first
    IdempotencyRecord second = record(key, "hash-2", NOW, NOW.plus(Duration.ofHours(24)));
    assertThat(keys.claim(second, NOW.plusSeconds(60)).await().atMost(WAIT)).isFalse();
    IdempotencyRecord found = keys.find("t", key, NOW.plusSeconds(60)).await().atMost(WAIT);
    assertThat(found.requestHash()).isEqualTo("hash-1");
    assertThat(found.completed()).isFalse();

    // When the TTL has passed
    Instant later = NOW.plus(Duration.ofHours(25));

    // Then the key is gone for readers and can be claimed anew
    assertThat(keys.find("t", key, later).await().atMost(WAIT)).isNull();
    IdempotencyRecord third = record(key, "hash-3", later, later.plus(Duration.ofHours(24)));
    assertThat(keys.claim(third, later).await().atMost(WAIT)).isTrue();
    assertThat(keys.find("t", key, later).await().atMost(WAIT).requestHash()).isEqualTo("hash-3");
  }

  @Test
  void anUnfinishedStaleClaimIsTakenOverOnlyByTheSameRequestWithTheSameIds() {
    // Given a claim that was never completed (its gateway died)
    String key = UUID.randomUUID().toString();
    IdempotencyRecord claim = record(key, "h", NOW, NOW.plus(Duration.ofHours(24)));
    assertThat(keys.claim(claim, NOW).await().atMost(WAIT)).isTrue();
    Instant later = NOW.plusSeconds(60);
    Instant staleBefore = later.minusSeconds(30);

    // Then a request with other ids (any ordinary one) does not take it over, nor does one while
    // the claim is fresh, nor a different request with the same ids
    IdempotencyRecord otherIds = record(key, "h", later, later.plus(Duration.ofHours(24)));
    assertThat(keys.claim(otherIds, later, staleBefore).await().atMost(WAIT)).isFalse();
    IdempotencyRecord sameIds = sameIds(claim, "h", later);
    assertThat(keys.claim(sameIds, later, NOW.minusSeconds(1)).await().atMost(WAIT)).isFalse();
    assertThat(keys.claim(sameIds(claim, "other", later), later, staleBefore).await().atMost(WAIT))
        .isFalse();

    // But the same request with the same ids does, once the claim is stale
    assertThat(keys.claim(sameIds, later, staleBefore).await().atMost(WAIT)).isTrue();

    // And a completed key is never taken over
    keys.complete("t", key, claim.operationId()).await().atMost(WAIT);
    Instant muchLater = later.plus(Duration.ofHours(1));
    assertThat(
            keys.claim(sameIds(claim, "h", muchLater), muchLater, muchLater).await().atMost(WAIT))
        .isFalse();
  }

  static IdempotencyRecord sameIds(IdempotencyRecord claim, String hash, Instant at) {
    return new IdempotencyRecord(
        claim.tenantId(),
        claim.key(),
        hash,
        false,
        claim.operationId(),
        claim.vmId(),
        at,
        at.plus(Duration.ofHours(24)),
        null);
  }

  @Test
  void completeMarksTheKeyAndReleaseOnlyForgetsUncompletedKeys() {
    String key = UUID.randomUUID().toString();
    IdempotencyRecord r = record(key, "h", NOW, NOW.plus(Duration.ofHours(24)));
    keys.claim(r, NOW).await().atMost(WAIT);

    keys.complete("t", key, r.operationId()).await().atMost(WAIT);
    keys.release("t", key, r.operationId()).await().atMost(WAIT);

    assertThat(keys.find("t", key, NOW).await().atMost(WAIT).completed()).isTrue();
  }

  @Test
  void cleanupDeletesExpiredKeysOnly() {
    String expired = UUID.randomUUID().toString();
    String live = UUID.randomUUID().toString();
    Instant farFuture = NOW.plus(Duration.ofDays(400));
    keys.claim(record(expired, "h", NOW, farFuture.minusSeconds(1)), NOW).await().atMost(WAIT);
    keys.claim(record(live, "h", NOW, farFuture.plusSeconds(3600)), NOW).await().atMost(WAIT);

    assertThat(keys.deleteExpired(farFuture).await().atMost(WAIT)).isGreaterThanOrEqualTo(1);

    assertThat(keys.find("t", expired, NOW).await().atMost(WAIT)).isNull();
    assertThat(keys.find("t", live, NOW).await().atMost(WAIT)).isNotNull();
  }

  @Test
  void aClonesTargetVmIdIsKeptWithItsKey() {
    String key = UUID.randomUUID().toString();
    IdempotencyRecord r =
        new IdempotencyRecord(
            "t", key, "h", false, "op", "vm", NOW, NOW.plus(Duration.ofHours(24)), "clone-vm");
    keys.claim(r, NOW).await().atMost(WAIT);

    assertThat(keys.find("t", key, NOW).await().atMost(WAIT).targetVmId()).isEqualTo("clone-vm");
  }

  @Test
  void aSucceededOperationKeepsItsResultAndLaterEventsDoNotDropIt() {
    String id = insert(NOW);
    OperationResult result =
        new OperationResult(
            "file:///var/lib/virtsaga/transfer/x.raw", "raw", 42L, "ab", null, null);

    operations
        .apply(
            new OperationUpdate(
                id, OperationStatus.SUCCEEDED, null, null, null, NOW.plusSeconds(1), result))
        .await()
        .atMost(WAIT);
    operations
        .apply(
            new OperationUpdate(
                id, OperationStatus.SUCCEEDED, null, null, null, NOW.plusSeconds(2)))
        .await()
        .atMost(WAIT);

    Operation op = operations.find("t", id).await().atMost(WAIT);
    assertThat(op.result()).isEqualTo(result);
    assertThat(operations.find("t", insert(NOW)).await().atMost(WAIT).result()).isNull();
  }

  @Test
  void operationStatusNeverMovesBackAndRepeatsChangeNothing() {
    // Given
    String id = UUID.randomUUID().toString();
    operations
        .insert(
            new Operation(
                id,
                "t",
                "vm",
                CommandType.CREATE,
                OperationStatus.ACCEPTED,
                null,
                null,
                null,
                NOW,
                NOW))
        .await()
        .atMost(WAIT);

    // When / Then
    assertThat(apply(id, OperationStatus.RUNNING, "provision", NOW.plusSeconds(2))).isTrue();
    assertThat(apply(id, OperationStatus.RUNNING, "older-step", NOW.plusSeconds(1))).isFalse();
    assertThat(apply(id, OperationStatus.ACCEPTED, null, NOW.plusSeconds(3))).isFalse();
    assertThat(apply(id, OperationStatus.SUCCEEDED, null, NOW.plusSeconds(4))).isTrue();
    assertThat(apply(id, OperationStatus.SUCCEEDED, null, NOW.plusSeconds(4))).isFalse();
    assertThat(apply(id, OperationStatus.FAILED, null, NOW.plusSeconds(5))).isFalse();
    assertThat(apply(id, OperationStatus.RUNNING, "late", NOW.plusSeconds(6))).isFalse();

    Operation op = operations.find("t", id).await().atMost(WAIT);
    assertThat(op.status()).isEqualTo(OperationStatus.SUCCEEDED);
    assertThat(op.step()).isEqualTo("provision");
    assertThat(op.updatedAt()).isEqualTo(NOW.plusSeconds(4));
    assertThat(operations.find("other-tenant", id).await().atMost(WAIT)).isNull();
  }

  @Test
  void retentionDeletesOnlyOperationsThatFinishedBeforeTheCutoff() {
    // Given one finished long ago, one running since long ago, one finished recently
    Instant longAgo = NOW.minus(Duration.ofDays(400));
    String old = insert(longAgo);
    apply(old, OperationStatus.SUCCEEDED, null, longAgo);
    String running = insert(longAgo);
    String recent = insert(NOW);
    apply(recent, OperationStatus.FAILED, null, NOW);

    // When
    operations.deleteFinishedBefore(NOW.minus(Duration.ofDays(30))).await().atMost(WAIT);

    // Then
    assertThat(operations.find("t", old).await().atMost(WAIT)).isNull();
    assertThat(operations.find("t", running).await().atMost(WAIT)).isNotNull();
    assertThat(operations.find("t", recent).await().atMost(WAIT)).isNotNull();
  }

  String insert(Instant at) {
    String id = UUID.randomUUID().toString();
    operations
        .insert(
            new Operation(
                id,
                "t",
                "vm",
                CommandType.START,
                OperationStatus.ACCEPTED,
                null,
                null,
                null,
                at,
                at))
        .await()
        .atMost(WAIT);
    return id;
  }

  boolean apply(String id, OperationStatus status, String step, Instant at) {
    return operations
        .apply(new OperationUpdate(id, status, step, null, null, at))
        .await()
        .atMost(WAIT);
  }

  static IdempotencyRecord record(String key, String hash, Instant created, Instant expires) {
    return new IdempotencyRecord(
        "t",
        key,
        hash,
        false,
        UUID.randomUUID().toString(),
        UUID.randomUUID().toString(),
        created,
        expires);
  }
}
