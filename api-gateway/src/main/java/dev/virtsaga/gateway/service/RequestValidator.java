package dev.virtsaga.gateway.service;

import dev.virtsaga.gateway.FieldError;
import dev.virtsaga.gateway.InvalidRequestException;
import dev.virtsaga.gateway.config.GatewayConfig;
import dev.virtsaga.gateway.mapping.ProjectLabels;
import dev.virtsaga.gateway.rest.ActionRequest;
import dev.virtsaga.gateway.rest.AdoptVmRequest;
import dev.virtsaga.gateway.rest.CloneVmRequest;
import dev.virtsaga.gateway.rest.CreateVmRequest;
import dev.virtsaga.gateway.rest.ExportDiskRequest;
import dev.virtsaga.gateway.rest.ImportDiskRequest;
import dev.virtsaga.gateway.rest.MigrateVmRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks command bodies: the bean-validation constraints of the request records plus the rules that
 * depend on configuration (enabled providers) or span fields. Every violation is reported at once,
 * each with the field it concerns.
 */
@ApplicationScoped
public class RequestValidator {
  static final int MAX_LABEL_KEY = 63;
  static final int MAX_LABEL_VALUE = 255;
  private static final Pattern LABEL_KEY = Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_./]*)?$");
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("^[\\x21-\\x7e]{1,255}$");

  private final Validator validator;
  private final GatewayConfig config;

  public RequestValidator(Validator validator, GatewayConfig config) {
    this.validator = validator;
    this.config = config;
  }

  public void validateCreate(CreateVmRequest body) {
    requireBody(body);
    List<FieldError> errors = new ArrayList<>(violations(body));
    checkProvider(body.provider(), errors);
    checkLabels(body.labels(), errors);
    throwIfAny(errors);
  }

  /** Checks a disk import body: the create rules plus the image's URL, format and SHA-256. */
  public void validateImport(ImportDiskRequest body) {
    requireBody(body);
    List<FieldError> errors = new ArrayList<>(violations(body));
    checkProvider(body.provider(), errors);
    checkLabels(body.labels(), errors);
    throwIfAny(errors);
  }

  /** Checks an adopt body: sizes in range, a DNS-label name, a drift policy, labels. */
  public void validateAdopt(AdoptVmRequest body) {
    requireBody(body);
    List<FieldError> errors = new ArrayList<>(violations(body));
    checkLabels(body.labels(), errors);
    throwIfAny(errors);
  }

  /** Checks a clone body. */
  public void validateClone(CloneVmRequest body) {
    requireBody(body);
    throwIfAny(new ArrayList<>(violations(body)));
  }

  /** Checks a migrate body. */
  public void validateMigrate(MigrateVmRequest body) {
    requireBody(body);
    throwIfAny(new ArrayList<>(violations(body)));
  }

  /** Checks a disk export body. */
  public void validateExport(ExportDiskRequest body) {
    requireBody(body);
    throwIfAny(new ArrayList<>(violations(body)));
  }

  private static void requireBody(Object body) {
    if (body == null) {
      throw new InvalidRequestException(
          "A request body is required", List.of(new FieldError("body", "must not be empty")));
    }
  }

  private void checkProvider(String provider, List<FieldError> errors) {
    if (provider != null && !config.enabledProviders().contains(provider)) {
      errors.add(
          new FieldError("provider", "must be one of the enabled providers " + enabledProviders()));
    }
  }

  private static void checkLabels(Map<String, String> labels, List<FieldError> errors) {
    if (labels == null) {
      return;
    }
    for (Map.Entry<String, String> label : labels.entrySet()) {
      String key = label.getKey();
      if (ProjectLabels.RESERVED.contains(key)) {
        errors.add(
            new FieldError(
                "labels." + key, "is reserved: the gateway sets it (tenant and project)"));
      }
      if (key.length() > MAX_LABEL_KEY || !LABEL_KEY.matcher(key).matches()) {
        errors.add(
            new FieldError(
                "labels." + key,
                "key must be at most "
                    + MAX_LABEL_KEY
                    + " characters matching "
                    + LABEL_KEY.pattern()));
      }
      if (label.getValue() == null || label.getValue().length() > MAX_LABEL_VALUE) {
        errors.add(
            new FieldError(
                "labels." + key, "value must be a string of at most " + MAX_LABEL_VALUE));
      }
    }
  }

  /** Checks a reconfigure body: at least one size, each in range. */
  public void validateReconfigure(dev.virtsaga.gateway.rest.ReconfigureVmRequest body) {
    if (body == null || body.isEmpty()) {
      throw new InvalidRequestException(
          "Nothing to change",
          List.of(new FieldError("body", "give at least one of cpus, memoryMiB, diskGiB")));
    }
    throwIfAny(new ArrayList<>(violations(body)));
  }

  /** Checks a snapshot body. */
  public void validateSnapshot(dev.virtsaga.gateway.rest.SnapshotRequest body) {
    requireBody(body);
    throwIfAny(new ArrayList<>(violations(body)));
  }

  /** Checks an action body; only {@code stop} takes options. */
  public void validateAction(String action, ActionRequest body) {
    if (body == null) {
      return;
    }
    List<FieldError> errors = new ArrayList<>(violations(body));
    if (!"stop".equals(action) && !body.noOptions()) {
      errors.add(new FieldError("body", "the " + action + " action takes no options"));
    }
    throwIfAny(errors);
  }

  /** Checks an Idempotency-Key header value (when one is given). */
  public void validateIdempotencyKey(String key) {
    if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw new InvalidRequestException(
          "Invalid Idempotency-Key",
          List.of(
              new FieldError(
                  "Idempotency-Key", "must be 1 to 255 printable ASCII characters, no spaces")));
    }
  }

  private String enabledProviders() {
    return String.join(", ", config.enabledProviders());
  }

  private <T> List<FieldError> violations(T body) {
    Set<FieldError> errors = new LinkedHashSet<>();
    validator.validate(body).stream()
        .sorted(Comparator.comparing((ConstraintViolation<T> v) -> v.getPropertyPath().toString()))
        .forEach(v -> errors.add(new FieldError(v.getPropertyPath().toString(), v.getMessage())));
    return List.copyOf(errors);
  }

  private static void throwIfAny(List<FieldError> errors) {
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(
          "The request body breaks " + errors.size() + " rule(s)", errors);
    }
  }
}
