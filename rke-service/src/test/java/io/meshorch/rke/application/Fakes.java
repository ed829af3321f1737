package io.meshorch.rke.application;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.Kubeconfig;
import io.meshorch.rke.domain.NodeChecks;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.DeployRun;
import io.meshorch.rke.port.KubernetesDeployerPort;
import io.meshorch.rke.port.RemoteShellPort;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Stateful in-memory stand-ins for the ports of the VmsReady step, shared by its tests. */
final class Fakes {
  static final String KUBECONFIG =
      "clusters:\n- cluster:\n    server: \"https://10.0.0.1:6443\"\n"
          + "users:\n- user:\n    token: s3cr3t-token-value\n";

  private Fakes() {}

  /** Where a fake node is on its way from power-on to ready. */
  enum Boot {
    /** sshd not up: connections refused. */
    OFF,
    /** sshd up, cloud-init has not installed the user's key yet. */
    KEY_NOT_INSTALLED,
    /** cloud-init runs; Docker does not answer. */
    CLOUD_INIT_RUNNING,
    /** cloud-init is done; Docker is still starting. */
    DOCKER_STARTING,
    /** Ready. */
    READY,
    /** cloud-init failed. */
    CLOUD_INIT_ERROR,
    /** cloud-init is done; the SSH user is not in the docker group. */
    NOT_IN_DOCKER_GROUP;

    Boot next() {
      return this == READY || this == CLOUD_INIT_ERROR || this == NOT_IN_DOCKER_GROUP
          ? this
          : values()[ordinal() + 1];
    }
  }

  /** Nodes answering over "SSH" by their boot state; all nodes READY unless told otherwise. */
  static final class Nodes implements RemoteShellPort {
    final Map<String, Boot> boot = new ConcurrentHashMap<>();
    final List<String> commands = new CopyOnWriteArrayList<>();
    final List<SshTarget> targets = new CopyOnWriteArrayList<>();

    /** The node of each connection opened, in order. */
    final List<String> connections = new CopyOnWriteArrayList<>();

    volatile boolean wrongKey;

    /** Moves every node one state on towards ready. */
    void bootOn() {
      boot.replaceAll((node, state) -> state.next());
    }

    long commandsTo(String node) {
      return commands.stream().filter(c -> c.startsWith(node + ": ")).count();
    }

    @Override
    public <T> T onNode(SshTarget target, Duration timeout, NodeWork<T> work) {
      connections.add(target.node());
      return work.apply(command -> answer(target, command));
    }

    @Override
    public CommandResult run(SshTarget target, String command, Duration timeout) {
      connections.add(target.node());
      return answer(target, command);
    }

    private CommandResult answer(SshTarget target, String command) {
      targets.add(target);
      commands.add(target.node() + ": " + command);
      if (wrongKey) {
        throw new TerminalFailure("HOST_KEY_MISMATCH", "not the pinned key of " + target.node());
      }
      Boot state = boot.getOrDefault(target.node(), Boot.READY);
      boolean cloudInit = command.equals(NodeChecks.CLOUD_INIT);
      return switch (state) {
        case OFF ->
            throw new TransientFailure(
                "SSH_UNREACHABLE", "node " + target.node() + ": ConnectException: refused");
        case KEY_NOT_INSTALLED ->
            throw new TransientFailure(
                "SSH_AUTH_FAILED", "node " + target.node() + ": user ubuntu was not accepted");
        case CLOUD_INIT_RUNNING ->
            cloudInit ? new CommandResult(0, "status: running\n", "") : dockerDown();
        case DOCKER_STARTING ->
            cloudInit ? new CommandResult(0, "status: done\n", "") : dockerDown();
        case READY ->
            cloudInit
                ? new CommandResult(0, "status: done\n", "")
                : new CommandResult(0, "24.0.9\n", "");
        case CLOUD_INIT_ERROR -> new CommandResult(1, "status: error\n", "");
        case NOT_IN_DOCKER_GROUP ->
            cloudInit
                ? new CommandResult(0, "status: done\n", "")
                : new CommandResult(
                    1,
                    "",
                    "permission denied while trying to connect to the Docker daemon socket at"
                        + " unix:///var/run/docker.sock: Get"
                        + " \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/version\": dial unix"
                        + " /var/run/docker.sock: connect: permission denied\n");
      };
    }

    private static CommandResult dockerDown() {
      return new CommandResult(
          1,
          "",
          "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker"
              + " daemon running?\n");
    }
  }

  /**
   * A deployer like the RKE adapter: at most one run per cluster at a time (a second start joins
   * the run under way), runs end when told or at once.
   */
  static final class Deployer implements KubernetesDeployerPort {
    final List<ClusterPlan> started = new CopyOnWriteArrayList<>();
    final Map<String, Run> current = new ConcurrentHashMap<>();
    final AtomicInteger failuresToCome = new AtomicInteger();
    final Clock clock;
    volatile boolean endAtOnce = true;

    Deployer(Clock clock) {
      this.clock = clock;
    }

    /** Ends every run under way (successfully, unless failures are to come). */
    void endRuns() {
      current.values().forEach(Run::end);
    }

    Run lastRun() {
      return current.values().iterator().next();
    }

    final List<String> removed = new CopyOnWriteArrayList<>();

    @Override
    public List<String> remove(String meshId, String cluster) {
      Run running = current.remove(cluster);
      if (running != null) {
        running.end();
      }
      removed.add(meshId + "/" + cluster);
      return running == null ? List.of() : List.of("/work/" + meshId + "/" + cluster);
    }

    @Override
    public DeployRun start(ClusterPlan plan) {
      Run running = current.get(plan.clusterName());
      if (running != null && !running.finished()) {
        return running.joinedBy(plan);
      }
      started.add(plan);
      Run run =
          new Run(
              plan,
              clock.instant(),
              failuresToCome.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                  ? new TransientFailure(
                      "RKE_UP_FAILED",
                      "rke up exited with 1: FATA[0120] Failed to get job complete status")
                  : null);
      current.put(plan.clusterName(), run);
      if (endAtOnce) {
        run.end();
      }
      return run;
    }
  }

  /** One fake deployment. */
  static final class Run implements DeployRun {
    final ClusterPlan plan;
    final Instant startedAt;
    final TransientFailure failure;
    final List<Runnable> callbacks = new CopyOnWriteArrayList<>();
    volatile boolean finished;
    volatile boolean killed;

    Run(ClusterPlan plan, Instant startedAt, TransientFailure failure) {
      this.plan = plan;
      this.startedAt = startedAt;
      this.failure = failure;
    }

    /** The same run as seen by another caller (e.g. a step resumed after a restart). */
    DeployRun joinedBy(ClusterPlan other) {
      Run run = this;
      boolean same = other.equals(plan);
      return new DeployRun.View() {
        @Override
        public DeployRun delegate() {
          return run;
        }

        @Override
        public boolean resumed() {
          return true;
        }

        @Override
        public boolean deploysPlan() {
          return same;
        }
      };
    }

    void end() {
      finished = true;
      callbacks.forEach(Runnable::run);
    }

    @Override
    public boolean finished() {
      return finished;
    }

    @Override
    public Kubeconfig result() {
      if (!finished) {
        throw new IllegalStateException("still running");
      }
      if (killed) {
        throw new TransientFailure("RKE_UP_FAILED", "rke up was killed");
      }
      if (failure != null) {
        throw failure;
      }
      return new Kubeconfig(KUBECONFIG);
    }

    @Override
    public void onExit(Runnable callback) {
      if (finished) {
        callback.run();
      } else {
        callbacks.add(callback);
      }
    }

    @Override
    public Instant startedAt() {
      return startedAt;
    }

    @Override
    public boolean resumed() {
      return false;
    }

    @Override
    public boolean deploysPlan() {
      return true;
    }

    @Override
    public void kill() {
      killed = true;
      end();
    }

    @Override
    public String describe() {
      return "fake rke up of " + plan.clusterName();
    }
  }

  /** A secret store in memory that counts writes. */
  static final class Secrets implements SecretStore {
    final Map<String, byte[]> values = new ConcurrentHashMap<>();
    final AtomicInteger puts = new AtomicInteger();

    String text(String ref) {
      return Optional.ofNullable(values.get(ref))
          .map(v -> new String(v, StandardCharsets.UTF_8))
          .orElse(null);
    }

    @Override
    public void put(String ref, byte[] value) {
      puts.incrementAndGet();
      values.put(ref, value.clone());
    }

    @Override
    public byte[] putIfAbsent(String ref, byte[] value) {
      return values.computeIfAbsent(ref, r -> value.clone()).clone();
    }

    @Override
    public Optional<byte[]> get(String ref) {
      return Optional.ofNullable(values.get(ref)).map(byte[]::clone);
    }

    @Override
    public void delete(String ref) {
      values.remove(ref);
    }
  }
}
