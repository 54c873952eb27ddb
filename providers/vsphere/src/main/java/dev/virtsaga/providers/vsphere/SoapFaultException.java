package dev.virtsaga.providers.vsphere;

/**
 * A SOAP fault as the server sent it, before {@link VimFaults} types it: what {@link VimClient}
 * fails with internally (it never leaves the client).
 */
final class SoapFaultException extends RuntimeException {
  private final String faultType;
  private final int httpStatus;

  /**
   * @param faultType the vim25 fault type from the detail ({@code InvalidLogin}), or empty
   * @param faultString the server's text
   * @param httpStatus the HTTP status it came with (500 for vim25 faults)
   */
  SoapFaultException(String faultType, String faultString, int httpStatus) {
    super(faultType.isEmpty() ? faultString : faultType + ": " + faultString, null, false, false);
    this.faultType = faultType;
    this.httpStatus = httpStatus;
  }

  String faultType() {
    return faultType;
  }

  int httpStatus() {
    return httpStatus;
  }

  boolean isNotAuthenticated() {
    return faultType.equals("NotAuthenticated");
  }
}
