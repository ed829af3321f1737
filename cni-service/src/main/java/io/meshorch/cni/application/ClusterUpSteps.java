package io.meshorch.cni.application;

import io.meshorch.cni.domain.CiliumValues;
import io.meshorch.cni.domain.InvalidCiliumValuesException;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.cni.port.ClusterMeshCertsPort;
import io.meshorch.cni.port.MeshCaPort;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.step.Plan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@code ClusterUp} asks of cni-service: one step for its cluster that installs Cilium and
 * answers {@code CiliumReady} ({@link ClusterUpStep}). A spec Cilium cannot run with is answered at
 * once with a terminal {@code ClusterFailed} ({@code CILIUM_VALUES_INVALID}), before anything is
 * touched. Pure: the same event is always planned the same way, as the kit needs when it resumes a
 * started step after a restart.
 */
public final class ClusterUpSteps {
  private static final Logger log = LoggerFactory.getLogger(ClusterUpSteps.class);

  private final MeshCaPort meshCa;
  private final ClusterMeshCertsPort certs;
  private final CiliumInstallerPort installer;
  private final CniStepSettings settings;
  private final InstalledClusters installed;

  /** As the full constructor, with no memory of installations: every cluster is installed. */
  public ClusterUpSteps(
      MeshCaPort meshCa,
      ClusterMeshCertsPort certs,
      CiliumInstallerPort installer,
      CniStepSettings settings) {
    this(meshCa, certs, installer, settings, new InstalledClusters());
  }

  /**
   * @param installed the clusters this service installed Cilium in (from its own topic): a cluster
   *     that still holds its installation for the same cluster is not installed again
   */
  public ClusterUpSteps(
      MeshCaPort meshCa,
      ClusterMeshCertsPort certs,
      CiliumInstallerPort installer,
      CniStepSettings settings,
      InstalledClusters installed) {
    this.installed = installed;
    this.meshCa = meshCa;
    this.certs = certs;
    this.installer = installer;
    this.settings = settings;
  }

  /** Plans {@code event} (a {@code ClusterUp}); runs on the consumer thread, calls nothing. */
  public Plan plan(EventEnvelope event) {
    ClusterUp in = (ClusterUp) event.payload();
    CiliumValues values;
    try {
      values = CiliumValues.forCluster(in.cluster());
    } catch (InvalidCiliumValuesException e) {
      log.warn("cluster {} cannot run Cilium: {}", event.cluster(), e.getMessage());
      return Plan.answer(
          new ClusterFailed(Stage.CNI, "CILIUM_VALUES_INVALID", e.getMessage(), false));
    }
    return Plan.step(
        event,
        () ->
            new ClusterUpStep(
                event,
                values,
                meshCa,
                certs,
                installer,
                settings,
                installed
                    .last(event.meshId(), event.cluster())
                    .filter(
                        last ->
                            last.cluster().equals(in.cluster())
                                && last.nodes().equals(in.nodes())
                                && last.kubeconfigRef().equals(in.kubeconfigRef()))));
  }
}
