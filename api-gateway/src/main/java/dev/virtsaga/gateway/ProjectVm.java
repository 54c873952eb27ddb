package dev.virtsaga.gateway;

/**
 * One VM of a project. Its ids are chosen when the project is first stored, before its create is
 * published, so a repeat of the request publishes the same create (same vmId and operationId)
 * rather than a second VM.
 *
 * @param instance the request's instance it was fanned out from
 * @param position its place in the request (instances in order, then 1..n)
 * @param submitted whether Kafka acknowledged its create
 */
public record ProjectVm(
    String tenantId,
    String project,
    String vmName,
    String instance,
    String vmId,
    String operationId,
    int position,
    boolean submitted) {

  /** The same VM, its create published. */
  public ProjectVm asSubmitted() {
    return new ProjectVm(tenantId, project, vmName, instance, vmId, operationId, position, true);
  }
}
