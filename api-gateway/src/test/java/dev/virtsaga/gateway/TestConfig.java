package dev.virtsaga.gateway;

import dev.virtsaga.gateway.config.GatewayConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A {@link GatewayConfig} with the defaults, for plain unit tests. */
public record TestConfig(Duration inFlightTimeout) implements GatewayConfig {
  public static TestConfig defaults() {
    return new TestConfig(Duration.ofMinutes(10));
  }

  @Override
  public List<String> enabledProviders() {
    return List.of("libvirt");
  }

  @Override
  public String eventSource() {
    return "/test";
  }

  @Override
  public Idempotency idempotency() {
    return new Idempotency() {
      @Override
      public Duration ttl() {
        return Duration.ofHours(24);
      }

      @Override
      public String cleanupEvery() {
        return "15m";
      }

      @Override
      public Duration takeoverAfter() {
        return Duration.ofSeconds(30);
      }
    };
  }

  @Override
  public Operations operations() {
    return () -> Duration.ofDays(30);
  }

  @Override
  public InFlight inFlight() {
    return () -> inFlightTimeout;
  }

  @Override
  public Listing listing() {
    return new Listing() {
      @Override
      public int defaultLimit() {
        return 50;
      }

      @Override
      public int maxLimit() {
        return 500;
      }
    };
  }

  @Override
  public Events events() {
    return new Events() {
      @Override
      public int subscriberBuffer() {
        return 4;
      }

      @Override
      public Duration heartbeat() {
        return Duration.ofSeconds(15);
      }
    };
  }

  @Override
  public Transfer transfer() {
    return new Transfer() {
      @Override
      public List<String> fileRoots() {
        return List.of("/var/lib/virtsaga/transfer");
      }

      @Override
      public Optional<List<String>> allowedHosts() {
        return Optional.empty();
      }

      @Override
      public boolean allowPrivateNetworks() {
        return false;
      }
    };
  }

  @Override
  public Workers workers() {
    return () -> Duration.ofSeconds(10);
  }
}
