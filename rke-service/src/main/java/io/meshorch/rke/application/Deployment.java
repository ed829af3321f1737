package io.meshorch.rke.application;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.StepContext;
import io.meshorch.kit.step.StepEnd;
import io.meshorch.kit.step.Wait;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.Kubeconfig;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.DeployRun;
import io.meshorch.rke.port.KubernetesDeployerPort;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The deployment phase of one step: starts {@code rke up} (or joins the run already under way),
 * waits for its exit without a thread (the run's exit nudges the step), kills it past {@code
 * mesh.rke.timeout}, and turns a failed run into a {@link TransientFailure} that the kit's step
 * retry answers by running it again.
 *
 * <p>Every run is awaited under the same wait name, "rke up": the kit counts failures per phase, so
 * {@code mesh.service.step-retry.attempts} bounds the number of failed runs although the call that
 * starts each run returns normally, and it restarts the wait's clock for each run.
 */
final class Deployment {
  /** Margin of the kit's safety-net wait beyond the timeout this class enforces itself. */
  private static final Duration SAFETY = Duration.ofMinutes(1);

  private final ClusterPlan plan;
  private final List<SshTarget> nodes;
  private final KubernetesDeployerPort deployer;
  private final Duration timeout;
  private final Clock clock;
  private DeployRun run;
  private Instant deadline;
  private int failedRuns;

  /**
   * @param nodes the plan's nodes with their host-key policies, for a deployer that works over SSH
   *     itself (RKE2)
   */
  Deployment(
      ClusterPlan plan,
      List<SshTarget> nodes,
      KubernetesDeployerPort deployer,
      Duration timeout,
      Clock clock) {
    this.plan = plan;
    this.nodes = List.copyOf(nodes);
    this.deployer = deployer;
    this.timeout = timeout;
    this.clock = clock;
  }

  /**
   * Moves the deployment on by one look: starts a run when none is under way, else checks the run.
   *
   * @param beforeStart called before a run starts (the step forgets what it had stored)
   * @param deployed what comes next once a run deploying the plan succeeded with a kubeconfig
   * @return {@code deployed}'s answer, or what the step does while the run goes on
   * @throws TransientFailure {@code RKE_UP_FAILED} or {@code RKE_UP_TIMEOUT} for a failed run
   * @throws TerminalFailure {@code DOCKER_ACCESS_DENIED} when RKE could not use the Docker socket
   *     of a node as the SSH user
   */
  Next advance(StepContext ctx, Runnable beforeStart, Function<Kubeconfig, Next> deployed) {
    if (run == null) {
      start(ctx, beforeStart);
    }
    boolean moved = run.advance();
    if (!run.finished() && moved) {
      // RKE2 did a piece of its work on the nodes and has more to do at once.
      return Next.again();
    }
    if (!run.finished()) {
      if (!clock.instant().isBefore(deadline)) {
        DeployRun killed = run;
        run = null;
        killed.kill();
        throw failed(
            new TransientFailure(
                "RKE_UP_TIMEOUT",
                killed.describe()
                    + " did not finish within "
                    + format(timeout)
                    + " (mesh.rke.timeout) and was killed"));
      }
      return Next.waitFor(
          Wait.of(waitName(), timeout.plus(SAFETY), "RKE_UP_TIMEOUT", "mesh.rke.timeout"),
          run.describe() + " running since " + run.startedAt());
    }
    DeployRun ended = run;
    run = null;
    if (!ended.deploysPlan()) {
      // Another plan's run of this cluster ended: now this plan's turn, at once.
      return Next.again();
    }
    Kubeconfig kubeconfig;
    try {
      kubeconfig = ended.result();
    } catch (TransientFailure e) {
      if ("DOCKER_ACCESS_DENIED".equals(e.code())) {
        // Another run cannot help: only the node's user data puts the user in the group.
        throw new TerminalFailure(
            e.code(),
            "rke up for cluster "
                + plan.clusterName()
                + ": "
                + e.getMessage()
                + "; add user "
                + plan.sshUser()
                + " to the docker group on those nodes (usermod -aG docker "
                + plan.sshUser()
                + "), then run up again",
            e);
      }
      throw failed(e);
    }
    return deployed.apply(kubeconfig);
  }

  /** Kills a run still under way unless the service only stops (then it is resumed later). */
  void ended(StepEnd end) {
    if (end != StepEnd.STOPPED && run != null && !run.finished()) {
      run.kill();
    }
  }

  private void start(StepContext ctx, Runnable beforeStart) {
    beforeStart.run();
    run = deployer.start(plan, nodes);
    deadline = run.startedAt().plus(timeout);
    run.onExit(ctx::nudge);
    run.onProgress(ctx::nudge);
    if (!run.deploysPlan()) {
      ctx.progress(
          "waiting for "
              + run.describe()
              + " of this cluster for another request to end before deploying this one");
    } else if (run.resumed() && run.finished()) {
      ctx.progress(run.describe() + " finished while the service restarted");
    } else if (run.resumed()) {
      ctx.progress("waiting for " + run.describe() + ", started before the service restarted");
    } else {
      ctx.progress(
          (plan.rke2() ? "rke2 install started on " : "rke up started on ")
              + plan.nodes().size()
              + " node(s) ("
              + run.describe()
              + ")");
    }
  }

  private TransientFailure failed(TransientFailure cause) {
    failedRuns++;
    return new TransientFailure(
        cause.code(),
        (plan.rke2() ? "rke2 for cluster " : "rke up for cluster ")
            + plan.clusterName()
            + " failed ("
            + failedRuns
            + " failed run(s) so far, mesh.service.step-retry.attempts): "
            + cause.getMessage(),
        cause);
  }

  /** The wait every run of this distribution is awaited under (see the class comment). */
  private String waitName() {
    return plan.rke2() ? "rke2" : "rke up";
  }

  private static String format(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
