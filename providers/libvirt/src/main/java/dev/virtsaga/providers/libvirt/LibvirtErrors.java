package dev.virtsaga.providers.libvirt;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import java.util.EnumSet;
import java.util.Set;
import org.libvirt.Error.ErrorDomain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/** Maps libvirt error codes onto the SPI's {@link ErrorType}s, in one place. */
public final class LibvirtErrors {

  private static final Set<ErrorNumber> NOT_FOUND =
      EnumSet.of(
          ErrorNumber.VIR_ERR_NO_DOMAIN,
          ErrorNumber.VIR_ERR_NO_STORAGE_POOL,
          ErrorNumber.VIR_ERR_NO_STORAGE_VOL,
          ErrorNumber.VIR_ERR_NO_DOMAIN_SNAPSHOT,
          ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA,
          ErrorNumber.VIR_ERR_NO_NETWORK);

  private static final Set<ErrorNumber> INVALID_SPEC =
      EnumSet.of(
          ErrorNumber.VIR_ERR_INVALID_ARG,
          ErrorNumber.VIR_ERR_XML_ERROR,
          ErrorNumber.VIR_ERR_XML_DETAIL,
          ErrorNumber.VIR_ERR_XML_INVALID_SCHEMA,
          ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED,
          ErrorNumber.VIR_ERR_OS_TYPE,
          ErrorNumber.VIR_ERR_NO_NAME,
          ErrorNumber.VIR_ERR_NO_OS,
          ErrorNumber.VIR_ERR_NO_SOURCE,
          ErrorNumber.VIR_ERR_NO_TARGET,
          ErrorNumber.VIR_ERR_CPU_INCOMPATIBLE,
          ErrorNumber.VIR_ERR_INVALID_MAC);

  private static final Set<ErrorNumber> CONFLICT =
      EnumSet.of(
          ErrorNumber.VIR_ERR_OPERATION_INVALID,
          ErrorNumber.VIR_ERR_DOM_EXIST,
          ErrorNumber.VIR_ERR_STORAGE_VOL_EXIST,
          ErrorNumber.VIR_ERR_RESOURCE_BUSY,
          ErrorNumber.VIR_ERR_BLOCK_COPY_ACTIVE,
          ErrorNumber.VIR_ERR_MULTIPLE_DOMAINS);

  private static final Set<ErrorNumber> NOT_SUPPORTED =
      EnumSet.of(
          ErrorNumber.VIR_ERR_NO_SUPPORT,
          ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED,
          ErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED);

  private static final Set<ErrorNumber> UNAUTHORIZED =
      EnumSet.of(
          ErrorNumber.VIR_ERR_AUTH_FAILED,
          ErrorNumber.VIR_ERR_AUTH_CANCELLED,
          ErrorNumber.VIR_ERR_AUTH_UNAVAILABLE,
          ErrorNumber.VIR_ERR_ACCESS_DENIED,
          ErrorNumber.VIR_ERR_OPERATION_DENIED);

  /** The connection itself is broken: reconnect before the next call. */
  private static final Set<ErrorNumber> CONNECTION =
      EnumSet.of(
          ErrorNumber.VIR_ERR_NO_CONNECT,
          ErrorNumber.VIR_ERR_INVALID_CONN,
          ErrorNumber.VIR_ERR_RPC,
          ErrorNumber.VIR_ERR_OPEN_FAILED,
          ErrorNumber.VIR_ERR_NO_SERVER,
          ErrorNumber.VIR_ERR_NO_CLIENT);

  private static final Set<ErrorNumber> UNAVAILABLE =
      EnumSet.of(
          ErrorNumber.VIR_ERR_AGENT_UNRESPONSIVE,
          ErrorNumber.VIR_ERR_AGENT_UNSYNCED,
          ErrorNumber.VIR_ERR_UNKNOWN_HOST);

  private LibvirtErrors() {}

  /** The SPI error type of a libvirt error. */
  public static ErrorType typeOf(ErrorNumber code, ErrorDomain domain) {
    if (code == null) {
      return ErrorType.RETRYABLE;
    }
    if (NOT_FOUND.contains(code)) {
      return ErrorType.NOT_FOUND;
    }
    if (INVALID_SPEC.contains(code)) {
      return ErrorType.INVALID_SPEC;
    }
    if (CONFLICT.contains(code)) {
      return ErrorType.CONFLICT;
    }
    if (NOT_SUPPORTED.contains(code)) {
      return ErrorType.NOT_SUPPORTED;
    }
    if (UNAUTHORIZED.contains(code)) {
      return ErrorType.UNAUTHORIZED;
    }
    if (code == ErrorNumber.VIR_ERR_OPERATION_TIMEOUT) {
      return ErrorType.TIMEOUT;
    }
    if (isConnectionLoss(code, domain) || UNAVAILABLE.contains(code)) {
      return ErrorType.UNAVAILABLE;
    }
    // internal errors, failed operations, out of memory, …: transient as far as we can tell
    return ErrorType.RETRYABLE;
  }

  /** Whether the error means the connection is gone (socket closed, daemon restarted, …). */
  public static boolean isConnectionLoss(ErrorNumber code, ErrorDomain domain) {
    if (CONNECTION.contains(code)) {
      return true;
    }
    // "Failed to connect socket" / "unable to connect to server" come as SYSTEM_ERROR from the
    // RPC or remote driver
    return code == ErrorNumber.VIR_ERR_SYSTEM_ERROR
        && (domain == ErrorDomain.VIR_FROM_RPC || domain == ErrorDomain.VIR_FROM_REMOTE);
  }

  public static boolean isConnectionLoss(LibvirtException e) {
    return e.getError() != null
        && isConnectionLoss(e.getError().getCode(), e.getError().getDomain());
  }

  public static ErrorNumber codeOf(LibvirtException e) {
    return e.getError() == null ? null : e.getError().getCode();
  }

  /** The typed exception for a libvirt failure while doing {@code what}. */
  public static ProviderException toProviderException(String what, LibvirtException e) {
    ErrorNumber code = codeOf(e);
    ErrorDomain domain = e.getError() == null ? null : e.getError().getDomain();
    String message = what + ": " + e.getMessage() + " [" + code + "]";
    return new ProviderException(typeOf(code, domain), message, e);
  }
}
