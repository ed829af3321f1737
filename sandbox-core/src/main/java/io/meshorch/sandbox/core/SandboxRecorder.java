package io.meshorch.sandbox.core;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What the sandboxes observe, shared between them when one recorder is given to both builders: the
 * {@linkplain #steps() step log}, the {@linkplain #counters() side-effect counters}, and which mesh
 * cluster a node address belongs to (the cloud sandbox registers every server it creates, so that
 * the Kubernetes sandbox can tell the mesh of a cluster.yml). Thread-safe.
 */
public final class SandboxRecorder {
  private final StepLog steps = new StepLog();
  private final SideEffectCounters counters = new SideEffectCounters();
  private final Map<String, ClusterRef> nodes = new ConcurrentHashMap<>();
  private final List<Consumer<String>> nodeGone = new CopyOnWriteArrayList<>();

  /** When each external step finished. */
  public StepLog steps() {
    return steps;
  }

  /** The side effects observed at the sandbox's boundary. */
  public SideEffectCounters counters() {
    return counters;
  }

  /** Records that {@code step} of {@code cluster} finished at {@code finishedAt}. */
  public void finished(SandboxStep step, ClusterRef cluster, String object, Instant finishedAt) {
    steps.record(step, cluster, object, finishedAt);
  }

  /** Counts one {@code effect} on {@code cluster}. */
  public void count(SideEffect effect, ClusterRef cluster) {
    counters.increment(effect, cluster);
  }

  /** Notes that the machine at {@code address} is a node of {@code cluster}. */
  public void registerNode(String address, ClusterRef cluster) {
    nodes.put(address, cluster);
  }

  /**
   * Forgets the node at {@code address} (its server was deleted) and tells every {@link
   * #onNodeGone} listener.
   */
  public void forgetNode(String address) {
    if (nodes.remove(address) != null) {
      nodeGone.forEach(listener -> listener.accept(address));
    }
  }

  /**
   * Calls {@code listener} with the address of each node forgotten from now on: what runs on a
   * machine (a Kubernetes API server) goes with it.
   */
  public void onNodeGone(Consumer<String> listener) {
    nodeGone.add(listener);
  }

  /** The cluster of the node at {@code address}, if a sandbox registered it. */
  public Optional<ClusterRef> clusterOfNode(String address) {
    return Optional.ofNullable(nodes.get(address));
  }
}
