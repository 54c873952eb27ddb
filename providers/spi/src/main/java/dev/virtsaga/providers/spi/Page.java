package dev.virtsaga.providers.spi;

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
}
