package dev.virtsaga.providers.spi;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * One page of a listing.
 *
 * @param items the page's items, in the provider's stable order
 * @param nextPageToken pass to the next call to continue, or {@code null} on the last page
 */
public record Page<T>(List<T> items, String nextPageToken) {
  public Page {
    items = List.copyOf(items);
  }

  public Optional<String> next() {
    return Optional.ofNullable(nextPageToken);
  }

  public boolean isLast() {
    return nextPageToken == null;
  }

  /**
   * Checks a requested page size.
   *
   * @throws ProviderException INVALID_SPEC below 1
   */
  public static void requireSize(int pageSize) {
    if (pageSize < 1) {
      throw ProviderException.invalidSpec("pageSize must be at least 1, was " + pageSize);
    }
  }

  /** A page token that resumes after {@code key} (base64url, no padding). */
  public static String tokenAfter(String key) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(UTF_8));
  }

  /**
   * The key a {@link #tokenAfter} token resumes after.
   *
   * @throws ProviderException INVALID_SPEC for a token that is not one
   */
  public static String keyOf(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), UTF_8);
    } catch (IllegalArgumentException e) {
      throw ProviderException.invalidSpec("not a page token of this provider");
    }
  }
}
