package io.meshorch.rke.application;

import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.HostKeyPolicy;
import io.meshorch.rke.domain.InvalidPlanException;
import io.meshorch.rke.domain.Kubeconfig;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.domain.UntrustedHostException;
import io.meshorch.rke.port.KubernetesDeployerPort;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VmsReady → ClusterUp: waits for the nodes over SSH, deploys Kubernetes on them, keeps the admin
 * kubeconfig in the secret store and announces the cluster with a reference to it.
 *
 * <p>Idempotency: the kit skips a VmsReady this service already answered. Should the same event
 * still arrive again (a crash after the deployment but before ClusterUp was acknowledged), the
 * handler simply runs again: the readiness check is read-only, {@code rke up} converges an existing
 * cluster (it is RKE's documented way to repair one), and the kubeconfig is overwritten under the
 * same deterministic reference.
 */
public final class VmsReadyHandler {
  private static final Logger log = LoggerFactory.getLogger(VmsReadyHandler.class);

  private final NodeReadinessProbe probe;
  private final KubernetesDeployerPort deployer;
  private final SecretStore secrets;
  private final EventPublisherPort publisher;
  private final RkeStepSettings settings;
  private final String producer;

  public VmsReadyHandler(
      NodeReadinessProbe probe,
      KubernetesDeployerPort deployer,
      SecretStore secrets,
      EventPublisherPort publisher,
      RkeStepSettings settings,
      String producer) {
    this.probe = probe;
    this.deployer = deployer;
    this.secrets = secrets;
    this.publisher = publisher;
    this.settings = settings;
    this.producer = producer;
  }

  /** Handles one VmsReady; throws a {@link StepFailure} when the cluster cannot be brought up. */
  public void handle(EventEnvelope event) {
    VmsReady in = (VmsReady) event.payload();
    ClusterPlan plan = plan(event, in);
    List<SshTarget> targets = targets(plan, in.nodes());
    progress(event, "waiting for " + targets.size() + " node(s) over SSH");
    probe.awaitAll(
        targets,
        (node, docker) ->
            progress(event, "node " + node.node() + " ready (docker " + docker + ")"));
    progress(event, "deploying Kubernetes on " + targets.size() + " node(s)");
    Kubeconfig kubeconfig = deployer.deploy(plan);
    String apiServerUrl = apiServerUrl(kubeconfig);
    secrets.put(plan.kubeconfigRef(), kubeconfig.bytes());
    log.info(
        "cluster {} of mesh {} is up at {}; kubeconfig stored as {}",
        plan.clusterName(),
        plan.meshId(),
        apiServerUrl,
        plan.kubeconfigRef());
    publish(event, new ClusterUp(in.cluster(), in.nodes(), apiServerUrl, plan.kubeconfigRef()));
  }

  private ClusterPlan plan(EventEnvelope event, VmsReady in) {
    try {
      return ClusterPlan.of(
          event.meshId(),
          in.cluster(),
          in.nodes(),
          settings.sshPort(),
          settings.privateKeyPath().toString(),
          settings.kubernetesVersion(),
          (int) Math.max(1, settings.addonJobTimeout().toSeconds()));
    } catch (InvalidPlanException e) {
      throw new TerminalFailure("CLUSTER_SPEC_INVALID", "VmsReady: " + e.getMessage(), e);
    }
  }

  private List<SshTarget> targets(ClusterPlan plan, List<NodeInfo> nodes) {
    List<SshTarget> targets = new ArrayList<>();
    boolean readable = settings.knownHostsFile().map(Files::isReadable).orElse(false);
    for (NodeInfo node : nodes) {
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

  private static String apiServerUrl(Kubeconfig kubeconfig) {
    try {
      return kubeconfig.apiServerUrl();
    } catch (InvalidPlanException e) {
      throw new TerminalFailure("KUBECONFIG_INVALID", "the deployer's " + e.getMessage(), e);
    }
  }

  private void progress(EventEnvelope cause, String message) {
    try {
      publish(cause, new ProgressReported(Stage.KUBERNETES, message));
    } catch (StepFailure e) {
      // Progress is for humans only; losing one must not fail the step.
      log.warn("could not publish progress '{}': {}", message, e.getMessage());
    }
  }

  private void publish(EventEnvelope cause, MeshEvent payload) {
    publisher.publish(
        EventEnvelope.create(cause.meshId(), cause.cluster(), cause.eventId(), producer, payload));
  }
}
