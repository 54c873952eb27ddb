package dev.virtsaga.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.virtsaga.gateway.FieldError;
import dev.virtsaga.gateway.GatewayException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place errors become HTTP answers: every failure is an {@code application/problem+json}
 * (RFC 9457) body. Client errors are not logged (the client gets them); server errors are logged
 * once, here.
 */
public class ProblemMappers {
  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  public Response gateway(GatewayException e, UriInfo uri) {
    if (e.status() >= 500 && e.getCause() != null) {
      LOG.warnf("%s: %s (%s)", e.title(), e.getMessage(), e.getCause().toString());
    }
    List<FieldError> errors = e.errors();
    Response response =
        problem(
            new Problem(
                Problem.TYPE_BASE + e.kind(),
                e.title(),
                e.status(),
                e.getMessage(),
                path(uri),
                errors));
    if (e.retryAfterSeconds() != null) {
      response.getHeaders().putSingle("Retry-After", String.valueOf(e.retryAfterSeconds()));
    }
    return response;
  }

  /** Malformed JSON (syntax, truncated, numbers out of range, duplicate keys). */
  @ServerExceptionMapper
  public Response unreadable(StreamReadException e, UriInfo uri) {
    return invalidBody(
        "The request body is not valid JSON or out of range: " + e.getOriginalMessage(),
        List.of(),
        uri);
  }

  /** JSON that does not fit the request type: unknown properties, wrong types. */
  @ServerExceptionMapper
  public Response mismatched(MismatchedInputException e, UriInfo uri) {
    String field = fieldPath(e);
    String message =
        e instanceof UnrecognizedPropertyException u
            ? "unknown property '" + u.getPropertyName() + "'"
            : "wrong type: expected "
                + (e.getTargetType() == null ? "another type" : typeName(e.getTargetType()));
    return invalidBody(
        "The request body does not match the expected shape",
        List.of(new FieldError(field.isEmpty() ? "body" : field, message)),
        uri);
  }

  @ServerExceptionMapper
  public Response otherJson(JsonProcessingException e, UriInfo uri) {
    return invalidBody(
        "The request body cannot be read: " + e.getOriginalMessage(), List.of(), uri);
  }

  @ServerExceptionMapper
  public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
    List<FieldError> errors =
        e.getConstraintViolations().stream()
            .map(v -> new FieldError(v.getPropertyPath().toString(), v.getMessage()))
            .toList();
    return invalidBody("The request breaks " + errors.size() + " rule(s)", errors, uri);
  }

  /** JAX-RS's own answers (unknown path 404, 405, 406, 415, …), as problems. */
  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e, UriInfo uri) {
    Response.StatusType status = e.getResponse().getStatusInfo();
    if (status.getStatusCode() >= 500) {
      LOG.error("request failed", e);
    }
    Throwable cause = e.getCause();
    if (cause instanceof JsonProcessingException json) {
      return otherJson(json, uri);
    }
    return problem(
        Problem.of(
            "http-" + status.getStatusCode(),
            status.getReasonPhrase(),
            status.getStatusCode(),
            e.getMessage(),
            path(uri)));
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e, UriInfo uri) {
    LOG.error("unexpected failure on " + path(uri), e);
    return problem(
        Problem.of(
            "internal-error",
            "Internal Server Error",
            500,
            "The request could not be completed",
            path(uri)));
  }

  private static Response invalidBody(String detail, List<FieldError> errors, UriInfo uri) {
    return problem(
        new Problem(
            Problem.TYPE_BASE + "invalid-request",
            "Invalid request",
            400,
            detail,
            path(uri),
            errors.isEmpty() ? null : errors));
  }

  static Response problem(Problem p) {
    return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
  }

  private static String path(UriInfo uri) {
    return uri == null ? null : "/" + uri.getPath().replaceFirst("^/", "");
  }

  private static String fieldPath(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static String typeName(Class<?> type) {
    if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
      return "an integer";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "a boolean";
    }
    if (type == String.class) {
      return "a string";
    }
    if (java.util.Map.class.isAssignableFrom(type)) {
      return "an object of strings";
    }
    return "an object";
  }
}
