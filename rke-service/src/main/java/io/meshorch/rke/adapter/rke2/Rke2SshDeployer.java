package io.meshorch.rke.adapter.rke2;

import io.meshorch.kit.port.SecretStore;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.DeployRun;
import io.meshorch.rke.port.KubernetesDeployerPort;
import io.meshorch.rke.port.RemoteShellPort;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * RKE2 behind the deployer port: installs and starts RKE2 on the cluster's nodes over SSH (through
 * {@link RemoteShellPort}, so every command verifies the node's pinned host key), one bounded piece
 * of work per {@link DeployRun#advance()} call (see {@link Rke2Run}); the nodes' preparations
 * (install and start) run on the install pool, every agent of a cluster at once. Keeps no files:
 * everything it needs again lives on the nodes (config.yaml, the installed release, the units) or
 * in the secret store (the join token, generated once per cluster).
 */
public final class Rke2SshDeployer implements KubernetesDeployerPort {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RemoteShellPort shell;
  private final SecretStore secrets;
  private final Rke2Settings settings;
  private final Clock clock;
  private final Executor installs;
  // mesh/cluster → its run under way; never two runs of one cluster at once
  private final Map<String, Rke2Run> runs = new ConcurrentHashMap<>();

  /**
   * @param installs where the nodes' preparations run (each holds a thread for its SSH commands,
   *     the install script's included)
   */
  public Rke2SshDeployer(
      RemoteShellPort shell,
      SecretStore secrets,
      Rke2Settings settings,
      Clock clock,
      Executor installs) {
    this.shell = shell;
    this.secrets = secrets;
    this.settings = settings;
    this.clock = clock;
    this.installs = installs;
  }

  /**
   * Always throws: RKE2 works on the nodes itself and needs their host-key policies.
   *
   * @throws IllegalStateException always; use {@link #start(ClusterPlan, List)}
   */
  @Override
  public DeployRun start(ClusterPlan plan) {
    throw new IllegalStateException("RKE2 needs the nodes' SSH targets: start(plan, nodes)");
  }

  @Override
  public DeployRun start(ClusterPlan plan, List<SshTarget> nodes) {
    if (nodes.size() != plan.nodes().size()) {
      throw new IllegalArgumentException(
          "need one SSH target per node of the plan, found " + nodes.size());
    }
    String key = plan.meshId() + "/" + plan.clusterName();
    Rke2Run current = runs.get(key);
    if (current != null && !current.finished()) {
      return current.plan().equals(plan) ? current : current.asOtherPlan();
    }
    Rke2Run run = new Rke2Run(plan, nodes, shell, token(plan), settings, installs, clock.instant());
    runs.put(key, run);
    return run;
  }

  @Override
  public List<String> remove(String meshId, String cluster) {
    Rke2Run run = runs.remove(meshId + "/" + cluster);
    if (run != null && !run.finished()) {
      run.kill();
    }
    // Nothing kept here: the nodes are gone, the token is one of the cluster's secrets.
    return List.of();
  }

  /** The cluster's join token: generated once, agreed on atomically, never logged. */
  private String token(ClusterPlan plan) {
    byte[] fresh = new byte[32];
    RANDOM.nextBytes(fresh);
    byte[] stored =
        secrets.putIfAbsent(
            plan.rke2TokenRef(), HexFormat.of().formatHex(fresh).getBytes(StandardCharsets.UTF_8));
    return new String(stored, StandardCharsets.UTF_8);
  }
}
