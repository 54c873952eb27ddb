package dev.virtsaga.providers.vsphere;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import io.vertx.core.VertxException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * vSphere failures → the SPI's {@link ErrorType}, in one place.
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>failure</th><th>type</th></tr>
 *   <tr><td>{@code InvalidLogin}, {@code NotAuthenticated} (after the re-login), {@code
 *       NoPermission}</td><td>UNAUTHORIZED</td></tr>
 *   <tr><td>{@code ManagedObjectNotFound}</td><td>NOT_FOUND</td></tr>
 *   <tr><td>{@code InvalidState} and its kin ({@code InvalidPowerState}, {@code InvalidHostState},
 *       …), {@code TaskInProgress}, {@code DuplicateName}, {@code AlreadyExists}</td>
 *       <td>CONFLICT</td></tr>
 *   <tr><td>{@code InvalidArgument}, {@code InvalidRequest}, {@code InvalidProperty}, {@code
 *       InvalidType}</td><td>INVALID_SPEC</td></tr>
 *   <tr><td>{@code NotSupported}, {@code NotImplemented}, {@code MethodNotFound}</td>
 *       <td>NOT_SUPPORTED</td></tr>
 *   <tr><td>{@code Timedout}, the request timeout</td><td>TIMEOUT</td></tr>
 *   <tr><td>HTTP 502/503/504, connection refused, unknown host, TLS handshake failure</td>
 *       <td>UNAVAILABLE</td></tr>
 *   <tr><td>any other fault or answer</td><td>RETRYABLE</td></tr>
 * </table>
 */
final class VimFaults {

  private VimFaults() {}

  /** The type a vim25 fault type name stands for. */
  static ErrorType typeOf(String faultType) {
    return switch (faultType) {
      case "InvalidLogin", "NotAuthenticated", "NoPermission" -> ErrorType.UNAUTHORIZED;
      case "ManagedObjectNotFound" -> ErrorType.NOT_FOUND;
      case "InvalidState", "TaskInProgress", "DuplicateName", "AlreadyExists" -> ErrorType.CONFLICT;
      case "InvalidArgument", "InvalidRequest", "InvalidProperty", "InvalidType" ->
          ErrorType.INVALID_SPEC;
      case "NotSupported", "NotImplemented", "MethodNotFound" -> ErrorType.NOT_SUPPORTED;
      case "Timedout" -> ErrorType.TIMEOUT;
      default ->
          // InvalidPowerState, InvalidHostState, InvalidDatastoreState, … are InvalidState's
          faultType.startsWith("Invalid") && faultType.endsWith("State")
              ? ErrorType.CONFLICT
              : ErrorType.RETRYABLE;
    };
  }

  /** The type of an HTTP answer that carries no SOAP fault. */
  static ErrorType typeOfStatus(int status) {
    return switch (status) {
      case 502, 503, 504 -> ErrorType.UNAVAILABLE;
      case 401, 403 -> ErrorType.UNAUTHORIZED;
      default -> ErrorType.RETRYABLE;
    };
  }

  /**
   * Any failure of a call → a {@link ProviderException}; one already typed is returned as it is.
   *
   * @param what the call, for the message ({@code "RetrievePropertiesEx"})
   */
  static ProviderException of(String what, Throwable t) {
    if (t instanceof ProviderException pe) {
      return pe;
    }
    if (t instanceof SoapFaultException fault) {
      return new ProviderException(
          typeOf(fault.faultType()), what + " failed: " + fault.getMessage(), fault);
    }
    if (isTimeout(t)) {
      return new ProviderException(ErrorType.TIMEOUT, what + " timed out: " + t.getMessage(), t);
    }
    if (isUnreachable(t)) {
      return new ProviderException(
          ErrorType.UNAVAILABLE, what + ": vSphere cannot be reached: " + t.getMessage(), t);
    }
    return new ProviderException(
        ErrorType.RETRYABLE, what + " failed: " + t.getClass().getSimpleName() + " " + t, t);
  }

  static boolean isTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof TimeoutException
          || c instanceof SocketTimeoutException
          || c instanceof io.netty.channel.ConnectTimeoutException) {
        return true;
      }
      String m = c.getMessage();
      if (c instanceof VertxException
          && m != null
          && m.toLowerCase(Locale.ROOT).contains("timeout")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUnreachable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ConnectException
          || c instanceof UnknownHostException
          || c instanceof NoRouteToHostException
          || c instanceof ClosedChannelException
          || c instanceof SSLException) {
        return true;
      }
    }
    return false;
  }
}
