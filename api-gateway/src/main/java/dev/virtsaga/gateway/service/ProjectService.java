package dev.virtsaga.gateway.service;

import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.CommandReceipt;
import dev.virtsaga.gateway.NotFoundException;
import dev.virtsaga.gateway.Operation;
import dev.virtsaga.gateway.OperationStatus;
import dev.virtsaga.gateway.Project;
import dev.virtsaga.gateway.ProjectExistsException;
import dev.virtsaga.gateway.ProjectProgress;
import dev.virtsaga.gateway.ProjectProgress.Phase;
import dev.virtsaga.gateway.ProjectVm;
import dev.virtsaga.gateway.mapping.ProjectMapper;
import dev.virtsaga.gateway.mapping.ProjectMapper.PlannedVm;
import dev.virtsaga.gateway.repository.OperationRepository;
import dev.virtsaga.gateway.repository.ProjectRepository;
import dev.virtsaga.gateway.rest.ProjectRequest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Projects: a batch of creates from one request. Every create is checked before anything is
 * published, then the project and the ids of all its VMs are stored in one transaction, then the
 * creates are submitted one after the other through {@link CommandService} (same checks, operation
 * records and Kafka publishing as {@code POST /v1/vms}), each with an Idempotency-Key derived from
 * the project and the VM. Repeating the request — after a crash or a 503 mid-fan-out — submits what
 * is missing with the ids stored first, so no VM is ever made twice.
 */
@ApplicationScoped
public class ProjectService {
  private static final Logger LOG = Logger.getLogger(ProjectService.class);

  private final CommandService commands;
  private final ProjectRepository projects;
  private final OperationRepository operations;
  private final VmQueryService queries;
  private final Clock clock = Clock.systemUTC();

  public ProjectService(
      CommandService commands,
      ProjectRepository projects,
      OperationRepository operations,
      VmQueryService queries) {
    this.commands = commands;
    this.projects = projects;
    this.operations = operations;
    this.queries = queries;
  }

  /**
   * Creates a validated project, or completes the one created before with the same request.
   *
   * @param requestId correlates the creates with the HTTP request
   * @return the project's VMs, in request order, once Kafka acknowledged every create; fails with
   *     {@link ProjectExistsException} when the name is taken by another request, or with the first
   *     create's refusal (then nothing was published unless the refusal came from Kafka)
   */
  public Uni<List<ProjectVm>> create(String tenantId, String requestId, ProjectRequest body) {
    return Uni.createFrom()
        .deferred(
            () -> {
              ProjectRequest normalized = ProjectMapper.normalize(body);
              List<PlannedVm> plan = ProjectMapper.plan(tenantId, normalized);
              // all or nothing: a create refused up front publishes nothing of the project
              plan.forEach(vm -> commands.checkCreate(vm.command()));
              String name = normalized.projectName();
              String fingerprint = ProjectMapper.fingerprint(normalized);
              Project project =
                  new Project(
                      tenantId,
                      name,
                      ProjectMapper.canonicalJson(normalized),
                      fingerprint,
                      clock.instant());
              List<ProjectVm> fresh =
                  plan.stream()
                      .map(
                          vm ->
                              ProjectMapper.toProjectVm(
                                  tenantId,
                                  name,
                                  vm,
                                  UUID.randomUUID().toString(),
                                  UUID.randomUUID().toString()))
                      .toList();
              return projects
                  .insert(project, fresh)
                  .chain(
                      inserted ->
                          inserted
                              ? Uni.createFrom().item(fresh)
                              : stored(tenantId, name, fingerprint))
                  .chain(vms -> submitMissing(tenantId, requestId, name, plan, vms));
            });
  }

  /** The VMs of the project stored before, when it was created with the same request. */
  private Uni<List<ProjectVm>> stored(String tenantId, String name, String fingerprint) {
    return projects
        .find(tenantId, name)
        .chain(
            existing -> {
              if (existing == null || !existing.fingerprint().equals(fingerprint)) {
                return Uni.createFrom().failure(new ProjectExistsException(name));
              }
              return projects.vms(tenantId, name);
            });
  }

  private Uni<List<ProjectVm>> submitMissing(
      String tenantId,
      String requestId,
      String project,
      List<PlannedVm> plan,
      List<ProjectVm> stored) {
    Map<String, ProjectVm> byName =
        stored.stream().collect(Collectors.toMap(ProjectVm::vmName, Function.identity()));
    long missing = stored.stream().filter(vm -> !vm.submitted()).count();
    return Multi.createFrom()
        .iterable(plan)
        .onItem()
        .transformToUniAndConcatenate(
            planned -> {
              ProjectVm vm = byName.get(planned.vmName());
              if (vm == null) {
                return Uni.createFrom()
                    .failure(
                        new IllegalStateException(
                            "project " + project + " has no stored VM " + planned.vmName()));
              }
              return vm.submitted()
                  ? Uni.createFrom().item(vm)
                  : submit(tenantId, requestId, planned, vm);
            })
        .collect()
        .asList()
        .invoke(
            vms ->
                LOG.infof(
                    "project %s of tenant %s: %d VMs, %d creates submitted now",
                    project, tenantId, vms.size(), missing));
  }

  private Uni<ProjectVm> submit(
      String tenantId, String requestId, PlannedVm planned, ProjectVm vm) {
    CommandReceipt ids = new CommandReceipt(vm.operationId(), vm.vmId(), OperationStatus.ACCEPTED);
    return commands
        .submitCreate(
            tenantId,
            ProjectMapper.idempotencyKey(tenantId, vm.project(), vm.vmName()),
            requestId,
            planned.command(),
            ids)
        .chain(() -> projects.markSubmitted(tenantId, vm.project(), vm.vmName()))
        .replaceWith(vm.asSubmitted());
  }

  /**
   * The tenant's project with the progress of each VM.
   *
   * @throws NotFoundException (as a failure) when the tenant has no such project
   */
  public Uni<ProjectProgress> get(String tenantId, String name) {
    return projects
        .find(tenantId, name)
        .onItem()
        .ifNull()
        .failWith(() -> new NotFoundException("project " + name + " does not exist"))
        .chain(
            project ->
                projects
                    .vms(tenantId, name)
                    .chain(
                        vms ->
                            operations
                                .findAll(
                                    tenantId,
                                    vms.stream()
                                        .filter(ProjectVm::submitted)
                                        .map(ProjectVm::operationId)
                                        .toList())
                                .map(ops -> progress(project, vms, ops))));
  }

  private ProjectProgress progress(
      Project project, List<ProjectVm> vms, Map<String, Operation> operationsById) {
    List<ProjectProgress.VmProgress> out = new ArrayList<>(vms.size());
    for (ProjectVm vm : vms) {
      VmState state =
          vm.submitted()
              ? queries.find(project.tenantId(), vm.vmId()).map(VmSnapshot::state).orElse(null)
              : null;
      Operation create = vm.submitted() ? operationsById.get(vm.operationId()) : null;
      out.add(
          new ProjectProgress.VmProgress(
              vm,
              state,
              create,
              Phase.of(vm.submitted(), state, create == null ? null : create.status())));
    }
    return new ProjectProgress(project, out);
  }

  /** A page of the tenant's projects, oldest first. */
  public Uni<ProjectRepository.Page> list(String tenantId, int offset, int limit) {
    return projects.list(tenantId, offset, limit);
  }
}
