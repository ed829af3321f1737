package io.meshorch.cni.application;

import io.meshorch.cni.domain.CaSecretOutcome;
import io.meshorch.cni.domain.CiliumInstall;
import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.cni.domain.CiliumValues;
import io.meshorch.cni.domain.ClusterMeshCertificates;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.cni.port.ClusterMeshCertsPort;
import io.meshorch.cni.port.MeshCaPort;
import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepContext;
import io.meshorch.kit.step.Wait;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs Cilium in the cluster of one {@code ClusterUp} from the official chart and answers
 * {@code CiliumReady}, as a reconciler in five phases, one bounded piece of work per call:
 *
 * <ol>
 *   <li>the mesh's shared CA (generated once per mesh, see {@link MeshCaPort#ensure});
 *   <li>the cluster's clustermesh-apiserver certificates, issued from it once and kept ({@link
 *       ClusterMeshCertsPort#ensure});
 *   <li>a look at Secret {@code kube-system/cilium-ca}: another CA there stops the step ({@code
 *       CA_MISMATCH}, terminal) before anything is written;
 *   <li>the chart's objects, rendered and applied (an unchanged object changes nothing);
 *   <li>the rollout: waits ({@value #ROLLOUT}, {@code mesh.cilium.ready-timeout}, code {@code
 *       CILIUM_NOT_READY}) until the agents run on every node and the operator and the
 *       clustermesh-apiserver are available. A watch opened once nudges the step on every change;
 *       the kit's re-checks remain as fallback. A transient error while reading the status keeps
 *       the step waiting; a terminal one ends it.
 * </ol>
 *
 * <p>A step created afresh for the same event (after a restart) goes through the same phases and
 * converges: the CA and certificates are the stored ones, so the objects are unchanged.
 *
 * <p>A cluster this service installed already for the same cluster spec, nodes and kubeconfig (its
 * own last {@code CiliumReady}, {@link InstalledClusters}) is not installed again when it still
 * holds that installation: when its {@code cilium-ca} holds the mesh CA, the apply is skipped and
 * the rollout is only read; ready, the step answers {@code CiliumReady} having written nothing (an
 * {@code up} that adds a cluster leaves the others alone). A CA secret absent (e.g. deleted to
 * repair a CA mismatch) or a rollout not ready goes through the apply as a first install does.
 */
final class ClusterUpStep implements Step {
  /** Name of the rollout wait. */
  static final String ROLLOUT = "Cilium rollout";

  /**
   * How recent the watch's last event must be for a check to take what the watch has seen instead
   * of reading the workloads. A real API server resumes a dropped watch where it stopped (or ends
   * it, and what was seen is dropped), so nothing is missed; still, after this long without an
   * event a check reads them, as an informer resyncs.
   */
  static final Duration SEEN_FRESH = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(ClusterUpStep.class);

  private enum Phase {
    MESH_CA,
    CERTIFICATES,
    CA_SECRET,
    APPLY,
    ROLLOUT
  }

  private final EventEnvelope event;
  private final ClusterUp in;
  private final CiliumValues values;
  private final MeshCaPort meshCa;
  private final ClusterMeshCertsPort certs;
  private final CiliumInstallerPort installer;
  private final CniStepSettings settings;
  private final Wait rollout;

  private Phase phase = Phase.MESH_CA;
  private boolean announced;
  private CiliumInstallerPort.RolloutWatch watch;
  private MeshCa ca;
  private ClusterMeshCertificates issued;
  private String installedVersion;
  private String lastSeen = CiliumRollout.NOTHING.missing();
  private Optional<CiliumReady> installed;

  ClusterUpStep(
      EventEnvelope event,
      CiliumValues values,
      MeshCaPort meshCa,
      ClusterMeshCertsPort certs,
      CiliumInstallerPort installer,
      CniStepSettings settings) {
    this(event, values, meshCa, certs, installer, settings, Optional.empty());
  }

  /**
   * @param installed this service's last {@code CiliumReady} of the cluster, when it was for the
   *     same cluster spec, nodes and kubeconfig as {@code event}
   */
  ClusterUpStep(
      EventEnvelope event,
      CiliumValues values,
      MeshCaPort meshCa,
      ClusterMeshCertsPort certs,
      CiliumInstallerPort installer,
      CniStepSettings settings,
      Optional<CiliumReady> installed) {
    this.installed = installed;
    this.event = event;
    this.in = (ClusterUp) event.payload();
    this.values = values;
    this.meshCa = meshCa;
    this.certs = certs;
    this.installer = installer;
    this.settings = settings;
    this.rollout = rolloutWait(settings.readyTimeout());
  }

  /** The wait for Cilium's workloads, bounded by {@code timeout}. */
  static Wait rolloutWait(Duration timeout) {
    return Wait.of(ROLLOUT, timeout, "CILIUM_NOT_READY", "mesh.cilium.ready-timeout");
  }

  @Override
  public Next advance(StepContext ctx) {
    return switch (phase) {
      case MESH_CA -> meshCa(ctx);
      case CERTIFICATES -> certificates();
      case CA_SECRET -> caSecret();
      case APPLY -> apply(ctx);
      case ROLLOUT -> rollout(ctx);
    };
  }

  private Next meshCa(StepContext ctx) {
    if (!announced) {
      ctx.progress(
          "installing Cilium from chart %s (cluster %s, id %d, pods %s)"
              .formatted(
                  settings.chart(), values.clusterName(), values.clusterId(), values.podCidr()));
      announced = true;
    }
    ca = meshCa.ensure(event.meshId());
    phase = Phase.CERTIFICATES;
    return Next.again();
  }

  private Next certificates() {
    issued = certs.ensure(event.meshId(), event.cluster(), ca);
    phase = Phase.CA_SECRET;
    return Next.again();
  }

  private Next caSecret() {
    CaSecretOutcome outcome = installer.caSecret(in.kubeconfigRef(), ca);
    if (outcome == CaSecretOutcome.DIFFERENT_CA) {
      throw new TerminalFailure(
          "CA_MISMATCH",
          "Secret "
              + CiliumValues.NAMESPACE
              + "/"
              + CiliumValues.CA_SECRET
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
        CiliumValues.NAMESPACE,
        CiliumValues.CA_SECRET,
        event.cluster(),
        outcome);
    if (outcome == CaSecretOutcome.SAME_CA && installed.isPresent()) {
      log.info(
          "Cilium v{} is installed in {} for this cluster already: reading its rollout only",
          installed.get().ciliumVersion(),
          event.cluster());
      installedVersion = installed.get().ciliumVersion();
      phase = Phase.ROLLOUT;
      return Next.again();
    }
    installed = Optional.empty();
    phase = Phase.APPLY;
    return Next.again();
  }

  private Next apply(StepContext ctx) {
    installedVersion =
        installer.apply(
            in.kubeconfigRef(), new CiliumInstall(values, settings.apiServer(), ca, issued));
    ctx.progress("waiting for the Cilium agents, operator and clustermesh-apiserver");
    phase = Phase.ROLLOUT;
    return Next.again();
  }

  private Next rollout(StepContext ctx) {
    if (watch == null) {
      // Opened before the first read, so that no change after that read goes unnoticed.
      watch = installer.watchRollout(in.kubeconfigRef(), ctx::nudge);
      ctx.keep(watch);
    }
    // Woken by the watch while waiting after our own apply: what woke us is the latest state, and
    // when it is not ready yet, the next change wakes us again; only readiness is read from the
    // API.
    Optional<CiliumRollout> seen = installed.isEmpty() ? watch.seen(SEEN_FRESH) : Optional.empty();
    if (seen.isPresent() && !seen.get().ready()) {
      lastSeen = seen.get().missing();
      return Next.waitFor(rollout, lastSeen);
    }
    CiliumRollout now;
    try {
      now = installer.rollout(in.kubeconfigRef());
    } catch (TransientFailure e) {
      log.warn(
          "reading Cilium's rollout in {} failed, will look again: {}",
          event.cluster(),
          e.getMessage());
      return Next.waitFor(
          rollout, "the status cannot be read (" + e.getMessage() + "); last seen: " + lastSeen);
    }
    if (!now.ready() && installed.isPresent()) {
      log.info(
          "Cilium in {} is not as it was installed ({}): installing it",
          event.cluster(),
          now.missing());
      installed = Optional.empty();
      phase = Phase.APPLY;
      return Next.again();
    }
    if (!now.ready()) {
      lastSeen = now.missing();
      return Next.waitFor(rollout, lastSeen);
    }
    if (installed.isPresent()) {
      ctx.progress(
          "Cilium v" + installedVersion + " is installed and ready already; nothing written");
    }
    log.info(
        "Cilium v{} ready in {}: {}/{} agents",
        installedVersion,
        event.cluster(),
        now.agentsReady(),
        now.agentsDesired());
    return Next.done(
        new CiliumReady(in.cluster(), in.nodes(), in.kubeconfigRef(), installedVersion));
  }
}
