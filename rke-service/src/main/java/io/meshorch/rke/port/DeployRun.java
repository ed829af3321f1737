package io.meshorch.rke.port;

import io.meshorch.rke.domain.Kubeconfig;
import java.time.Instant;

/**
 * One deployment under way (or ended), as returned by {@link KubernetesDeployerPort#start}. Holds
 * no thread while it runs: {@link #onExit} says when it ended, {@link #result()} then tells how.
 * Safe to use from several threads.
 */
public interface DeployRun {

  /**
   * Moves a deployment that progresses only when looked at (RKE2 over SSH: a few short commands on
   * its nodes per call) by one bounded piece of work; a deployment that runs on its own (RKE1's
   * {@code rke up} process) does nothing. Never waits for the cluster: what is still awaited is
   * looked at again on the caller's next call.
   *
   * @return true when it moved on and the caller should call again at once; false when it waits for
   *     the nodes (or runs on its own)
   * @throws io.meshorch.kit.failure.TerminalFailure when a node cannot be trusted (host key)
   */
  default boolean advance() {
    return false;
  }

  /** True once the deployment ended, successfully or not. */
  boolean finished();

  /**
   * The admin kubeconfig of the deployed cluster, once {@link #finished()}. Judged once and
   * remembered: every caller gets the same answer. No plain copy of the kubeconfig stays on disk
   * afterwards.
   *
   * @throws io.meshorch.kit.failure.TransientFailure {@code RKE_UP_FAILED} when the deployment
   *     failed (the message carries the deployer's own error lines, never credentials) or ended
   *     without proof of success
   * @throws IllegalStateException when called before the deployment ended
   */
  Kubeconfig result();

  /**
   * Calls {@code callback} once when the deployment ends (at once if it has ended), on a thread of
   * the deployer's; meant for {@code StepContext::nudge}, so it must be quick.
   */
  void onExit(Runnable callback);

  /**
   * Calls {@code nudge} whenever the deployment moved on by work of its own since it was last
   * {@linkplain #advance() advanced} (RKE2: a node's preparation ended), on a thread of the
   * deployer's; meant for {@code StepContext::nudge}, so it must be quick. A deployment whose end
   * is all there is to wait for ({@code rke up}) never calls it.
   */
  default void onProgress(Runnable nudge) {}

  /** When the deployment started (for its time limit), also for one started before a restart. */
  Instant startedAt();

  /**
   * True when this run was started before this service (re)started and is being waited for, not
   * started by this call.
   */
  boolean resumed();

  /**
   * False when the run is another deployment of the same cluster (a different plan) that was
   * already under way: wait for it to end, then start again.
   */
  boolean deploysPlan();

  /** Stops the deployment at once (its whole process tree); it then ends as failed. */
  void kill();

  /** A short description for messages, e.g. {@code rke up pid 4711}; no secrets. */
  String describe();

  /**
   * Another caller's view of a run: every call goes to {@link #delegate()} but those the view
   * answers itself, typically {@link #resumed()} and {@link #deploysPlan()} (e.g. for a start with
   * another plan of the same cluster, which waits for the run under way and then starts again).
   */
  interface View extends DeployRun {
    /** The run seen. */
    DeployRun delegate();

    @Override
    default boolean advance() {
      return delegate().advance();
    }

    @Override
    default boolean finished() {
      return delegate().finished();
    }

    @Override
    default Kubeconfig result() {
      return delegate().result();
    }

    @Override
    default void onExit(Runnable callback) {
      delegate().onExit(callback);
    }

    @Override
    default void onProgress(Runnable nudge) {
      delegate().onProgress(nudge);
    }

    @Override
    default Instant startedAt() {
      return delegate().startedAt();
    }

    @Override
    default boolean resumed() {
      return delegate().resumed();
    }

    @Override
    default boolean deploysPlan() {
      return delegate().deploysPlan();
    }

    @Override
    default void kill() {
      delegate().kill();
    }

    @Override
    default String describe() {
      return delegate().describe();
    }
  }
}
