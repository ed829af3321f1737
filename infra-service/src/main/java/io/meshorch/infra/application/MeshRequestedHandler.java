package io.meshorch.infra.application;

import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.Violation;
import io.meshorch.contracts.validation.MeshRequestValidator;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.port.EventPublisherPort;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 1 of the flow: validates a {@link MeshRequested}; an invalid one is answered with {@link
 * MeshRejected} and nothing is created. A valid one starts the VM step of every cluster at once on
 * a bounded executor and waits (bounded) for all of them; each cluster ends with VmsReady or its
 * own ClusterFailed, so one failing cluster does not stop the others. A cluster already answered
 * for this event (after a redelivery) is skipped.
 */
public final class MeshRequestedHandler {
  private static final Logger log = LoggerFactory.getLogger(MeshRequestedHandler.class);

  private final MeshRequestValidator validator;
  private final ClusterVmsProvisioner provisioner;
  private final EventPublisherPort publisher;
  private final HandledEvents handled;
  private final ExecutorService clusterExecutor;
  private final Duration clusterBound;
  private final String producer;

  public MeshRequestedHandler(
      MeshRequestValidator validator,
      ClusterVmsProvisioner provisioner,
      EventPublisherPort publisher,
      HandledEvents handled,
      ExecutorService clusterExecutor,
      Duration clusterBound,
      String producer) {
    this.validator = validator;
    this.provisioner = provisioner;
    this.publisher = publisher;
    this.handled = handled;
    this.clusterExecutor = clusterExecutor;
    this.clusterBound = clusterBound;
    this.producer = producer;
  }

  /** Handles one MeshRequested envelope. */
  public void handle(EventEnvelope event) {
    MeshRequested request = (MeshRequested) event.payload();
    List<Violation> violations = validator.validate(event.meshId(), request);
    if (!violations.isEmpty()) {
      log.info("rejecting mesh {}: {} violation(s)", event.meshId(), violations.size());
      publisher.publish(
          EventEnvelope.create(
              event.meshId(), null, event.eventId(), producer, new MeshRejected(violations)));
      return;
    }
    Map<String, ClusterRun> runs = new LinkedHashMap<>();
    for (ClusterSpec cluster : request.clusters()) {
      if (handled.contains(event.eventId(), cluster.name())) {
        log.info(
            "cluster {} of mesh {} already answered, skipping", cluster.name(), event.meshId());
        continue;
      }
      ClusterRun run = new ClusterRun(cluster.name());
      run.future = clusterExecutor.submit(() -> runCluster(event, cluster, run));
      runs.put(cluster.name(), run);
    }
    long deadline = System.nanoTime() + clusterBound.toNanos();
    runs.values().forEach(run -> await(event, run, deadline));
  }

  private void runCluster(EventEnvelope event, ClusterSpec cluster, ClusterRun run) {
    try {
      provisioner.provision(event, cluster);
      run.reported.set(true);
    } catch (StepFailure e) {
      fail(event, run, e.code(), e.getMessage(), e.retryable());
    } catch (RuntimeException e) {
      log.error("VM step of cluster {} broke", cluster.name(), e);
      fail(
          event, run, "INTERNAL_ERROR", e.getClass().getSimpleName() + ": " + e.getMessage(), true);
    }
  }

  private void await(EventEnvelope event, ClusterRun run, long deadline) {
    try {
      run.future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      run.future.cancel(true);
      fail(
          event,
          run,
          "VMS_TIMEOUT",
          "the VM step of cluster "
              + run.cluster
              + " did not end within "
              + clusterBound.toSeconds()
              + " s",
          true);
    } catch (ExecutionException e) {
      log.error("VM step of cluster {} broke", run.cluster, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      run.future.cancel(true);
    }
  }

  /** Publishes ClusterFailed for the run unless it already reported an outcome. */
  private void fail(
      EventEnvelope event, ClusterRun run, String code, String reason, boolean retryable) {
    if (!run.reported.compareAndSet(false, true)) {
      return;
    }
    log.error("VM step of cluster {} gave up ({}): {}", run.cluster, code, reason);
    publish(event, run.cluster, new ClusterFailed(Stage.VMS, code, reason, retryable));
  }

  private void publish(EventEnvelope event, String cluster, MeshEvent payload) {
    try {
      publisher.publish(
          EventEnvelope.create(event.meshId(), cluster, event.eventId(), producer, payload));
    } catch (StepFailure e) {
      log.error("could not publish the outcome of cluster {}: {}", cluster, e.getMessage());
    }
  }

  private static final class ClusterRun {
    final String cluster;
    final AtomicBoolean reported = new AtomicBoolean();
    volatile Future<?> future;

    ClusterRun(String cluster) {
      this.cluster = cluster;
    }
  }
}
