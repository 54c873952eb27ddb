package dev.virtsaga.gateway;

import java.util.List;

/**
 * A disk import or export URL the transfer allow-list refuses (422): a scheme other than file, http
 * and https, a file outside the allowed directories, a host that is (or resolves to) a loopback,
 * link-local or private address, credentials in the URL (ARCHITECTURE.md §7: no SSRF).
 */
public class UrlNotAllowedException extends GatewayException {
  private final String field;

  /**
   * @param field the request field holding the URL
   * @param rule why it is refused, as the allow-list says it
   */
  public UrlNotAllowedException(String field, String rule) {
    super(422, "URL not allowed", rule);
    this.field = field;
  }

  @Override
  public List<FieldError> errors() {
    return List.of(new FieldError(field, getMessage()));
  }

  @Override
  public String kind() {
    return "url-not-allowed";
  }
}
