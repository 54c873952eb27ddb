package dev.virtsaga.watcher;

import dev.virtsaga.events.observation.Observation;
import io.smallrye.mutiny.Uni;
import java.util.List;

/** Where a watch loop's observations go ({@code vm.observations.v1}). */
@FunctionalInterface
public interface ObservationSink {
  /** Publishes the observations in order; the item arrives when all are durably accepted. */
  Uni<Void> publish(List<Observation> observations);
}
