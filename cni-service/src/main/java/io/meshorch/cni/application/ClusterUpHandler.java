package io.meshorch.cni.application;

import io.meshorch.cni.domain.CaSecretOutcome;
import io.meshorch.cni.domain.CiliumManifest;
import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.cni.domain.InvalidCiliumValuesException;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.cni.port.MeshCaPort;
import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.messaging.EventHandler;
import io.meshorch.kit.port.EventPublisherPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code ClusterUp}: makes sure the mesh has its shared CA, puts it into the cluster as
 * {@code kube-system/cilium-ca} (never replacing another CA), installs Cilium with the cluster's
 * name, ID and pod CIDR, waits until it runs and publishes {@code CiliumReady}. Converges on
 * replay: the CA is generated once per mesh, every object has a fixed name and is created or
 * updated, and an event already answered (see {@link HandledEvents}) is skipped.
 */
public final class ClusterUpHandler implements EventHandler {
  private static final Logger log = LoggerFactory.getLogger(ClusterUpHandler.class);

  private final MeshCaPort meshCa;
  private final CiliumInstallerPort installer;
  private final EventPublisherPort publisher;
  private final HandledEvents handled;
  private final CniStepSettings settings;
  private final CiliumRolloutWait rolloutWait;

  public ClusterUpHandler(
      MeshCaPort meshCa,
      CiliumInstallerPort installer,
      EventPublisherPort publisher,
      HandledEvents handled,
      CniStepSettings settings) {
    this.meshCa = meshCa;
    this.installer = installer;
    this.publisher = publisher;
    this.handled = handled;
    this.settings = settings;
    this.rolloutWait =
        new CiliumRolloutWait(installer, settings.readyTimeout(), settings.pollInterval());
  }

  @Override
  public void handle(EventEnvelope event) {
    if (handled.contains(event.eventId(), event.cluster())) {
      log.info("ClusterUp {} already answered for {}", event.eventId(), event.cluster());
      return;
    }
    ClusterUp in = (ClusterUp) event.payload();
    CiliumManifest manifest = manifest(in);
    String ref = in.kubeconfigRef();
    publish(
        event,
        progress(
            "installing Cilium v%s (cluster %s, id %d, pods %s)"
                .formatted(
                    settings.release().version(),
                    manifest.clusterName(),
                    manifest.clusterId(),
                    manifest.podCidr())));
    MeshCa ca = meshCa.ensure(event.meshId());
    installCa(event, ref, ca);
    installer.apply(ref, manifest);
    publish(event, progress("waiting for the Cilium agents, operator and clustermesh-apiserver"));
    CiliumRollout rollout = rolloutWait.await(ref);
    log.info(
        "Cilium v{} ready in {}: {}/{} agents",
        settings.release().version(),
        event.cluster(),
        rollout.agentsReady(),
        rollout.agentsDesired());
    publish(event, new CiliumReady(in.cluster(), in.nodes(), ref, settings.release().version()));
  }

  private void installCa(EventEnvelope event, String ref, MeshCa ca) {
    CaSecretOutcome outcome = installer.ensureCaSecret(ref, ca);
    if (outcome == CaSecretOutcome.DIFFERENT_CA) {
      throw new TerminalFailure(
          "CA_MISMATCH",
          "Secret "
              + CiliumManifest.NAMESPACE
              + "/"
              + CiliumManifest.CA_SECRET
              + " of cluster "
              + event.cluster()
              + " holds another CA than mesh "
              + event.meshId()
              + " ("
              + MeshCa.secretRef(event.meshId())
              + "); mismatched CAs break the mesh, so it is not replaced: delete it or store"
              + " that CA as the mesh's");
    }
    log.info(
        "Secret {}/{} in {}: {}",
        CiliumManifest.NAMESPACE,
        CiliumManifest.CA_SECRET,
        event.cluster(),
        outcome);
  }

  private CiliumManifest manifest(ClusterUp in) {
    try {
      return CiliumManifest.forCluster(in.cluster(), settings.release());
    } catch (InvalidCiliumValuesException e) {
      throw new TerminalFailure("CILIUM_VALUES_INVALID", e.getMessage(), e);
    }
  }

  private static ProgressReported progress(String message) {
    return new ProgressReported(Stage.CNI, message);
  }

  private void publish(EventEnvelope cause, MeshEvent payload) {
    publisher.publish(
        EventEnvelope.create(
            cause.meshId(), cause.cluster(), cause.eventId(), settings.producer(), payload));
  }
}
