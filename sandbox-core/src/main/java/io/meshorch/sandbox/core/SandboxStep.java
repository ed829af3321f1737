package io.meshorch.sandbox.core;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An external step the sandbox plays, whose duration {@link SandboxLatencies} sets. Each has a
 * {@linkplain #fast() fast} value (what the sandbox did before latencies existed, so tests stay
 * quick) and a {@linkplain #realistic() realistic} one (what a real cloud takes; the reasoning is
 * on each constant).
 */
public enum SandboxStep {
  /**
   * A Heat stack is {@code CREATE_IN_PROGRESS} for this long (and until its servers are {@code
   * ACTIVE}), then {@code CREATE_COMPLETE}. Realistic 150 s: a stack of ports and servers on a
   * typical OpenStack completes in 1–3 minutes, Heat's own polling of Nova and Neutron included.
   */
  HEAT_STACK("heat-stack", Duration.ofMillis(800), Duration.ofSeconds(150)),

  /**
   * A deleted Heat stack is {@code DELETE_IN_PROGRESS} for this long, then its servers, ports and
   * security group are gone ({@code DELETE_COMPLETE}, or {@code DELETE_FAILED} when a delete
   * failure was asked for). Realistic 60 s: Nova deletes the servers, then Neutron their ports;
   * 30–90 s on a typical OpenStack.
   */
  HEAT_STACK_DELETE("heat-stack-delete", Duration.ofMillis(300), Duration.ofSeconds(60)),

  /**
   * A server is {@code BUILD} for this long after Heat created it, then {@code ACTIVE} with its SSH
   * daemon listening and the host-key fingerprints on its console. Realistic 60 s: scheduling, the
   * image on the hypervisor and the guest's boot to sshd take 30–90 s.
   */
  VM_BOOT("vm-boot", Duration.ofMillis(300), Duration.ofSeconds(60)),

  /**
   * After boot, {@code cloud-init status} says {@code running} (and Docker does not answer) for
   * this long, then {@code done}. Realistic 120 s: cloud-init updating the package index and
   * installing Docker takes 1–3 minutes.
   */
  SSH_READY("ssh-ready", Duration.ZERO, Duration.ofSeconds(120)),

  /**
   * {@code rke up} for a cluster that does not run yet takes this long before it writes the
   * kubeconfig. Realistic 480 s: RKE1 pulls and starts etcd, the control plane and the add-on jobs
   * on every node; 5–15 minutes are usual.
   */
  RKE_UP("rke-up", Duration.ZERO, Duration.ofSeconds(480)),

  /**
   * {@code rke up} again on a cluster that already runs (a retry, a resumed step) converges in this
   * long. Realistic 120 s: the images are cached, but RKE still checks every node, re-deploys
   * certificates and re-runs the add-on jobs.
   */
  RKE_UP_AGAIN("rke-up-again", Duration.ZERO, Duration.ofSeconds(120)),

  /**
   * A Cilium DaemonSet or Deployment is ready this long after it was created or its pod template
   * changed. Realistic 90 s: pulling the agent image (~200 MB), the init containers and the agent
   * start.
   */
  CILIUM_ROLLOUT("cilium-rollout", Duration.ZERO, Duration.ofSeconds(90)),

  /**
   * A MetalLB DaemonSet or Deployment is ready this long after it was created or its pod template
   * changed. Realistic 40 s: small images, one container each.
   */
  METALLB_ROLLOUT("metallb-rollout", Duration.ZERO, Duration.ofSeconds(40)),

  /**
   * MetalLB's validating webhook answers this long after its controller became available and wrote
   * its certificate and {@code caBundle}; until then the API server refuses the writes it guards
   * ({@code IPAddressPool}, {@code L2Advertisement}, …) with "failed calling webhook … connection
   * refused". Realistic 2 s: the EndpointSlice controller adds the ready pod to the webhook Service
   * and kube-proxy programs the route, each within about a second.
   */
  METALLB_WEBHOOK("metallb-webhook", Duration.ZERO, Duration.ofSeconds(2)),

  /** Any other DaemonSet or Deployment: ready this long after creation or a template change. */
  ROLLOUT("rollout", Duration.ZERO, Duration.ofSeconds(30)),

  /**
   * MetalLB assigns a LoadBalancer Service its address this long after it became assignable
   * (controller available, an announced pool with a free address). Realistic 3 s: the controller
   * reacts within a second, the speaker announces shortly after.
   */
  LB_IP("lb-ip", Duration.ZERO, Duration.ofSeconds(3)),

  /**
   * A Cilium agent reports a remote cluster ready this long after the configuration allowing it
   * became effective (its key in Secret {@code cilium-clustermesh} written, and the agent running
   * with the host alias). Realistic 30 s: the agent connects to the remote clustermesh-apiserver
   * and synchronises nodes, identities and services.
   */
  MESH_CONNECT("mesh-connect", Duration.ZERO, Duration.ofSeconds(30));

  private final String id;
  private final Duration fast;
  private final Duration realistic;

  SandboxStep(String id, Duration fast, Duration realistic) {
    this.id = id;
    this.fast = fast;
    this.realistic = realistic;
  }

  /** The name used in latency specs and step records, e.g. {@code rke-up}. */
  public String id() {
    return id;
  }

  /** The value of the {@code fast} profile (the sandbox's timing before latencies existed). */
  public Duration fast() {
    return fast;
  }

  /** The value of the {@code realistic} profile, before scaling. */
  public Duration realistic() {
    return realistic;
  }

  /** The step called {@code id}, if any. */
  public static Optional<SandboxStep> byId(String id) {
    return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
  }

  /** Every step's name, comma-separated, for error messages and help texts. */
  public static String ids() {
    return Arrays.stream(values()).map(SandboxStep::id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
