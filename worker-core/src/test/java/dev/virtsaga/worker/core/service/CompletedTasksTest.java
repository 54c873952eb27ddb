package dev.virtsaga.worker.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskStatus;
import dev.virtsaga.worker.core.mapping.TaskMapping;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CompletedTasksTest {
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  private static TaskEvent outcome() {
    return TaskMapping.event(
        Tasks.task(Tasks.newVmId(), TaskAction.CREATE, Duration.ofMinutes(1)),
        TaskStatus.SUCCEEDED,
        Instant.now());
  }

  @Test
  void theKeyIsIdempotencyKeyAndAttempt() {
    assertThat(CompletedTasks.key("op:create", 1)).isNotEqualTo(CompletedTasks.key("op:create", 2));
  }

  @Test
  void theOldestOutcomeIsEvictedBeyondTheBound() {
    // Given
    CompletedTasks cache = new CompletedTasks(2, Duration.ofHours(1), clock);
    cache.put("a", outcome());
    cache.put("b", outcome());

    // When
    cache.put("c", outcome());

    // Then
    assertThat(cache.get("a")).isEmpty();
    assertThat(cache.get("b")).isPresent();
    assertThat(cache.get("c")).isPresent();
    assertThat(cache.size()).isEqualTo(2);
  }

  @Test
  void outcomesExpireAfterTheTtl() {
    // Given
    CompletedTasks cache = new CompletedTasks(10, Duration.ofMinutes(15), clock);
    TaskEvent e = outcome();
    cache.put("a", e);

    // When / Then
    now = now.plus(Duration.ofMinutes(15));
    assertThat(cache.get("a")).contains(e);
    now = now.plusSeconds(1);
    assertThat(cache.get("a")).isEmpty();
    assertThat(cache.size()).isZero();
  }
}
