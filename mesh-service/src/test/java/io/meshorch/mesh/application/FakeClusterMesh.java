package io.meshorch.mesh.application;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.mesh.domain.AgentReport;
import io.meshorch.mesh.domain.ApiserverRollout;
import io.meshorch.mesh.domain.CiliumCa;
import io.meshorch.mesh.domain.RemoteCluster;
import io.meshorch.mesh.domain.RemoteStatus;
import io.meshorch.mesh.port.ClusterMeshPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clusters that behave like Cilium, keyed by kubeconfig reference: once a cluster's configuration
 * names a remote, its agent sees the remote's nodes after a number of reads (the agents take time
 * to connect and sync), unless the remote is unreachable. Writes are idempotent: a write of the
 * configuration in place changes nothing and says so.
 */
final class FakeClusterMesh implements ClusterMeshPort {
  /** A cluster: its name and nodes. */
  record Cluster(String name, List<String> nodes) {}

  /** The CA every cluster holds unless told otherwise. */
  static final CiliumCa MESH_CA = new CiliumCa("3f9a1c0d5e6b7a88".repeat(4));

  /** Another CA, e.g. of a store that lost the mesh's and generated a fresh one. */
  static final CiliumCa OTHER_CA = new CiliumCa("77be0123aa45cc90".repeat(4));

  private final Map<String, Cluster> clusters = new ConcurrentHashMap<>();
  private final Map<String, List<RemoteCluster>> configs = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> changes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> writeCalls = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> readsSinceWrite = new ConcurrentHashMap<>();
  private final Map<String, Integer> readsToSync = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> transientWriteFailures = new ConcurrentHashMap<>();
  private final Set<String> unreachable = ConcurrentHashMap.newKeySet();
  private final Set<String> refusing = ConcurrentHashMap.newKeySet();
  private final Set<String> unlistable = ConcurrentHashMap.newKeySet();
  private final Set<String> apiDown = ConcurrentHashMap.newKeySet();
  private final Map<String, CiliumCa> cas = new ConcurrentHashMap<>();
  private final Set<String> withoutCa = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> transientCaFailures = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> caReads = new ConcurrentHashMap<>();

  private final Map<String, Integer> rolloutReadsToDone = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> rolloutReads = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> agentReads = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> openWatches = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> watchesOpened = new ConcurrentHashMap<>();
  private final Map<String, ApiserverRollout> shown = new ConcurrentHashMap<>();

  private final Map<String, List<Boolean>> explained = new ConcurrentHashMap<>();

  private volatile CyclicBarrier rendezvous;
  private volatile CyclicBarrier writeRendezvous;

  /**
   * Every read of the agents waits (up to 10 s) until {@code parties} reads are in progress at
   * once; a read that waits longer fails transiently, as an exec that times out.
   */
  void readsMeetInGroupsOf(int parties) {
    rendezvous = new CyclicBarrier(parties);
  }

  /** For each read of the cluster's agents, in order: whether it asked why remotes are missing. */
  List<Boolean> explainedGaps(String kubeconfigRef) {
    return List.copyOf(explained.getOrDefault(kubeconfigRef, List.of()));
  }

  /**
   * Every write of a configuration waits (up to 10 s) until {@code parties} writes are in progress
   * at once; a write that waits longer fails transiently, as a request that times out.
   */
  void writesMeetInGroupsOf(int parties) {
    writeRendezvous = new CyclicBarrier(parties);
  }

  void add(String kubeconfigRef, String name, List<String> nodes) {
    clusters.put(kubeconfigRef, new Cluster(name, nodes));
  }

  /** The agents of the cluster see their configured remotes from their {@code reads}-th read. */
  void syncsAfterReads(String kubeconfigRef, int reads) {
    readsToSync.put(kubeconfigRef, reads);
  }

  /**
   * The cluster's clustermesh-apiserver has rolled out from the {@code reads}-th read of its
   * rollout on (until then one replica of the old template serves); {@link Integer#MAX_VALUE}:
   * never.
   */
  void rollsOutAfterReads(String kubeconfigRef, int reads) {
    rolloutReadsToDone.put(kubeconfigRef, reads);
  }

  /** What the cluster's clustermesh-apiserver watch shows from now on (before: nothing). */
  void watchShows(String kubeconfigRef, ApiserverRollout rollout) {
    shown.put(kubeconfigRef, rollout);
  }

  /** How many times the cluster's clustermesh-apiserver rollout was read. */
  int rolloutReads(String kubeconfigRef) {
    return count(rolloutReads, kubeconfigRef);
  }

  /** How many times the cluster's agents were read. */
  int agentReads(String kubeconfigRef) {
    return count(agentReads, kubeconfigRef);
  }

  /** How many watches of the cluster's clustermesh-apiserver were opened, and are still open. */
  int watchesOpened(String kubeconfigRef) {
    return count(watchesOpened, kubeconfigRef);
  }

  int openWatches(String kubeconfigRef) {
    return count(openWatches, kubeconfigRef);
  }

  /** The cluster holds {@code ca} as its Cilium CA. */
  void holdsCa(String kubeconfigRef, CiliumCa ca) {
    cas.put(kubeconfigRef, ca);
  }

  /** The cluster has no Secret {@code kube-system/cilium-ca}. */
  void withoutCa(String kubeconfigRef) {
    withoutCa.add(kubeconfigRef);
  }

  void failCaReadsTransiently(String kubeconfigRef, int times) {
    transientCaFailures.put(kubeconfigRef, new AtomicInteger(times));
  }

  /** How many times the cluster's CA was read. */
  int caReads(String kubeconfigRef) {
    return count(caReads, kubeconfigRef);
  }

  void unreachable(String clusterName) {
    unreachable.add(clusterName);
  }

  void refuseWrites(String kubeconfigRef) {
    refusing.add(kubeconfigRef);
  }

  void failWritesTransiently(String kubeconfigRef, int times) {
    transientWriteFailures.put(kubeconfigRef, new AtomicInteger(times));
  }

  void refuseListingAgents(String kubeconfigRef) {
    unlistable.add(kubeconfigRef);
  }

  void apiDown(String kubeconfigRef, boolean down) {
    if (down) {
      apiDown.add(kubeconfigRef);
    } else {
      apiDown.remove(kubeconfigRef);
    }
  }

  /** How many writes changed the cluster. */
  int changes(String kubeconfigRef) {
    return count(changes, kubeconfigRef);
  }

  /** How many times the configuration was asked to be written, changed or not. */
  int writeCalls(String kubeconfigRef) {
    return count(writeCalls, kubeconfigRef);
  }

  List<RemoteCluster> config(String kubeconfigRef) {
    return configs.getOrDefault(kubeconfigRef, List.of());
  }

  private static int count(Map<String, AtomicInteger> counts, String key) {
    return counts.getOrDefault(key, new AtomicInteger()).get();
  }

  @Override
  public ApiserverRollout apiserverRollout(String kubeconfigRef) {
    int reads =
        rolloutReads.computeIfAbsent(kubeconfigRef, k -> new AtomicInteger()).incrementAndGet();
    if (reads >= rolloutReadsToDone.getOrDefault(kubeconfigRef, 1)) {
      return new ApiserverRollout(2, 2, 1, 1, 1, 1);
    }
    return new ApiserverRollout(2, 2, 1, 0, 1, 1);
  }

  @Override
  public ClusterMeshPort.ApiserverWatch watchApiserver(String kubeconfigRef, Runnable onChange) {
    watchesOpened.computeIfAbsent(kubeconfigRef, k -> new AtomicInteger()).incrementAndGet();
    AtomicInteger open = openWatches.computeIfAbsent(kubeconfigRef, k -> new AtomicInteger());
    open.incrementAndGet();
    return new ClusterMeshPort.ApiserverWatch() {
      private boolean closed;

      @Override
      public Optional<ApiserverRollout> seen(Duration fresh) {
        return closed ? Optional.empty() : Optional.ofNullable(shown.get(kubeconfigRef));
      }

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          open.decrementAndGet();
        }
      }
    };
  }

  @Override
  public CiliumCa ciliumCa(String kubeconfigRef) {
    caReads.computeIfAbsent(kubeconfigRef, k -> new AtomicInteger()).incrementAndGet();
    AtomicInteger failures = transientCaFailures.get(kubeconfigRef);
    if (failures != null && failures.getAndDecrement() > 0) {
      throw new TransientFailure("KUBE_API_UNAVAILABLE", "503 Service Unavailable");
    }
    if (withoutCa.contains(kubeconfigRef)) {
      throw new TerminalFailure("CILIUM_CA_MISSING", "Secret kube-system/cilium-ca does not exist");
    }
    return cas.getOrDefault(kubeconfigRef, MESH_CA);
  }

  @Override
  public boolean writeMeshConfig(String kubeconfigRef, List<RemoteCluster> remotes) {
    writeCalls.computeIfAbsent(kubeconfigRef, k -> new AtomicInteger()).incrementAndGet();
    CyclicBarrier meet = writeRendezvous;
    if (meet != null) {
      try {
        meet.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
        throw new TransientFailure("KUBE_API_UNAVAILABLE", "no other write in progress: " + e);
      }
    }
    if (refusing.contains(kubeconfigRef)) {
      throw new TerminalFailure("KUBE_API_REJECTED", "forbidden: secrets is forbidden");
    }
    AtomicInteger failures = transientWriteFailures.get(kubeconfigRef);
    if (failures != null && failures.getAndDecrement() > 0) {
      throw new TransientFailure("KUBE_API_UNAVAILABLE", "503 Service Unavailable");
    }
    if (remotes.equals(configs.get(kubeconfigRef))) {
      return false;
    }
    configs.put(kubeconfigRef, List.copyOf(remotes));
    changes.computeIfAbsent(kubeconfigRef, k -> new AtomicInteger()).incrementAndGet();
    readsSinceWrite.put(kubeconfigRef, new AtomicInteger());
    return true;
  }

  @Override
  public List<AgentReport> agentReports(String kubeconfigRef, boolean explainGaps) {
    explained
        .computeIfAbsent(kubeconfigRef, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
        .add(explainGaps);
    CyclicBarrier meet = rendezvous;
    if (meet != null) {
      try {
        meet.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
        throw new TransientFailure("AGENT_EXEC_TIMEOUT", "no other read in progress: " + e);
      }
    }
    if (unlistable.contains(kubeconfigRef)) {
      throw new TerminalFailure("KUBE_API_REJECTED", "forbidden: pods is forbidden");
    }
    if (apiDown.contains(kubeconfigRef)) {
      throw new TransientFailure("KUBE_API_UNAVAILABLE", "connection refused");
    }
    agentReads.computeIfAbsent(kubeconfigRef, k -> new AtomicInteger()).incrementAndGet();
    Cluster local = clusters.get(kubeconfigRef);
    int reads =
        readsSinceWrite.computeIfAbsent(kubeconfigRef, k -> new AtomicInteger()).incrementAndGet();
    boolean synced = reads >= readsToSync.getOrDefault(kubeconfigRef, 1);
    List<String> nodes = new ArrayList<>();
    local.nodes().forEach(n -> nodes.add(local.name() + "/" + n));
    List<RemoteStatus> statuses = new ArrayList<>();
    for (RemoteCluster remote : config(kubeconfigRef)) {
      Cluster target =
          clusters.values().stream().filter(c -> c.name().equals(remote.name())).findFirst().get();
      if (unreachable.contains(remote.name())) {
        statuses.add(
            new RemoteStatus(
                remote.name(),
                false,
                "not connected",
                0,
                "dial tcp " + remote.ip() + ":2379: i/o timeout"));
      } else if (!synced) {
        statuses.add(new RemoteStatus(remote.name(), false, "waiting for initial sync", 0, null));
      } else {
        target.nodes().forEach(n -> nodes.add(remote.name() + "/" + n));
        statuses.add(new RemoteStatus(remote.name(), true, "ok", target.nodes().size(), null));
      }
    }
    return List.of(AgentReport.of("cilium-" + local.name(), nodes, statuses));
  }
}
