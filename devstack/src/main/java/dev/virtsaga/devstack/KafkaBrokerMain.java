package dev.virtsaga.devstack;

import java.io.IOException;

/**
 * Entry point of the broker JVM: runs {@code kafka.Kafka} and exits (through Kafka's own shutdown
 * hook) when the parent JVM goes away, which closes our stdin. So a test JVM that dies without
 * running its shutdown hooks leaves no orphan broker behind.
 *
 * <p>{@link KafkaBroker} copies this class file next to the broker, so it must stay a single class
 * with no dependencies beyond the JDK (no lambdas, no nested classes).
 */
public final class KafkaBrokerMain implements Runnable {

  private KafkaBrokerMain() {}

  /** {@code args} are those of {@code kafka.Kafka}: the path of server.properties. */
  public static void main(String[] args) throws Exception {
    Thread watchdog = new Thread(new KafkaBrokerMain(), "devstack-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) args);
  }

  @Override
  public void run() {
    try {
      while (System.in.read() != -1) {
        // nothing is ever written; we only wait for end-of-file
      }
    } catch (IOException e) {
      // a broken stdin means the same thing as end-of-file
    }
    System.err.println("devstack: parent process gone, shutting the broker down");
    System.exit(0);
  }
}
