package dev.virtsaga.providers.spi;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * {@link Capability#WATCH}: list-then-watch, the informer pattern (fabric8 {@code Reflector}).
 *
 * <p>A consumer lists with {@link #listWithVersion()}, then {@link #watch watches} from the
 * returned version. Events are ADDED / MODIFIED / DELETED of managed VMs with their power state.
 * When the source cannot guarantee that no event was missed — its connection to the hypervisor was
 * lost and re-established, or the version is unknown or too old — it emits {@link
 * WatchEvent.Type#GONE} and completes the stream: the consumer must relist and reconcile.
 */
public interface WatchSource {

  /**
   * All managed VMs and the version to watch from. Read-only; the version never goes backwards
   * while the source's connection lives.
   */
  Uni<VmList> listWithVersion();

  /**
   * The changes after {@code resourceVersion}, in order, until the subscriber cancels or a GONE
   * event ends the stream. Nothing happens until subscription. Read-only.
   *
   * @param resourceVersion a version from {@link #listWithVersion()} or from a {@link WatchEvent};
   *     one the source does not know (another connection, too old) yields GONE at once
   */
  Multi<WatchEvent> watch(String resourceVersion);
}
