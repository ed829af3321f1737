package io.meshorch.cni.application;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.kit.step.OwnTopicObserver;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * cni-service's memory of the clusters it installed Cilium in: its last {@link CiliumReady} per
 * mesh and cluster, read from its own topic (live, and replayed on every partition assignment), so
 * that it survives restarts. A fact, not a verdict: a step reuses an installation only after it
 * checked that the cluster still holds it ({@link ClusterUpStep}). Thread-safe.
 */
public final class InstalledClusters implements OwnTopicObserver {
  private record Installed(Instant at, CiliumReady ready) {}

  private final Map<String, Installed> installed = new ConcurrentHashMap<>();

  @Override
  public void observe(EventEnvelope published) {
    if (published.payload() instanceof CiliumReady ready && published.cluster() != null) {
      installed.merge(
          key(published.meshId(), published.cluster()),
          new Installed(published.occurredAt(), ready),
          (a, b) -> b.at().isBefore(a.at()) ? a : b);
    }
  }

  /** The last {@code CiliumReady} this service published for the cluster, if any. */
  public Optional<CiliumReady> last(String meshId, String cluster) {
    return Optional.ofNullable(installed.get(key(meshId, cluster))).map(Installed::ready);
  }

  private static String key(String meshId, String cluster) {
    return meshId + "/" + cluster;
  }
}
