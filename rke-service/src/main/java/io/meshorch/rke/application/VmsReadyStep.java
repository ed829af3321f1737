package io.meshorch.rke.application;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepContext;
import io.meshorch.kit.step.StepEnd;
import io.meshorch.kit.step.Wait;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.DeploymentStamp;
import io.meshorch.rke.domain.HostKeyPolicy;
import io.meshorch.rke.domain.InvalidPlanException;
import io.meshorch.rke.domain.Kubeconfig;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.domain.UntrustedHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VmsReady → ClusterUp, as a reconciler: plan the cluster, wait for its nodes over SSH, deploy
 * Kubernetes ({@code rke up}), keep the admin kubeconfig in the secret store, announce the cluster
 * with a reference to it. No call waits: node checks run on the service's SSH probe pool, {@code
 * rke up} runs on its own, and each nudges the step when it ends.
 *
 * <p>Convergence: the kubeconfig is stored with the {@link DeploymentStamp} of the plan and servers
 * it was deployed for. A step (afresh after a restart, or for a duplicate event) that finds the
 * stamp of its own plan stored answers with ClusterUp at once: no node check, no second {@code rke
 * up}. Otherwise it deploys, and the deployer joins a run of the same cluster still under way
 * instead of starting a second one.
 */
public final class VmsReadyStep implements Step {
  private static final Logger log = LoggerFactory.getLogger(VmsReadyStep.class);

  /** Where the step is. */
  private enum Phase {
    PLAN,
    NODES,
    DEPLOY,
    STORE
  }

  private final EventEnvelope event;
  private final VmsReady in;
  private final VmsReadySteps deps;
  private Phase phase = Phase.PLAN;
  private ClusterPlan plan;
  private String stamp;
  private NodeReadiness nodes;
  private Instant nodesDeadline;
  private Deployment deployment;
  private Kubeconfig kubeconfig;
  private String apiServerUrl;

  VmsReadyStep(EventEnvelope event, VmsReadySteps deps) {
    this.event = event;
    this.in = (VmsReady) event.payload();
    this.deps = deps;
  }

  @Override
  public Next advance(StepContext ctx) {
    return switch (phase) {
      case PLAN -> plan(ctx);
      case NODES -> nodes(ctx);
      case DEPLOY -> deployment.advance(ctx, this::forgetStored, this::deployed);
      case STORE -> store();
    };
  }

  @Override
  public void ended(StepEnd end) {
    if (deployment != null) {
      deployment.ended(end);
    }
  }

  private Next plan(StepContext ctx) {
    RkeStepSettings settings = deps.settings();
    try {
      plan =
          ClusterPlan.of(
              event.meshId(),
              in.cluster(),
              in.nodes(),
              settings.sshPort(),
              settings.privateKeyPath().toString(),
              settings.kubernetesVersion(),
              settings.rke2Version(),
              (int) Math.max(1, settings.addonJobTimeout().toSeconds()));
    } catch (InvalidPlanException e) {
      throw new TerminalFailure("CLUSTER_SPEC_INVALID", "VmsReady: " + e.getMessage(), e);
    }
    List<SshTarget> targets = targets();
    stamp = DeploymentStamp.of(plan, in.nodes().stream().map(NodeInfo::serverId).toList());
    Optional<Kubeconfig> stored = storedDeployment();
    if (stored.isPresent()) {
      ctx.progress("cluster already deployed as planned; its kubeconfig is stored");
      log.info("cluster {} of mesh {} is deployed already", plan.clusterName(), plan.meshId());
      return deployed(stored.get());
    }
    // RKE2 brings containerd: its nodes are ready once cloud-init is done, without Docker.
    nodes =
        new NodeReadiness(
            targets, deps.shell(), settings.commandTimeout(), !plan.rke2(), deps.probes());
    nodesDeadline = deps.clock().instant().plus(settings.readyTimeout());
    deployment =
        new Deployment(plan, targets, deps.deployer(), settings.deployTimeout(), deps.clock());
    ctx.progress("waiting for " + targets.size() + " node(s) over SSH");
    phase = Phase.NODES;
    return Next.again();
  }

  private Next nodes(StepContext ctx) {
    return switch (nodes.look(ctx)) {
      case CHECKING -> Next.working(nodesReady(), nodes.status());
      case ALL_READY -> {
        ctx.progress("deploying Kubernetes on " + plan.nodes().size() + " node(s)");
        phase = Phase.DEPLOY;
        yield Next.again();
      }
      case ROUND_DONE -> waitForNodes();
    };
  }

  private Wait nodesReady() {
    return Wait.of(
        "nodes ready over SSH",
        deps.settings().readyTimeout(),
        "NODE_NOT_READY",
        "mesh.ssh.ready-timeout");
  }

  private Next waitForNodes() {
    List<String> refusing = nodes.refusingTheKey();
    if (!refusing.isEmpty() && !deps.clock().instant().isBefore(nodesDeadline)) {
      throw new TerminalFailure(
          "SSH_AUTH_FAILED",
          "node(s) "
              + refusing
              + " still refuse user "
              + plan.sshUser()
              + " with the key mesh.ssh.private-key-path after mesh.ssh.ready-timeout; check that"
              + " the clusters' Nova keypair matches it; "
              + nodes.status());
    }
    return Next.waitFor(nodesReady(), nodes.status());
  }

  private Next deployed(Kubeconfig deployedConfig) {
    try {
      apiServerUrl = deployedConfig.apiServerUrl();
    } catch (InvalidPlanException e) {
      throw new TerminalFailure("KUBECONFIG_INVALID", "the deployer's " + e.getMessage(), e);
    }
    if (phase == Phase.PLAN) {
      return Next.done(clusterUp());
    }
    kubeconfig = deployedConfig;
    phase = Phase.STORE;
    return Next.again();
  }

  private Next store() {
    deps.secrets().put(plan.kubeconfigRef(), kubeconfig.bytes());
    // After the kubeconfig: a stamp is never stored without the kubeconfig it stands for.
    deps.secrets().put(plan.deploymentRef(), stamp.getBytes(StandardCharsets.UTF_8));
    log.info(
        "cluster {} of mesh {} is up at {}; kubeconfig stored as {}",
        plan.clusterName(),
        plan.meshId(),
        apiServerUrl,
        plan.kubeconfigRef());
    return Next.done(clusterUp());
  }

  private ClusterUp clusterUp() {
    return new ClusterUp(deployedSpec(), in.nodes(), apiServerUrl, plan.kubeconfigRef());
  }

  /**
   * The cluster's spec as deployed: its {@code kubernetes} names the distribution and the version
   * installed (also when the request left it to the deployer's default), so status shows what runs.
   */
  private ClusterSpec deployedSpec() {
    ClusterSpec c = in.cluster();
    Optional<String> version = deps.deployer().deployedVersion(plan);
    if (version.isEmpty()) {
      return c;
    }
    return new ClusterSpec(
        c.name(),
        c.id(),
        c.nodeCount(),
        c.podCidr(),
        c.serviceCidr(),
        c.lbAddressPool(),
        c.machine(),
        new KubernetesSpec(plan.rke2() ? KubernetesSpec.RKE2 : KubernetesSpec.RKE1, version.get()));
  }

  /** The stored kubeconfig, when the stamp stored with it is this step's. */
  private Optional<Kubeconfig> storedDeployment() {
    Optional<byte[]> storedStamp = deps.secrets().get(plan.deploymentRef());
    if (storedStamp.isEmpty()
        || !Arrays.equals(storedStamp.get(), stamp.getBytes(StandardCharsets.UTF_8))) {
      return Optional.empty();
    }
    return deps.secrets()
        .get(plan.kubeconfigRef())
        .map(bytes -> new Kubeconfig(new String(bytes, StandardCharsets.UTF_8)));
  }

  /** Before a run starts: what is stored no longer describes what is being deployed. */
  private void forgetStored() {
    deps.secrets().delete(plan.deploymentRef());
  }

  private List<SshTarget> targets() {
    RkeStepSettings settings = deps.settings();
    List<SshTarget> targets = new ArrayList<>();
    boolean readable = settings.knownHostsFile().map(Files::isReadable).orElse(false);
    for (NodeInfo node : in.nodes()) {
      try {
        targets.add(
            new SshTarget(
                node.name(),
                node.address(),
                plan.sshPort(),
                plan.sshUser(),
                HostKeyPolicy.decide(
                    node.name(),
                    node.sshHostKeyFingerprints(),
                    settings.knownHostsFile(),
                    readable)));
      } catch (UntrustedHostException e) {
        throw new TerminalFailure(e.code(), e.getMessage(), e);
      }
    }
    return targets;
  }
}
