package io.meshorch.meshctl.bench;

import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.StepRecord;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * The critical path of one mesh run: how long it must take at least if orchestration cost nothing,
 * computed from the latencies the sandbox was configured with (per cluster, so targeted overrides
 * count) and from the sandbox's step log of that mesh (which steps actually ran).
 *
 * <p>Along one cluster the injected waits follow each other: {@code max(heat-stack, vm-boot +
 * ssh-ready)} (the stack completes once its servers are active; the nodes are usable once
 * cloud-init finished) + {@code rke-up} (+ {@code rke-up-again} for every re-run the log shows) +
 * {@code cilium-rollout} (agents, operator and clustermesh-apiserver roll out in parallel) + {@code
 * metallb-rollout} + {@code metallb-webhook} + {@code lb-ip}. The mesh step starts when the slowest
 * cluster is done, and for each cluster whose Cilium pods that dial the remotes were rolled out
 * again (a second record of {@code Deployment kube-system/clustermesh-apiserver}, whose KVStoreMesh
 * dials them and which the mesh configuration's host aliases restart, or of {@code DaemonSet
 * kube-system/cilium}) adds {@code cilium-rollout} + {@code mesh-connect} (the remote is connected
 * that long after the restarted pod runs); the mesh ends with the slowest of them. A step absent
 * from the log (e.g. no mesh step for a one-cluster mesh) adds nothing.
 */
public final class CriticalPath {
  /** The workloads whose pods dial the remote clusters: a new pod connects them anew. */
  private static final List<String> DIALERS =
      List.of("Deployment kube-system/clustermesh-apiserver", "DaemonSet kube-system/cilium");

  /**
   * The result.
   *
   * @param total the critical path of the mesh
   * @param clusters the longest per-cluster part (all clusters in parallel)
   * @param meshStep the mesh step's part (0 for a mesh without connections)
   * @param slowestCluster the cluster whose per-cluster part is longest
   */
  public record Result(
      Duration total, Duration clusters, Duration meshStep, String slowestCluster) {}

  private CriticalPath() {}

  /**
   * The critical path of mesh {@code meshId} with {@code clusters}, given the sandbox's {@code
   * latencies} and its step {@code records} (records of other meshes are ignored).
   */
  public static Result of(
      SandboxLatencies latencies,
      String meshId,
      Collection<String> clusters,
      List<StepRecord> records) {
    Duration longest = Duration.ZERO;
    String slowest = null;
    Duration meshStep = Duration.ZERO;
    for (String cluster : clusters) {
      ClusterRef ref = new ClusterRef(meshId, cluster);
      List<StepRecord> own =
          records.stream()
              .filter(r -> meshId.equals(r.meshId()) && cluster.equals(r.clusterName()))
              .toList();
      Duration vms =
          max(
              latencies.of(SandboxStep.HEAT_STACK, ref),
              latencies
                  .of(SandboxStep.VM_BOOT, ref)
                  .plus(latencies.of(SandboxStep.SSH_READY, ref)));
      Duration path =
          vms.plus(
                  present(own, SandboxStep.RKE_UP) ? latencies.of(SandboxStep.RKE_UP, ref) : zero())
              .plus(
                  latencies
                      .of(SandboxStep.RKE_UP_AGAIN, ref)
                      .multipliedBy(count(own, SandboxStep.RKE_UP_AGAIN)))
              .plus(ifPresent(own, SandboxStep.CILIUM_ROLLOUT, latencies, ref))
              .plus(ifPresent(own, SandboxStep.METALLB_ROLLOUT, latencies, ref))
              .plus(ifPresent(own, SandboxStep.METALLB_WEBHOOK, latencies, ref))
              .plus(ifPresent(own, SandboxStep.LB_IP, latencies, ref));
      if (slowest == null || path.compareTo(longest) > 0) {
        longest = path;
        slowest = cluster;
      }
      boolean dialersRolledOutAgain =
          DIALERS.stream()
              .anyMatch(
                  dialer ->
                      own.stream()
                              .filter(r -> r.step() == SandboxStep.CILIUM_ROLLOUT)
                              .filter(r -> r.object().equals(dialer))
                              .count()
                          >= 2);
      Duration connect =
          (dialersRolledOutAgain ? latencies.of(SandboxStep.CILIUM_ROLLOUT, ref) : zero())
              .plus(ifPresent(own, SandboxStep.MESH_CONNECT, latencies, ref));
      meshStep = max(meshStep, connect);
    }
    return new Result(longest.plus(meshStep), longest, meshStep, slowest);
  }

  private static Duration ifPresent(
      List<StepRecord> own, SandboxStep step, SandboxLatencies latencies, ClusterRef ref) {
    return present(own, step) ? latencies.of(step, ref) : zero();
  }

  private static boolean present(List<StepRecord> own, SandboxStep step) {
    return own.stream().anyMatch(r -> r.step() == step);
  }

  private static long count(List<StepRecord> own, SandboxStep step) {
    return own.stream().filter(r -> r.step() == step).count();
  }

  private static Duration zero() {
    return Duration.ZERO;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
