package io.meshorch.rke.adapter.rke2;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.CommandResult;
import io.meshorch.rke.domain.InvalidPlanException;
import io.meshorch.rke.domain.Kubeconfig;
import io.meshorch.rke.domain.Rke2Commands;
import io.meshorch.rke.domain.Rke2Config;
import io.meshorch.rke.domain.Rke2Kubeconfig;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.DeployRun;
import io.meshorch.rke.port.RemoteShellPort;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RKE2 deployment of a cluster, as a reconciler: each {@link #advance()} does one bounded piece
 * of work over SSH and returns; what is awaited (the server's supervisor, the agents' registration)
 * is looked at again on the next call, which the caller times. Preparing a node (its install script
 * may run for minutes) is not done on the caller's thread but on the deployer's install pool, every
 * agent at the same time; the call that finds them under way returns at once, and each one's end
 * {@linkplain #onProgress nudges} the caller. In order:
 *
 * <ol>
 *   <li>the first node (server): {@code rke2 --version} and {@code systemctl is-active
 *       rke2-server}; config.yaml written (only when its text differs); the install script run only
 *       when the installed release is not the planned one; the unit (re)started only when it was
 *       installed, its config changed, or it is not running;
 *   <li>until {@code rke2-server} is {@code active} (its supervisor on 9345 answers): wait; a
 *       {@code failed} unit fails the run with its journal's last error;
 *   <li>every further node (agent) the same way, all at once, with {@code server:
 *       https://<first>:9345}; an agent that did not answer over SSH is prepared again on the next
 *       call, the others are not;
 *   <li>until every node is registered ({@code kubectl get nodes} on the server): wait, with the
 *       last error of a missing agent's journal in {@link #describe()}; an agent whose token the
 *       server refused ({@code 401 Unauthorized}) fails the run;
 *   <li>{@code rke2.yaml} read from the server, its {@code server} pointed at the first node.
 * </ol>
 *
 * <p>So a run against a cluster that is installed, configured and running changes nothing on the
 * nodes. SSH failures that may pass (refused, timed out) leave the run where it is; a host key that
 * does not verify ends it at once.
 */
final class Rke2Run implements DeployRun {
  private static final Logger log = LoggerFactory.getLogger(Rke2Run.class);

  private enum Phase {
    SERVER,
    SERVER_READY,
    AGENTS,
    REGISTERED,
    KUBECONFIG,
    ENDED
  }

  private final ClusterPlan plan;
  private final List<SshTarget> nodes;
  private final RemoteShellPort shell;
  private final String token;
  private final Rke2Settings settings;
  private final Instant startedAt;
  private final String version;
  private final Executor installs;
  private final List<Runnable> onExit = new ArrayList<>();
  private final List<Runnable> onProgress = new CopyOnWriteArrayList<>();
  private Phase phase = Phase.SERVER;

  /** The nodes being prepared on the install pool, by index; empty between rounds. */
  private Map<Integer, CompletableFuture<Void>> preparing = Map.of();

  /** The agents prepared so far (by index), never prepared again by this run. */
  private final Set<Integer> preparedAgents = new HashSet<>();

  private volatile String status = "not started";
  private Kubeconfig kubeconfig;
  private RuntimeException failure;

  Rke2Run(
      ClusterPlan plan,
      List<SshTarget> nodes,
      RemoteShellPort shell,
      String token,
      Rke2Settings settings,
      Executor installs,
      Instant startedAt) {
    this.plan = plan;
    this.installs = installs;
    this.nodes = List.copyOf(nodes);
    this.shell = shell;
    this.token = token;
    this.settings = settings;
    this.startedAt = startedAt;
    this.version = plan.pinnedKubernetesVersion().orElse(settings.defaultVersion());
  }

  ClusterPlan plan() {
    return plan;
  }

  @Override
  public synchronized boolean advance() {
    if (phase == Phase.ENDED) {
      return false;
    }
    try {
      return switch (phase) {
        case SERVER -> prepared(List.of(0), Phase.SERVER_READY);
        case SERVER_READY -> serverReady();
        case AGENTS -> prepared(agentsLeft(), Phase.REGISTERED);
        case REGISTERED -> registered();
        case KUBECONFIG -> {
          readKubeconfig();
          yield false;
        }
        case ENDED -> false;
      };
    } catch (TransientFailure e) {
      if (e.code().startsWith("RKE2_")) {
        // RKE2 itself failed (install, config, start): the run ends, the kit's step retry decides.
        end(null, e);
        return false;
      }
      // SSH refused or timed out: the node may be rebooting or busy; look again from here.
      status = e.code() + ": " + e.getMessage();
      log.debug("rke2 on cluster {}: {}", plan.clusterName(), status);
      return false;
    } catch (TerminalFailure e) {
      end(null, e);
      throw e;
    } catch (InvalidPlanException e) {
      end(null, new TerminalFailure("RKE2_SETTINGS_INVALID", e.getMessage(), e));
      return false;
    }
  }

  /**
   * Steps 1 and 3: prepares the nodes {@code indexes} at once on the install pool (the first call),
   * then, once all of them ended, moves on to {@code next}; a failure of one is thrown (the most
   * severe: a host key, then RKE2's own, then SSH's) and the nodes that were prepared are not
   * prepared again.
   *
   * @return true when every node is prepared; false while some are being prepared
   */
  private boolean prepared(List<Integer> indexes, Phase next) {
    if (preparing.isEmpty()) {
      Map<Integer, CompletableFuture<Void>> round = new LinkedHashMap<>();
      for (int index : indexes) {
        CompletableFuture<Void> prepare =
            CompletableFuture.runAsync(() -> prepare(index), installs);
        round.put(index, prepare);
        prepare.whenComplete((ok, failed) -> onProgress.forEach(Runnable::run));
      }
      preparing = round;
    }
    if (!preparing.values().stream().allMatch(CompletableFuture::isDone)) {
      status = preparing.size() + " node(s) being prepared (config, install, start)";
      return false;
    }
    Map<Integer, CompletableFuture<Void>> round = preparing;
    preparing = Map.of();
    RuntimeException worst = null;
    for (Map.Entry<Integer, CompletableFuture<Void>> e : round.entrySet()) {
      try {
        e.getValue().join();
        if (e.getKey() > 0) {
          preparedAgents.add(e.getKey());
        }
      } catch (CompletionException failed) {
        RuntimeException cause =
            failed.getCause() instanceof RuntimeException r ? r : new IllegalStateException(failed);
        worst = severity(cause) > severity(worst) ? cause : worst;
      }
    }
    if (worst != null) {
      throw worst;
    }
    phase = next;
    return true;
  }

  /** Host keys first, then RKE2's own failures, then SSH's (which are tried again). */
  private static int severity(RuntimeException failure) {
    if (failure == null) {
      return 0;
    }
    if (failure instanceof TransientFailure t) {
      return t.code().startsWith("RKE2_") ? 2 : 1;
    }
    return 3;
  }

  private List<Integer> agentsLeft() {
    List<Integer> left = new ArrayList<>();
    for (int i = 1; i < nodes.size(); i++) {
      if (!preparedAgents.contains(i)) {
        left.add(i);
      }
    }
    return left;
  }

  /** Config, install and start on node {@code index}, each only when needed. */
  private void prepare(int index) {
    SshTarget node = nodes.get(index);
    String unit = Rke2Commands.unit(index);
    Optional<String> installed =
        Rke2Commands.installedVersion(run(node, Rke2Commands.VERSION_PROBE));
    String state = Rke2Commands.unitState(run(node, Rke2Commands.isActive(unit)));
    CommandResult written =
        run(node, Rke2Commands.writeConfig(Rke2Config.render(plan, index, token)));
    if (!written.succeeded()) {
      throw new TransientFailure(
          "RKE2_CONFIG_FAILED",
          "cannot write " + Rke2Config.PATH + " on " + node.node() + ": " + tail(written));
    }
    boolean changed = !written.stdout().contains("unchanged");
    boolean install = !installed.map(version::equals).orElse(false);
    if (install) {
      String command =
          Rke2Commands.install(
              version, Rke2Commands.type(index), settings.installScriptUrl(), settings.artifacts());
      CommandResult answer = shell.run(node, command, settings.installTimeout());
      if (!answer.succeeded()) {
        throw new TransientFailure(
            "RKE2_INSTALL_FAILED",
            "installing RKE2 " + version + " on " + node.node() + " failed: " + tail(answer));
      }
      log.info(
          "rke2 {} installed on node {} of cluster {} ({})",
          version,
          node.node(),
          plan.clusterName(),
          installed.map(v -> "was " + v).orElse("fresh"));
    }
    boolean running = state.equals("active") || state.equals("activating");
    if (install || changed || !running) {
      CommandResult started = run(node, Rke2Commands.start(unit));
      if (!started.succeeded()) {
        throw new TransientFailure(
            "RKE2_START_FAILED",
            "cannot start " + unit + " on " + node.node() + ": " + tail(started));
      }
      log.info(
          "{} (re)started on node {} of cluster {} (installed: {}, config changed: {}, was {})",
          unit,
          node.node(),
          plan.clusterName(),
          install,
          changed,
          state);
    }
    status = unit + " on " + node.node() + " configured and started";
  }

  /** Step 2: the server's unit is active once its supervisor and API answer. */
  private boolean serverReady() {
    SshTarget server = nodes.get(0);
    String state = Rke2Commands.unitState(run(server, Rke2Commands.isActive("rke2-server")));
    if (state.equals("active")) {
      phase = nodes.size() > 1 ? Phase.AGENTS : Phase.REGISTERED;
      status = "rke2-server on " + server.node() + " is active";
      return true;
    }
    if (state.equals("failed")) {
      end(
          null,
          new TransientFailure(
              "RKE2_SERVER_FAILED",
              "rke2-server on " + server.node() + " failed: " + lastError(server, "rke2-server")));
      return false;
    }
    status = "rke2-server on " + server.node() + " is " + state;
    return false;
  }

  /** Step 4: every planned node name is a Kubernetes node. */
  private boolean registered() {
    SshTarget server = nodes.get(0);
    CommandResult answer = run(server, Rke2Commands.REGISTERED_NODES);
    Set<String> known = Rke2Commands.registeredNodes(answer);
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (!known.contains(plan.nodes().get(i).name())) {
        missing.add(i);
      }
    }
    if (missing.isEmpty()) {
      phase = Phase.KUBECONFIG;
      status = "all " + nodes.size() + " node(s) registered";
      return true;
    }
    int first = missing.get(0);
    SshTarget node = nodes.get(first);
    String why =
        first == 0
            ? "not registered yet"
            : "not registered: " + lastError(node, Rke2Commands.unit(first));
    if (first > 0 && Rke2Commands.tokenRejected(why)) {
      end(
          null,
          new TransientFailure(
              "RKE2_JOIN_REJECTED",
              "node "
                  + node.node()
                  + " cannot join the RKE2 server at "
                  + plan.nodes().get(0).address()
                  + ":"
                  + Rke2Config.SUPERVISOR_PORT
                  + ", the server refused its token ("
                  + why
                  + ")"));
      return false;
    }
    status =
        missing.size()
            + " of "
            + nodes.size()
            + " node(s) not registered; "
            + node.node()
            + " "
            + why;
    return false;
  }

  /** Step 5. */
  private void readKubeconfig() {
    SshTarget server = nodes.get(0);
    CommandResult answer = run(server, Rke2Commands.READ_KUBECONFIG);
    if (!answer.succeeded()) {
      throw new TransientFailure(
          "RKE2_KUBECONFIG_MISSING",
          "cannot read /etc/rancher/rke2/rke2.yaml on " + server.node() + ": " + tail(answer));
    }
    Kubeconfig pointed;
    try {
      pointed = Rke2Kubeconfig.pointedAt(answer.stdout(), plan.nodes().get(0).address());
    } catch (InvalidPlanException e) {
      end(null, new TransientFailure("RKE2_KUBECONFIG_INVALID", e.getMessage(), e));
      return;
    }
    status = "done";
    log.info("rke2 cluster {} is up on {} node(s)", plan.clusterName(), nodes.size());
    end(pointed, null);
  }

  /**
   * The last error line of {@code unit}'s journal on {@code node}, or a note that there is none.
   */
  private String lastError(SshTarget node, String unit) {
    List<String> errors = Rke2Commands.errors(run(node, Rke2Commands.journal(unit)), token);
    return errors.isEmpty()
        ? unit + " logged no error yet"
        : unit + ": " + errors.get(errors.size() - 1);
  }

  private CommandResult run(SshTarget node, String command) {
    return shell.run(node, command, settings.commandTimeout());
  }

  private void end(Kubeconfig result, RuntimeException failed) {
    List<Runnable> callbacks;
    synchronized (this) {
      if (phase == Phase.ENDED) {
        return;
      }
      phase = Phase.ENDED;
      kubeconfig = result;
      failure = failed;
      if (failed != null) {
        status = failed.getMessage();
        log.warn("rke2 on cluster {} failed: {}", plan.clusterName(), status);
      }
      callbacks = List.copyOf(onExit);
      onExit.clear();
    }
    callbacks.forEach(Runnable::run);
  }

  @Override
  public synchronized boolean finished() {
    return phase == Phase.ENDED;
  }

  @Override
  public synchronized Kubeconfig result() {
    if (phase != Phase.ENDED) {
      throw new IllegalStateException("the RKE2 deployment has not ended");
    }
    if (failure != null) {
      throw failure;
    }
    return kubeconfig;
  }

  @Override
  public void onExit(Runnable callback) {
    synchronized (this) {
      if (phase != Phase.ENDED) {
        onExit.add(callback);
        return;
      }
    }
    callback.run();
  }

  /** Calls {@code nudge} each time a node's preparation ends, on a thread of the install pool. */
  @Override
  public void onProgress(Runnable nudge) {
    onProgress.add(nudge);
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
    end(null, new TransientFailure("RKE2_STOPPED", "the RKE2 deployment was stopped"));
  }

  @Override
  public synchronized String describe() {
    return "rke2 " + version + " on " + nodes.size() + " node(s): " + status;
  }

  /** This run as seen by a start for another plan of the same cluster: wait for it, then start. */
  DeployRun asOtherPlan() {
    return new DeployRun.View() {
      @Override
      public DeployRun delegate() {
        return Rke2Run.this;
      }

      @Override
      public boolean resumed() {
        return false;
      }

      @Override
      public boolean deploysPlan() {
        return false;
      }
    };
  }

  /** The last lines of a failed command's output, for messages (no secrets are in them). */
  private static String tail(CommandResult answer) {
    String text = (answer.stderr().isBlank() ? answer.stdout() : answer.stderr()).strip();
    String[] lines = text.split("\n");
    int from = Math.max(0, lines.length - 3);
    return "exit "
        + answer.exitStatus()
        + ": "
        + String.join(" | ", List.of(lines).subList(from, lines.length));
  }
}
