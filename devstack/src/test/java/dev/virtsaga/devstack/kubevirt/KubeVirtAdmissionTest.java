package dev.virtsaga.devstack.kubevirt;

import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.create;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.get;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.name;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.set;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.text;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.vm;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** KubeVirt's admission rules and server-side dry run, as a fabric8 client sees them. */
class KubeVirtAdmissionTest {

  static KubeVirtSimulator sim;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    sim = new KubeVirtSimulator().start();
    client = sim.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    sim.close();
  }

  private static Status rejected(GenericKubernetesResource vm) {
    KubernetesClientException e =
        catchThrowableOfType(
            KubernetesClientException.class, () -> create(client, VIRTUAL_MACHINE, vm));
    assertThat(e).as("the API accepted %s", vm.getMetadata().getName()).isNotNull();
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(get(client, VIRTUAL_MACHINE, vm.getMetadata().getName()))
        .as("stored anyway")
        .isNull();
    return e.getStatus();
  }

  private static List<String> fields(Status status) {
    return status.getDetails().getCauses().stream().map(StatusCause::getField).toList();
  }

  @Test
  void anInvalidVmIsDeniedByTheWebhookWithItsCauses() {
    // Given a VM with 0 cores, no memory and a disk without volume
    String name = name("invalid");
    GenericKubernetesResource vm = vm(name, "Always");
    set(vm, "spec.template.spec.domain.cpu.cores", 0);
    set(vm, "spec.template.spec.domain.resources", null);
    set(
        vm,
        "spec.template.spec.domain.devices.disks",
        List.of(Map.of("name", "data", "disk", Map.of())));

    // When it is created: 422 Invalid, as the API server passes on a webhook's denial
    Status status = rejected(vm);

    assertThat(status.getReason()).isEqualTo("Invalid");
    assertThat(status.getMessage())
        .startsWith(
            "admission webhook \"virtualmachine-validator.kubevirt.io\" denied the request: ")
        .contains("spec.template.spec.domain.devices.disks[0].name 'data' not found.");
    assertThat(fields(status))
        .containsExactlyInAnyOrder(
            "spec.template.spec.domain.cpu.cores",
            "spec.template.spec.domain.resources.requests.memory",
            "spec.template.spec.domain.devices.disks[0].name");
    assertThat(status.getDetails().getCauses())
        .extracting(StatusCause::getReason)
        .contains("FieldValueInvalid", "FieldValueRequired", "FieldValueNotFound");
  }

  @Test
  void schemaViolationsAreTheApiServersOwn() {
    String name = name("schema");
    GenericKubernetesResource noDomain = vm(name, "Always");
    set(noDomain, "spec.template.spec.domain", null);
    Status status = rejected(noDomain);
    assertThat(status.getMessage())
        .isEqualTo(
            "VirtualMachine.kubevirt.io \""
                + name
                + "\" is invalid: spec.template.spec.domain: Required value");
    assertThat(status.getDetails().getKind()).isEqualTo("VirtualMachine");
    assertThat(status.getDetails().getGroup()).isEqualTo("kubevirt.io");

    GenericKubernetesResource badMemory = vm(name("memory"), "Always");
    set(badMemory, "spec.template.spec.domain.resources.requests.memory", "lots");
    assertThat(fields(rejected(badMemory)))
        .containsExactly("spec.template.spec.domain.resources.requests.memory");

    GenericKubernetesResource badName = vm("Bad_Name", "Always");
    Status nameStatus = rejected(badName);
    assertThat(fields(nameStatus)).containsExactly("metadata.name");
    assertThat(nameStatus.getMessage()).contains("RFC 1123");
  }

  @Test
  void runStrategyRules() {
    GenericKubernetesResource both = vm(name("both"), "Always");
    set(both, "spec.running", true);
    assertThat(rejected(both).getMessage())
        .contains("Running and RunStrategy are mutually exclusive");

    GenericKubernetesResource unknown = vm(name("sometimes"), "Sometimes");
    Status status = rejected(unknown);
    assertThat(fields(status)).containsExactly("spec.runStrategy");
    assertThat(status.getMessage()).endsWith("Invalid RunStrategy (Sometimes)");
  }

  @Test
  void instancetypeRules() {
    GenericKubernetesResource missing = vm(name("notype"), "Always");
    KubeVirtLifecycleTest.withInstancetype(missing, "no-such-type");
    Status status = rejected(missing);
    assertThat(fields(status)).containsExactly("spec.instancetype");
    assertThat(status.getMessage())
        .contains(
            "Failure to find instancetype: virtualmachineclusterinstancetypes.instancetype.kubevirt.io"
                + " \"no-such-type\" not found");

    client
        .genericKubernetesResources(KubeVirtResource.VIRTUAL_MACHINE_CLUSTER_INSTANCETYPE.context())
        .resource(
            KubeVirtObjects.parse(
                """
                {"apiVersion":"instancetype.kubevirt.io/v1beta1","kind":"VirtualMachineClusterInstancetype",
                 "metadata":{"name":"u1.small"},"spec":{"cpu":{"guest":1},"memory":{"guest":"1Gi"}}}
                """))
        .create();
    GenericKubernetesResource conflicting = vm(name("conflict"), "Always");
    KubeVirtLifecycleTest.withInstancetype(conflicting, "u1.small");
    set(conflicting, "spec.template.spec.domain.cpu", Map.of("cores", 2));
    Status conflict = rejected(conflicting);
    assertThat(conflict.getMessage()).contains("conflicts with selected instance type");
    assertThat(fields(conflict)).containsExactly("spec.template.spec.domain.cpu.cores");

    KubernetesClientException invalidType =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                client
                    .genericKubernetesResources(
                        KubeVirtResource.VIRTUAL_MACHINE_CLUSTER_INSTANCETYPE.context())
                    .resource(
                        KubeVirtObjects.parse(
                            """
                            {"apiVersion":"instancetype.kubevirt.io/v1beta1","kind":"VirtualMachineClusterInstancetype",
                             "metadata":{"name":"broken"},"spec":{"cpu":{}}}
                            """))
                    .create());
    assertThat(invalidType.getCode()).isEqualTo(422);
  }

  @Test
  void updatesAreValidatedToo() {
    String name = name("update");
    create(client, VIRTUAL_MACHINE, vm(name, "Halted"));
    KubernetesClientException e =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                KubeVirtObjects.edit(
                    client, VIRTUAL_MACHINE, name, o -> set(o, "spec.runStrategy", "Sometimes")));
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(text(get(client, VIRTUAL_MACHINE, name), "spec.runStrategy")).isEqualTo("Halted");
  }

  @Test
  void dryRunAnswersButStoresNothing() {
    // create: the object as it would be stored, nothing stored
    String name = name("dry");
    GenericKubernetesResource answer =
        client
            .genericKubernetesResources(VIRTUAL_MACHINE.context())
            .inNamespace("default")
            .resource(vm(name, "Always"))
            .dryRun()
            .create();
    assertThat(answer.getMetadata().getUid()).isNotBlank();
    assertThat(answer.getMetadata().getCreationTimestamp()).isNotBlank();
    assertThat(get(client, VIRTUAL_MACHINE, name)).isNull();

    // an invalid one: the same 422 as a real create
    GenericKubernetesResource invalid = vm(name("dry-invalid"), "Sometimes");
    KubernetesClientException e =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                client
                    .genericKubernetesResources(VIRTUAL_MACHINE.context())
                    .inNamespace("default")
                    .resource(invalid)
                    .dryRun()
                    .create());
    assertThat(e.getCode()).isEqualTo(422);

    // update and delete of a stored one: answered, nothing changes
    create(client, VIRTUAL_MACHINE, vm(name, "Halted"));
    // the controller writes the VM too (finalizer, status): an update from a stale read is a 409,
    // as on a real cluster, so read again and retry
    GenericKubernetesResource updated = null;
    for (int attempt = 0; updated == null; attempt++) {
      GenericKubernetesResource changed =
          set(get(client, VIRTUAL_MACHINE, name), "spec.runStrategy", "Always");
      try {
        updated =
            client
                .genericKubernetesResources(VIRTUAL_MACHINE.context())
                .inNamespace("default")
                .resource(changed)
                .dryRun()
                .update();
      } catch (KubernetesClientException conflict) {
        if (conflict.getCode() != 409 || attempt >= 20) {
          throw conflict;
        }
      }
    }
    assertThat(text(updated, "spec.runStrategy")).isEqualTo("Always");
    client
        .genericKubernetesResources(VIRTUAL_MACHINE.context())
        .inNamespace("default")
        .withName(name)
        .dryRun()
        .delete();
    GenericKubernetesResource stored = get(client, VIRTUAL_MACHINE, name);
    assertThat(text(stored, "spec.runStrategy")).isEqualTo("Halted");
    assertThat(stored.getMetadata().getDeletionTimestamp()).isNull();
  }

  @Test
  void theApiServerRefusesLikeOne() {
    String name = name("twice");
    create(client, VIRTUAL_MACHINE, vm(name, "Halted"));
    KubernetesClientException exists =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> create(client, VIRTUAL_MACHINE, vm(name, "Halted")));
    assertThat(exists.getCode()).isEqualTo(409);
    assertThat(exists.getStatus().getReason()).isEqualTo("AlreadyExists");

    GenericKubernetesResource stale = get(client, VIRTUAL_MACHINE, name);
    KubeVirtObjects.edit(
        client,
        VIRTUAL_MACHINE,
        name,
        o -> {
          o.getMetadata().setLabels(Map.of("changed", "yes"));
          return o;
        });
    KubernetesClientException conflict =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                client
                    .genericKubernetesResources(VIRTUAL_MACHINE.context())
                    .inNamespace("default")
                    .resource(stale)
                    .update());
    assertThat(conflict.getCode()).isEqualTo(409);
    assertThat(conflict.getStatus().getReason()).isEqualTo("Conflict");

    KubernetesClientException noNamespace =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                client
                    .genericKubernetesResources(VIRTUAL_MACHINE.context())
                    .inNamespace("nowhere")
                    .resource(vm(name("lost"), "Halted"))
                    .create());
    assertThat(noNamespace.getCode()).isEqualTo(404);
    assertThat(noNamespace.getStatus().getMessage()).isEqualTo("namespaces \"nowhere\" not found");

    GenericKubernetesResource generated = vm(null, "Halted");
    generated.getMetadata().setName(null);
    generated.getMetadata().setGenerateName("gen-");
    GenericKubernetesResource created = create(client, VIRTUAL_MACHINE, generated);
    assertThat(created.getMetadata().getName()).matches("gen-[a-z0-9]{5}");
  }
}
