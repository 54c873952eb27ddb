package dev.virtsaga.devstack.virtfusion;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** JSON helpers: the {@code data} envelope, Laravel pagination, Laravel-style validation. */
final class Json {

  static final int DEFAULT_PAGE_SIZE = 20;
  static final int MAX_PAGE_SIZE = 200;

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Json() {}

  /** {@code {"data": payload}}. */
  static JsonObject data(Object payload) {
    return new JsonObject().put("data", payload);
  }

  /** Laravel's timestamp form, e.g. {@code 2025-01-31T09:15:00+00:00}; {@code null} stays null. */
  static String time(Instant instant) {
    return instant == null ? null : TIMESTAMP.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * One page of {@code items} as Laravel's paginator answers it: the items under {@code data},
   * {@code current_page}, {@code last_page}, {@code per_page}, {@code total}, {@code from}, {@code
   * to} and the page URLs.
   */
  static JsonObject page(List<JsonObject> items, Paging paging, String path) {
    int total = items.size();
    int lastPage = Math.max(1, (total + paging.perPage() - 1) / paging.perPage());
    int fromIndex = Math.min(total, (paging.page() - 1) * paging.perPage());
    int toIndex = Math.min(total, fromIndex + paging.perPage());
    JsonArray data = new JsonArray(new ArrayList<>(items.subList(fromIndex, toIndex)));
    String base = path + "?results=" + paging.perPage() + "&page=";
    return new JsonObject()
        .put("current_page", paging.page())
        .put("data", data)
        .put("first_page_url", base + 1)
        .put("from", fromIndex < toIndex ? fromIndex + 1 : null)
        .put("last_page", lastPage)
        .put("last_page_url", base + lastPage)
        .put("next_page_url", paging.page() < lastPage ? base + (paging.page() + 1) : null)
        .put("path", path)
        .put("per_page", paging.perPage())
        .put("prev_page_url", paging.page() > 1 ? base + (paging.page() - 1) : null)
        .put("to", fromIndex < toIndex ? toIndex : null)
        .put("total", total);
  }

  /** The {@code page} (from 1) and {@code results} (1..200, default 20) query parameters. */
  record Paging(int page, int perPage) {

    static Paging of(String results, String page) {
      List<String> errors = new ArrayList<>();
      int perPage = DEFAULT_PAGE_SIZE;
      int pageNumber = 1;
      if (results != null) {
        Long n = parseInteger(results);
        if (n == null || n < 1 || n > MAX_PAGE_SIZE) {
          errors.add("The results must be between 1 and " + MAX_PAGE_SIZE + ".");
        } else {
          perPage = n.intValue();
        }
      }
      if (page != null) {
        Long n = parseInteger(page);
        if (n == null || n < 1 || n > Integer.MAX_VALUE) {
          errors.add("The page must be at least 1.");
        } else {
          pageNumber = n.intValue();
        }
      }
      if (!errors.isEmpty()) {
        throw ApiError.validation(errors);
      }
      return new Paging(pageNumber, perPage);
    }
  }

  /** Laravel's name for a field in messages: {@code packageId} → {@code package id}. */
  static String attribute(String field) {
    return field.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
  }

  /**
   * An integer field (a JSON number without fraction, or a string of digits, as Laravel accepts),
   * checked against [min, max]; problems are added to {@code errors} and give {@code null}.
   */
  static Long integer(
      JsonObject body, String field, boolean required, long min, long max, List<String> errors) {
    Object value = body.getValue(field);
    String name = attribute(field);
    if (value == null || (value instanceof String s && s.isBlank())) {
      if (required) {
        errors.add("The " + name + " field is required.");
      }
      return null;
    }
    Long n = asInteger(value);
    if (n == null) {
      errors.add("The " + name + " must be an integer.");
      return null;
    }
    if (n < min || n > max) {
      errors.add("The " + name + " must be between " + min + " and " + max + ".");
      return null;
    }
    return n;
  }

  /** A string field of at most {@code maxLength} characters. */
  static String string(
      JsonObject body, String field, boolean required, int maxLength, List<String> errors) {
    Object value = body.getValue(field);
    String name = attribute(field);
    if (value == null || (value instanceof String s && s.isBlank())) {
      if (required) {
        errors.add("The " + name + " field is required.");
      }
      return null;
    }
    if (!(value instanceof String s)) {
      errors.add("The " + name + " must be a string.");
      return null;
    }
    if (s.length() > maxLength) {
      errors.add("The " + name + " may not be greater than " + maxLength + " characters.");
      return null;
    }
    return s;
  }

  /** A boolean field (true/false, 1/0, "true"/"false"); {@code null} when absent. */
  static Boolean bool(JsonObject body, String field, List<String> errors) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String text = String.valueOf(value);
    if (text.equals("1") || text.equalsIgnoreCase("true")) {
      return true;
    }
    if (text.equals("0") || text.equalsIgnoreCase("false")) {
      return false;
    }
    errors.add("The " + attribute(field) + " field must be true or false.");
    return null;
  }

  /** An array of integers; {@code null} when absent. */
  static List<Long> integers(JsonObject body, String field, List<String> errors) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      errors.add("The " + attribute(field) + " must be an array.");
      return null;
    }
    List<Long> result = new ArrayList<>();
    for (Object item : array) {
      Long n = asInteger(item);
      if (n == null) {
        errors.add("The " + attribute(field) + " must contain integers only.");
        return null;
      }
      result.add(n);
    }
    return result;
  }

  static Long parseInteger(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Long asInteger(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      return ((Number) value).longValue();
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? (long) d : null;
    }
    if (value instanceof String s && s.trim().matches("-?\\d{1,15}")) {
      return Long.parseLong(s.trim());
    }
    return null;
  }
}
