package dev.virtsaga.gateway;

import java.util.List;
import java.util.regex.Pattern;

/** The tenant a request acts for. Until authentication lands it comes from a header. */
public record Tenant(String id) {
  public static final String HEADER = "X-Tenant-Id";
  public static final String DEFAULT = "default";

  /** What a tenant id looks like. */
  public static final String PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$";

  private static final Pattern VALID = Pattern.compile(PATTERN);

  /** The tenant named by the header, the default one when the header is absent. */
  public static Tenant fromHeader(String header) {
    if (header == null || header.isBlank()) {
      return new Tenant(DEFAULT);
    }
    if (!VALID.matcher(header).matches()) {
      throw new InvalidRequestException(
          "Invalid tenant", List.of(new FieldError(HEADER, "must match " + VALID.pattern())));
    }
    return new Tenant(header);
  }
}
