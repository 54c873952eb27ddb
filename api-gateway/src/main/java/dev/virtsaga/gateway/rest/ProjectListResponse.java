package dev.virtsaga.gateway.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One page of a tenant's projects, oldest first. */
@Schema(name = "ProjectList")
public record ProjectListResponse(
    List<Item> items,
    @Schema(description = "How many projects the tenant has") int total,
    int offset,
    int limit) {

  /** A project in the list; its progress is at /v1/projects/{project_name}. */
  @Schema(name = "ProjectListItem")
  public record Item(
      @JsonProperty("project_name") String projectName,
      Instant createdAt,
      @Schema(description = "How many VMs it has") int vms) {}
}
