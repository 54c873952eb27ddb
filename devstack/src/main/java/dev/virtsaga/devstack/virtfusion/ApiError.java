package dev.virtsaga.devstack.virtfusion;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** A refused request: the status and body the simulator answers with, as VirtFusion does. */
final class ApiError extends RuntimeException {

  private final int status;
  private final transient JsonObject body;

  private ApiError(int status, JsonObject body) {
    super(status + " " + body, null, false, false);
    this.status = status;
    this.body = body;
  }

  /** 404 {@code {"msg":"<what> not found"}}, the form of VirtFusion's older endpoints. */
  static ApiError notFound(String what) {
    return new ApiError(404, new JsonObject().put("msg", what + " not found"));
  }

  /** 422 {@code {"errors":[...]}}. */
  static ApiError validation(List<String> errors) {
    return new ApiError(422, new JsonObject().put("errors", new JsonArray(List.copyOf(errors))));
  }

  static ApiError validation(String error) {
    return validation(List.of(error));
  }

  /** 409 {@code {"errors":[...]}}: the request conflicts with the server's current state. */
  static ApiError conflict(String error) {
    return new ApiError(409, new JsonObject().put("errors", new JsonArray().add(error)));
  }

  int status() {
    return status;
  }

  JsonObject body() {
    return body;
  }
}
