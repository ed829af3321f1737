package io.meshorch.mesh.application;

import io.meshorch.contracts.MeshFailed;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepContext;
import io.meshorch.kit.step.StepEnd;
import io.meshorch.kit.step.Wait;
import io.meshorch.mesh.domain.AgentReport;
import io.meshorch.mesh.domain.ApiserverRollout;
import io.meshorch.mesh.domain.CaAgreement;
import io.meshorch.mesh.domain.CiliumCa;
import io.meshorch.mesh.domain.ClusterConnection;
import io.meshorch.mesh.domain.ClusterMember;
import io.meshorch.mesh.domain.MeshAction;
import io.meshorch.mesh.domain.MeshLedger;
import io.meshorch.mesh.domain.MeshVerdict;
import io.meshorch.mesh.port.ClusterMeshPort;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects every cluster of a mesh to all the others, then checks that every cluster's Cilium
 * agents see every remote node. A reconciler: its first call reads every cluster's Cilium CA and
 * ends the step with {@code MeshFailed} CA_MISMATCH (not retryable, nothing written) when they
 * differ, since such agents could never verify each other; the next call writes every cluster's
 * mesh configuration, the clusters at the same time (nothing where it is in place already); then it
 * waits, watching, until every cluster's {@code clustermesh-apiserver} Deployment has rolled out
 * the new host aliases (as {@code cilium clustermesh status --wait} waits for it: until then
 * KVStoreMesh dials with the old pods, and reading the agents is wasted work on both sides); and
 * each later call reads every cluster's agents once and judges the mesh:
 *
 * <ul>
 *   <li>healthy: done with {@code MeshReady} (the node table);
 *   <li>not yet: waits (re-checked by the kit), publishing progress when the gaps change;
 *   <li>past {@code mesh.validation.timeout} since validation began: done with {@code MeshFailed}
 *       REMOTE_NOT_SEEN (retryable) naming the first cluster with a gap and every gap.
 * </ul>
 *
 * Both waits share one deadline, {@code mesh.validation.timeout} from the moment every cluster's
 * configuration is written; a rollout that outlasts it ends the step with {@code MeshFailed}
 * APISERVER_NOT_ROLLED_OUT (retryable) naming the clusters and where each stands.
 *
 * <p>A cluster whose CA cannot be read for good (no Secret {@code cilium-ca}), that refuses its
 * configuration, or whose agents cannot be listed for good ends the step with a {@code MeshFailed}
 * naming that cluster; transient API errors are thrown for the kit to retry. A step created afresh
 * for the same mesh (after a restart) converges: it reads the CAs again, writes that are in place
 * change nothing, a rollout done is seen at once, and validation only reads; its deadline starts
 * anew.
 */
public final class ConnectStep implements Step {
  /** Reason code of a mesh whose agents did not see every remote node in time. */
  public static final String REMOTE_NOT_SEEN = "REMOTE_NOT_SEEN";

  /** Reason code of a mesh whose clustermesh-apiservers did not roll out in time. */
  public static final String APISERVER_NOT_ROLLED_OUT = "APISERVER_NOT_ROLLED_OUT";

  /** The setting that bounds validation. */
  public static final String TIMEOUT_SETTING = "mesh.validation.timeout";

  /**
   * How much longer than the validation timeout the kit's wait may last: a safety net only, since
   * the step fails with its own verdict when its deadline passes.
   */
  static final Duration SAFETY_MARGIN = Duration.ofMinutes(1);

  /**
   * How recent a watch's last event must be for the rollout wait to take what it showed instead of
   * reading the Deployment: a real API server resumes a dropped watch where it stopped, so nothing
   * is missed; still, after this long without an event the wait reads, as an informer resyncs.
   */
  static final Duration SEEN_FRESH = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(ConnectStep.class);

  private final MeshAction.Connect action;
  private final ClusterMeshPort mesh;
  private final MeshLedger ledger;
  private final Duration timeout;
  private final Clock clock;
  private final Executor workers;
  private final List<ClusterConnection> connections;
  private final Set<String> written = new HashSet<>();
  private final Wait agentsSeeRemotes;
  private final Wait apiserversRolledOut;
  private boolean announced;
  private boolean sameCa;
  private boolean rolledOut;

  /** Each cluster's clustermesh-apiserver watch, opened on the first wait for the rollouts. */
  private final Map<ClusterMember, ClusterMeshPort.ApiserverWatch> watches = new HashMap<>();

  /** The clusters whose rollout a read found done (in this step). */
  private final Set<ClusterMember> rolloutDone = new HashSet<>();

  /** The agents' reports of each cluster a round found seeing every remote: not read again. */
  private final Map<String, List<AgentReport>> complete = new HashMap<>();

  /** The clusters the last round found a gap in: their next read asks KVStoreMesh why. */
  private Set<String> gapsLastRound = Set.of();

  private Instant deadline;
  private String lastProgress;

  ConnectStep(
      MeshAction.Connect action,
      ClusterMeshPort mesh,
      MeshLedger ledger,
      Duration timeout,
      Clock clock,
      Executor workers) {
    this.action = action;
    this.mesh = mesh;
    this.ledger = ledger;
    this.timeout = timeout;
    this.clock = clock;
    this.workers = workers;
    this.connections = ClusterConnection.plan(action.members());
    this.agentsSeeRemotes =
        Wait.of(
            "every cluster sees every remote node",
            timeout.plus(SAFETY_MARGIN),
            REMOTE_NOT_SEEN,
            TIMEOUT_SETTING);
    this.apiserversRolledOut =
        Wait.of(
            "every clustermesh-apiserver rolled out",
            timeout.plus(SAFETY_MARGIN),
            APISERVER_NOT_ROLLED_OUT,
            TIMEOUT_SETTING);
  }

  @Override
  public Next advance(StepContext ctx) {
    if (!announced) {
      ctx.progress("connecting " + connections.size() + " clusters");
      announced = true;
    }
    if (!sameCa) {
      return checkCas(ctx);
    }
    if (written.size() < connections.size()) {
      return writeAll(ctx);
    }
    if (deadline == null) {
      deadline = clock.instant().plus(timeout);
    }
    if (!rolledOut) {
      Optional<Next> waiting = awaitRollouts(ctx);
      if (waiting.isPresent()) {
        return waiting.get();
      }
    }
    return validate(ctx);
  }

  /**
   * Reads the clusters' clustermesh-apiserver rollouts, the clusters at the same time (all of them
   * the first time; then those whose watch does not show the rollout still going, and that no read
   * found done yet); empty once every one is done, else how the step goes on (waiting, nudged by
   * watches opened on the first wait, or ended by a refusal or the deadline). A rollout that cannot
   * be read transiently counts as not done.
   */
  private Optional<Next> awaitRollouts(StepContext ctx) {
    Map<ClusterMember, String> notDone = new HashMap<>();
    List<ClusterMember> toRead = new ArrayList<>();
    for (ClusterMember m : action.members()) {
      // A rollout the cluster's watch showed not done needs no read: its next change wakes the
      // step. One a read found done stays done unless the watch shows otherwise.
      Optional<ApiserverRollout> seen =
          watches.containsKey(m) ? watches.get(m).seen(SEEN_FRESH) : Optional.empty();
      if (seen.isPresent() && !seen.get().done()) {
        notDone.put(m, seen.get().describe());
        rolloutDone.remove(m);
      } else if (!rolloutDone.contains(m)) {
        toRead.add(m);
      }
    }
    for (Map.Entry<ClusterMember, CompletableFuture<ApiserverRollout>> read :
        readEach(toRead, m -> mesh.apiserverRollout(m.kubeconfigRef())).entrySet()) {
      String cluster = read.getKey().name();
      try {
        ApiserverRollout rollout = read.getValue().join();
        if (rollout.done()) {
          rolloutDone.add(read.getKey());
        } else {
          notDone.put(read.getKey(), rollout.describe());
        }
      } catch (CompletionException e) {
        if (e.getCause() instanceof TransientFailure t) {
          notDone.put(read.getKey(), "cannot be read: " + t.getMessage());
        } else if (e.getCause() instanceof TerminalFailure t) {
          log.error(
              "mesh {}: the clustermesh-apiserver of cluster {} cannot be read: {}",
              meshId(),
              cluster,
              t.getMessage());
          return Optional.of(
              Next.done(new MeshFailed(ctx.stage(), cluster, t.code(), t.getMessage(), false)));
        } else {
          throw unwrap(e);
        }
      }
    }
    Map<String, String> pending = new LinkedHashMap<>();
    for (ClusterMember m : action.members()) {
      if (notDone.containsKey(m)) {
        pending.put(m.name(), notDone.get(m));
      }
    }
    if (pending.isEmpty()) {
      rolledOut = true;
      log.info("mesh {}: every clustermesh-apiserver runs its new pods", meshId());
      return Optional.empty();
    }
    StringBuilder where = new StringBuilder();
    pending.forEach(
        (cluster, state) ->
            where
                .append(where.length() == 0 ? "" : ", ")
                .append(cluster)
                .append(" (")
                .append(state)
                .append(')'));
    if (!clock.instant().isBefore(deadline)) {
      String reason =
          "Deployment kube-system/clustermesh-apiserver not rolled out after "
              + timeout
              + ": "
              + where
              + "; check with: kubectl -n kube-system rollout status deployment/clustermesh-apiserver";
      log.error("mesh {}: {}", meshId(), reason);
      return Optional.of(
          Next.done(
              new MeshFailed(
                  ctx.stage(),
                  pending.keySet().iterator().next(),
                  APISERVER_NOT_ROLLED_OUT,
                  reason,
                  true)));
    }
    if (watches.isEmpty()) {
      for (ClusterMember m : action.members()) {
        ClusterMeshPort.ApiserverWatch watch = mesh.watchApiserver(m.kubeconfigRef(), ctx::nudge);
        ctx.keep(watch);
        watches.put(m, watch);
      }
    }
    String progress = "waiting for clustermesh-apiserver rollout: " + where;
    if (!progress.equals(lastProgress)) {
      lastProgress = progress;
      ctx.progress(progress);
    }
    return Optional.of(Next.waitFor(apiserversRolledOut, progress));
  }

  /**
   * Reads every cluster's Cilium CA, the clusters at the same time; ends the step when they differ
   * or one cannot be read for good, before anything is written.
   */
  private Next checkCas(StepContext ctx) {
    Map<String, CiliumCa> cas = new LinkedHashMap<>();
    for (Map.Entry<ClusterMember, CompletableFuture<CiliumCa>> read :
        readEach(m -> mesh.ciliumCa(m.kubeconfigRef())).entrySet()) {
      String cluster = read.getKey().name();
      try {
        cas.put(cluster, read.getValue().join());
      } catch (CompletionException e) {
        if (e.getCause() instanceof TransientFailure t) {
          throw new TransientFailure(t.code(), "cluster " + cluster + ": " + t.getMessage(), t);
        } else if (e.getCause() instanceof TerminalFailure t) {
          log.error(
              "mesh {}: cluster {} has no usable Cilium CA: {}", meshId(), cluster, t.getMessage());
          return Next.done(
              new MeshFailed(
                  ctx.stage(),
                  cluster,
                  t.code(),
                  "cluster " + cluster + ": " + t.getMessage(),
                  false));
        }
        throw unwrap(e);
      }
    }
    Optional<String> mismatch = CaAgreement.mismatch(meshId(), cas);
    if (mismatch.isPresent()) {
      log.error("mesh {} not connected: {}", meshId(), mismatch.get());
      return Next.done(
          new MeshFailed(ctx.stage(), null, CaAgreement.CA_MISMATCH, mismatch.get(), false));
    }
    log.info(
        "mesh {}: every cluster holds Cilium CA {}",
        meshId(),
        cas.values().iterator().next().shortForm());
    sameCa = true;
    return Next.again();
  }

  /** Starts {@code read} for every member on the workers; the results in member order. */
  private <T> Map<ClusterMember, CompletableFuture<T>> readEach(Function<ClusterMember, T> read) {
    return readEach(action.members(), read);
  }

  /** Starts {@code read} for each of {@code members} on the workers; the results in their order. */
  private <T> Map<ClusterMember, CompletableFuture<T>> readEach(
      List<ClusterMember> members, Function<ClusterMember, T> read) {
    Map<ClusterMember, CompletableFuture<T>> reads = new LinkedHashMap<>();
    for (ClusterMember m : members) {
      reads.put(m, CompletableFuture.supplyAsync(() -> read.apply(m), workers));
    }
    return reads;
  }

  /** The unchecked cause of a failed read, or the failure itself. */
  private static RuntimeException unwrap(CompletionException e) {
    return e.getCause() instanceof RuntimeException r ? r : e;
  }

  /**
   * Writes the mesh configuration of every cluster not written yet, the clusters at the same time:
   * each is a different API server, so a mesh of sixteen takes about one write's time, not sixteen.
   * Every write is waited for before the step goes on: a refusal ends the step naming the first
   * refusing cluster (in member order); otherwise a transient failure is thrown for the kit to
   * retry, and the retry writes only the clusters that were not written.
   */
  private Next writeAll(StepContext ctx) {
    Map<ClusterConnection, CompletableFuture<Boolean>> writes = new LinkedHashMap<>();
    for (ClusterConnection c : connections) {
      if (!written.contains(c.member().name())) {
        writes.put(
            c,
            CompletableFuture.supplyAsync(
                () -> mesh.writeMeshConfig(c.member().kubeconfigRef(), c.remotes()), workers));
      }
    }
    TerminalFailure refused = null;
    String refusing = null;
    RuntimeException retry = null;
    for (Map.Entry<ClusterConnection, CompletableFuture<Boolean>> write : writes.entrySet()) {
      ClusterConnection c = write.getKey();
      String cluster = c.member().name();
      try {
        boolean changed = write.getValue().join();
        written.add(cluster);
        log.info(
            "mesh {}: cluster {} {} to {} remotes",
            meshId(),
            cluster,
            changed ? "connected" : "already connected",
            c.remotes().size());
      } catch (CompletionException e) {
        if (e.getCause() instanceof TerminalFailure t) {
          if (refused == null) {
            refused = t;
            refusing = cluster;
          }
        } else if (e.getCause() instanceof TransientFailure t) {
          if (retry == null) {
            retry = new TransientFailure(t.code(), "cluster " + cluster + ": " + t.getMessage(), t);
          }
        } else if (retry == null) {
          retry = unwrap(e);
        }
      }
    }
    if (refused != null) {
      log.error(
          "mesh {}: cluster {} refused its mesh configuration: {}",
          meshId(),
          refusing,
          refused.getMessage());
      return Next.done(
          new MeshFailed(ctx.stage(), refusing, refused.code(), refused.getMessage(), false));
    }
    if (retry != null) {
      throw retry;
    }
    return Next.again();
  }

  /**
   * Reads the agents of every cluster not found complete yet, the clusters at the same time (a
   * round takes about as long as its slowest cluster, not their sum), and judges the mesh. A
   * cluster whose agents saw every remote is not read again: the first round often comes before
   * KVStoreMesh has connected every remote, and reading the complete clusters again would only slow
   * the next round. KVStoreMesh is asked why a remote is missing only for a cluster that already
   * had a gap in the last round: a first look at a fresh connection does without.
   */
  private Next validate(StepContext ctx) {
    List<ClusterMember> toRead =
        action.members().stream().filter(m -> !complete.containsKey(m.name())).toList();
    Set<String> explain = gapsLastRound;
    Map<ClusterMember, CompletableFuture<List<AgentReport>>> reads =
        readEach(toRead, m -> mesh.agentReports(m.kubeconfigRef(), explain.contains(m.name())));
    Map<String, List<AgentReport>> reports = new LinkedHashMap<>(complete);
    for (Map.Entry<ClusterMember, CompletableFuture<List<AgentReport>>> read : reads.entrySet()) {
      String cluster = read.getKey().name();
      try {
        reports.put(cluster, read.getValue().join());
      } catch (CompletionException e) {
        if (e.getCause() instanceof TransientFailure t) {
          reports.put(cluster, List.of(AgentReport.unreadable("(API)", t.getMessage())));
        } else if (e.getCause() instanceof TerminalFailure t) {
          log.error(
              "mesh {}: the agents of cluster {} cannot be read: {}",
              meshId(),
              cluster,
              t.getMessage());
          return Next.done(new MeshFailed(ctx.stage(), cluster, t.code(), t.getMessage(), false));
        } else {
          throw unwrap(e);
        }
      }
    }
    MeshVerdict verdict = MeshVerdict.evaluate(action.members(), reports);
    gapsLastRound =
        verdict.gaps().stream().map(MeshVerdict.Gap::cluster).collect(Collectors.toSet());
    reports.forEach(
        (cluster, agents) -> {
          if (!gapsLastRound.contains(cluster)) {
            complete.put(cluster, agents);
          }
        });
    if (verdict.healthy()) {
      log.info("mesh {}: every cluster sees every remote node", meshId());
      return Next.done(verdict.nodeTable());
    }
    if (!clock.instant().isBefore(deadline)) {
      log.error("mesh {} not ready after {}: {}", meshId(), timeout, verdict.reason());
      return Next.done(
          new MeshFailed(
              ctx.stage(), verdict.blamedCluster(), REMOTE_NOT_SEEN, verdict.reason(), true));
    }
    if (!verdict.progress().equals(lastProgress)) {
      lastProgress = verdict.progress();
      ctx.progress(lastProgress);
    }
    return Next.waitFor(agentsSeeRemotes, verdict.progress());
  }

  private String meshId() {
    return action.meshId();
  }

  @Override
  public void ended(StepEnd end) {
    MeshSteps.ended(ledger, action.meshId(), end);
  }
}
