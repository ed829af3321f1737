package io.meshorch.meshctl.bench;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.VmsReady;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.StepRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Detection latency: how long after a sandbox step finished (the step log's {@code finishedAt}) the
 * event reporting it was on the bus (its Kafka record timestamp). Each event that reports a step is
 * paired with the step records it waited for; the latency counts from the last of them:
 *
 * <ul>
 *   <li>{@code VmsReady} of a cluster: its last {@code heat-stack} or {@code vm-boot} record;
 *   <li>rke-service's {@code ProgressReported "node <server> ready ..."}: the {@code ssh-ready}
 *       record of that server (the node's cloud-init finished), or the cluster's {@code VmsReady}
 *       when that came later (rke-service cannot look at a node before it has the VmsReady);
 *   <li>{@code ClusterUp}: the cluster's last {@code rke-up} or {@code rke-up-again} record (the
 *       kubeconfig answered to the {@code rke} process);
 *   <li>{@code CiliumReady}: the cluster's last {@code cilium-rollout} record (agents, operator and
 *       clustermesh-apiserver ready);
 *   <li>{@code LbIpAssigned}: the cluster's last {@code lb-ip} record (the address written);
 *   <li>{@code MeshReady}: the mesh's last {@code mesh-connect} or {@code cilium-rollout} record
 *       after its last {@code PortsUpdated} (the agents restarted with the remotes, then
 *       connected); a mesh of one cluster connects nothing and gives no pair.
 * </ul>
 *
 * <p>Only records that finished at or before the event count; an event without such a record gives
 * no pair. {@code PortsUpdated} reports no sandbox step with a latency (a Neutron call), so it is
 * not paired.
 */
public final class Detection {
  private static final Pattern NODE_READY = Pattern.compile("node (\\S+) ready\\b.*");
  private static final String RKE_SERVICE = "rke-service";

  /**
   * One pair.
   *
   * @param meshId the mesh
   * @param cluster the cluster, or null for the mesh
   * @param step the step whose record the event was paired with
   * @param event the event type's simple name
   * @param latency event timestamp minus the step's finish
   */
  public record Sample(
      String meshId, String cluster, SandboxStep step, String event, Duration latency) {}

  private Detection() {}

  /** Every pair found among {@code events} and {@code steps}. */
  public static List<Sample> pair(Collection<BusRecord> events, Collection<StepRecord> steps) {
    List<Sample> out = new ArrayList<>();
    for (BusRecord record : events) {
      MeshEvent payload = record.event().payload();
      String mesh = record.meshId();
      String cluster = record.event().cluster();
      // Record timestamps have millisecond precision: a step finished within the event's
      // millisecond counts as before it (latency 0).
      Instant at = record.timestamp().plusMillis(1).minusNanos(1);
      Optional<StepRecord> paired = Optional.empty();
      if (payload instanceof VmsReady) {
        paired =
            last(steps, mesh, cluster, at, Set.of(SandboxStep.HEAT_STACK, SandboxStep.VM_BOOT));
      } else if (payload instanceof ClusterUp) {
        paired =
            last(steps, mesh, cluster, at, Set.of(SandboxStep.RKE_UP, SandboxStep.RKE_UP_AGAIN));
      } else if (payload instanceof CiliumReady) {
        paired = last(steps, mesh, cluster, at, Set.of(SandboxStep.CILIUM_ROLLOUT));
      } else if (payload instanceof LbIpAssigned) {
        paired = last(steps, mesh, cluster, at, Set.of(SandboxStep.LB_IP));
      } else if (payload instanceof MeshReady) {
        paired = meshStep(events, steps, mesh, at);
      } else if (payload instanceof ProgressReported p
          && RKE_SERVICE.equals(record.event().producer())) {
        Matcher m = NODE_READY.matcher(p.message());
        if (m.matches()) {
          String server = m.group(1);
          paired =
              steps.stream()
                  .filter(s -> s.step() == SandboxStep.SSH_READY)
                  .filter(s -> mesh.equals(s.meshId()) && s.object().equals(server))
                  .filter(s -> !s.finishedAt().isAfter(at))
                  .max(Comparator.comparing(StepRecord::finishedAt));
        }
      }
      if (paired.isEmpty()) {
        continue;
      }
      Instant from = paired.get().finishedAt();
      if (paired.get().step() == SandboxStep.SSH_READY) {
        // rke-service looks at the nodes only once it has the cluster's VmsReady: when cloud-init
        // finished before that, detection starts with the VmsReady.
        Optional<Instant> asked = lastEvent(events, mesh, cluster, VmsReady.class, at);
        if (asked.isPresent() && asked.get().isAfter(from)) {
          from = asked.get();
        }
      }
      out.add(
          new Sample(
              mesh,
              cluster,
              paired.get().step(),
              payload.getClass().getSimpleName(),
              nonNegative(Duration.between(from, record.timestamp()))));
    }
    return out;
  }

  private static Optional<Instant> lastEvent(
      Collection<BusRecord> events,
      String mesh,
      String cluster,
      Class<? extends MeshEvent> type,
      Instant at) {
    return events.stream()
        .filter(
            e -> mesh.equals(e.meshId()) && cluster != null && cluster.equals(e.event().cluster()))
        .filter(e -> type.isInstance(e.event().payload()))
        .map(BusRecord::timestamp)
        .filter(t -> !t.isAfter(at))
        .max(Comparator.naturalOrder());
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Optional<StepRecord> last(
      Collection<StepRecord> steps,
      String mesh,
      String cluster,
      Instant at,
      Set<SandboxStep> kinds) {
    return steps.stream()
        .filter(s -> kinds.contains(s.step()))
        .filter(s -> mesh.equals(s.meshId()) && s.clusterName().equals(cluster))
        .filter(s -> !s.finishedAt().isAfter(at))
        .max(Comparator.comparing(StepRecord::finishedAt));
  }

  private static Optional<StepRecord> meshStep(
      Collection<BusRecord> events, Collection<StepRecord> steps, String mesh, Instant at) {
    Optional<Instant> portsDone =
        events.stream()
            .filter(e -> mesh.equals(e.meshId()) && e.event().payload() instanceof PortsUpdated)
            .map(BusRecord::timestamp)
            .filter(t -> t.isBefore(at))
            .max(Comparator.naturalOrder());
    if (portsDone.isEmpty()) {
      return Optional.empty();
    }
    Set<SandboxStep> kinds = Set.of(SandboxStep.MESH_CONNECT, SandboxStep.CILIUM_ROLLOUT);
    return steps.stream()
        .filter(s -> kinds.contains(s.step()) && mesh.equals(s.meshId()))
        .filter(s -> s.finishedAt().isAfter(portsDone.get()) && !s.finishedAt().isAfter(at))
        .max(Comparator.comparing(StepRecord::finishedAt));
  }
}
