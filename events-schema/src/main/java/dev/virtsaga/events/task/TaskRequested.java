package dev.virtsaga.events.task;

import dev.virtsaga.events.Opt;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.VmSpec;
import java.time.Instant;

/**
 * A saga step asking a worker for one provider call, on {@code vm.tasks.<provider>.v1}.
 *
 * @param idempotencyKey {@code operationId:step}; a worker that sees it twice does the work once
 * @param deadline a worker drops the task (failing it with TIMEOUT) once this has passed
 * @param spec the VM's spec, for CREATE; the spec it should get, for RECONFIGURE
 * @param providerRef the hypervisor's id of the VM, once known
 */
public record TaskRequested(
    String taskId,
    String operationId,
    String vmId,
    String provider,
    String step,
    TaskAction action,
    int attempt,
    String idempotencyKey,
    Instant deadline,
    @Opt VmSpec spec,
    @Opt String providerRef) {}
