package dev.virtsaga.orchestrator;

import dev.virtsaga.events.model.CloneArgs;
import dev.virtsaga.events.model.DiskExportArgs;

/**
 * What a clone or a disk export works on, as the command gave it.
 *
 * @param cloneTo clone: the VM to make (also what a compensation or a pre-empting delete removes)
 * @param export disk export: where and how
 */
public record OperationArgs(CloneArgs cloneTo, DiskExportArgs export) {

  public static OperationArgs clone(CloneArgs cloneTo) {
    return new OperationArgs(cloneTo, null);
  }

  public static OperationArgs export(DiskExportArgs export) {
    return new OperationArgs(null, export);
  }
}
