package dev.virtsaga.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.Json;
import dev.virtsaga.events.lifecycle.VmDeleted;
import dev.virtsaga.gateway.LifecycleNotice;
import dev.virtsaga.gateway.TestConfig;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LifecycleBroadcasterTest {
  LifecycleBroadcaster broadcaster = new LifecycleBroadcaster(TestConfig.defaults());

  @Test
  void aSlowSubscriberIsCutOffWithoutHoldingUpThePublisherOrOthers() {
    // Given one subscriber that reads everything and one that reads nothing (buffer: 4)
    AssertSubscriber<LifecycleNotice> fast =
        broadcaster
            .subscribe("t", null)
            .subscribe()
            .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
    AssertSubscriber<LifecycleNotice> slow =
        broadcaster.subscribe("t", null).subscribe().withSubscriber(AssertSubscriber.create(0));
    assertThat(broadcaster.subscribers()).isEqualTo(2);

    // When
    for (int i = 0; i < 10; i++) {
      broadcaster.publish(notice("vm-" + i, "t"));
    }

    // Then
    assertThat(fast.getItems()).hasSize(10);
    slow.assertFailedWith(BackPressureFailure.class);
    assertThat(broadcaster.subscribers()).isEqualTo(1);
  }

  @Test
  void subscribersSeeOnlyTheirTenantAndTheirVm() {
    AssertSubscriber<LifecycleNotice> tenantT =
        broadcaster.subscribe("t", null).subscribe().withSubscriber(AssertSubscriber.create(10));
    AssertSubscriber<LifecycleNotice> vmA =
        broadcaster.subscribe("t", "a").subscribe().withSubscriber(AssertSubscriber.create(10));

    broadcaster.publish(notice("a", "t"));
    broadcaster.publish(notice("b", "t"));
    broadcaster.publish(notice("a", "u"));

    assertThat(tenantT.getItems()).extracting(LifecycleNotice::vmId).containsExactly("a", "b");
    assertThat(vmA.getItems())
        .extracting(n -> n.vmId() + "/" + n.tenantId())
        .containsExactly("a/t");
  }

  @Test
  void cancellingUnsubscribes() {
    AssertSubscriber<LifecycleNotice> s =
        broadcaster.subscribe("t", null).subscribe().withSubscriber(AssertSubscriber.create(10));

    s.cancel();

    assertThat(broadcaster.subscribers()).isZero();
  }

  static LifecycleNotice notice(String vmId, String tenant) {
    VmDeleted e = new VmDeleted(vmId, "op", Instant.EPOCH);
    return new LifecycleNotice(
        "id-" + vmId,
        "dev.virtsaga.vm.deleted.v1",
        vmId,
        tenant,
        e,
        Json.mapper().createObjectNode());
  }
}
