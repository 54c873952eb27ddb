package dev.virtsaga.gateway;

/** A project of that name exists for the tenant, created with another request (409). */
public class ProjectExistsException extends GatewayException {
  public ProjectExistsException(String name) {
    super(
        409,
        "Project exists",
        "project '"
            + name
            + "' exists with another request; repeat the same request to complete it, or choose"
            + " another name");
  }

  @Override
  public String kind() {
    return "project-exists";
  }
}
