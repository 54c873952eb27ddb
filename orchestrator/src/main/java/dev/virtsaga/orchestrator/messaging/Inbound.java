package dev.virtsaga.orchestrator.messaging;

import dev.virtsaga.events.MalformedEventException;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * How consumers handle failures so that no message is lost: a record that cannot be read fails at
 * once (the channel's dead-letter queue takes it, with its cause); any other failure (database
 * down, lost lock race beyond its retries) is retried with backoff until it succeeds. During
 * shutdown a failing record is left unacknowledged, so its offset is not committed and it is
 * delivered again after the restart — it never reaches the dead-letter queue.
 */
@ApplicationScoped
public class Inbound {
  private static final Logger LOG = Logger.getLogger(Inbound.class);
  private volatile boolean stopping;

  void onShutdown(@Observes @Priority(1) ShutdownEvent ev) {
    stopping = true;
  }

  public Uni<Void> handle(String what, Supplier<Uni<Void>> work) {
    return Uni.createFrom()
        .deferred(work::get)
        .onFailure(t -> !(t instanceof MalformedEventException) && !stopping)
        .invoke(t -> LOG.warnf("%s failed, retrying: %s", what, t.toString()))
        .onFailure(t -> !(t instanceof MalformedEventException) && !stopping)
        .retry()
        .withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5))
        .indefinitely()
        .onFailure(t -> !(t instanceof MalformedEventException))
        .recoverWithUni(
            t -> {
              LOG.infof(
                  "%s left unacknowledged for redelivery after restart: %s", what, t.toString());
              return Uni.createFrom().nothing();
            });
  }
}
