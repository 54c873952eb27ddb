package dev.virtsaga.providers.libvirt;

import org.jboss.logging.Logger;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;

/**
 * One libvirt connection, opened lazily and reopened when it dies (daemon restart, socket closed).
 * libvirt connections are thread-safe: many calls may use the same {@link Connect} at once; only
 * opening and replacing it is serialised.
 */
public final class LibvirtConnection implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LibvirtConnection.class);

  /** Keeps libvirt from printing every error to stderr; errors reach us as exceptions. */
  private static final Libvirt.VirErrorCallback SILENT = (userData, error) -> {};

  private static volatile boolean silenced;

  /** A call that needs the connection. */
  @FunctionalInterface
  public interface Call<T> {
    T apply(Connect connect) throws LibvirtException;
  }

  private final String uri;
  private Connect connect; // guarded by this
  private boolean closed; // guarded by this

  public LibvirtConnection(String uri) {
    this.uri = uri;
  }

  public String uri() {
    return uri;
  }

  /**
   * Runs a call on a live connection. When the call fails because the connection broke, the
   * connection is dropped so the next call reconnects; the failure is rethrown.
   */
  public <T> T call(Call<T> call) throws LibvirtException {
    Connect c = live();
    try {
      return call.apply(c);
    } catch (LibvirtException e) {
      if (LibvirtErrors.isConnectionLoss(e)) {
        drop(c);
      }
      throw e;
    }
  }

  private synchronized Connect live() throws LibvirtException {
    if (closed) {
      throw new IllegalStateException("libvirt connection to " + uri + " is closed");
    }
    if (connect != null && !isAlive(connect)) {
      LOG.warnf("libvirt connection to %s died; reconnecting", uri);
      closeQuietly(connect);
      connect = null;
    }
    if (connect == null) {
      silenceLibvirtStderr();
      connect = new Connect(uri);
      LOG.debugf("libvirt connection to %s opened", uri);
    }
    return connect;
  }

  private static boolean isAlive(Connect c) {
    try {
      return c.isAlive();
    } catch (LibvirtException | RuntimeException e) {
      return false;
    }
  }

  private synchronized void drop(Connect broken) {
    if (connect == broken) {
      LOG.warnf("libvirt connection to %s lost; the next call reconnects", uri);
      closeQuietly(connect);
      connect = null;
    }
  }

  /** The current connection, if open (for tests that simulate a dying connection). */
  synchronized Connect current() {
    return connect;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (connect != null) {
      closeQuietly(connect);
      connect = null;
    }
  }

  private static void closeQuietly(Connect c) {
    try {
      c.close();
    } catch (LibvirtException | RuntimeException e) {
      LOG.debugf("closing a libvirt connection failed: %s", e.getMessage());
    }
  }

  static void silenceLibvirtStderr() throws LibvirtException {
    if (!silenced) {
      Connect.setErrorCallback(SILENT);
      silenced = true;
    }
  }
}
