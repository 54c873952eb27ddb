package dev.virtsaga.worker.vsphere.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The vCenter, {@code virtsaga.vsphere.*} (env {@code VIRTSAGA_VSPHERE_SDK_URL}, {@code
 * VIRTSAGA_VSPHERE_USERNAME}, {@code VIRTSAGA_VSPHERE_PASSWORD}, …).
 */
@ConfigMapping(prefix = "virtsaga.vsphere")
public interface VSphereConfig {

  /** The SOAP endpoint, {@code https://<vcenter>/sdk}. */
  URI sdkUrl();

  /** The SSO user, e.g. {@code virtsaga@vsphere.local}. */
  String username();

  /**
   * Its password; from the environment ({@code VIRTSAGA_VSPHERE_PASSWORD}) or a secret, never from
   * a file in the repository. Never logged.
   */
  String password();

  /** How the vCenter's certificate is checked. */
  Tls tls();

  /** The datacenter's name, e.g. {@code DC0}. */
  String datacenter();

  /** The cluster whose root resource pool receives the clones, e.g. {@code DC0_C0}. */
  String cluster();

  /** The datastore of the clones, e.g. {@code LocalDS_0}. */
  String datastore();

  /** The VM folder of the clones, relative to the datacenter; it must exist. */
  @WithDefault("vm")
  String vmFolder();

  /**
   * The template cloned when a request names no image: an inventory path ({@code
   * /DC0/vm/template-small}) or a name in the datacenter's {@code vm} folder. None: a create
   * without an image is INVALID_SPEC.
   */
  Optional<String> defaultTemplate();

  /**
   * The ESXi hosts of {@link #cluster()} tasks and migrations may name (e.g. {@code
   * DC0_C0_H0,DC0_C0_H1}), the first the default; all through the one vCenter session. None: one
   * host, {@code default}.
   */
  Optional<List<String>> hosts();

  /** How long to wait. */
  Timeouts timeouts();

  /**
   * How often the session is kept alive ({@code CurrentTime}), well inside vCenter's 30-minute idle
   * timeout; {@code 0s} for never.
   */
  @WithDefault("10m")
  Duration keepAliveInterval();

  /** TLS, {@code virtsaga.vsphere.tls.*}: the JDK's trust store unless one of these is set. */
  interface Tls {
    /**
     * Trust any certificate and skip the host name check: refused unless the SDK URL's host is
     * loopback (vcsim only, never a real vCenter).
     */
    @WithDefault("false")
    boolean insecureLoopback();

    /** PEM certificate(s) to trust instead of the JDK's trust store (a self-signed vCenter). */
    Optional<String> pinnedCertificate();

    /** A file holding {@link #pinnedCertificate()}. */
    Optional<Path> pinnedCertificateFile();
  }

  /** Waits, {@code virtsaga.vsphere.timeouts.*}. */
  interface Timeouts {
    /** For a clone (CloneVM_Task, reconfigure, tag) to finish. */
    @WithDefault("10m")
    Duration instanceReady();

    /** For any other vSphere task (power, destroy) to finish. */
    @WithDefault("5m")
    Duration actionComplete();

    /** Between two reads of a running vSphere task. */
    @WithDefault("2s")
    Duration pollInterval();

    /** For one SOAP call; longer is TIMEOUT. */
    @WithDefault("30s")
    Duration httpRequest();
  }
}
