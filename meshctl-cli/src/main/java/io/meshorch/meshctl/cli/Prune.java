package io.meshorch.meshctl.cli;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.Stage;
import io.meshorch.meshctl.follow.EventFollower;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The second half of {@code up --prune}: once the mesh without them is ready (the survivors' mesh
 * configuration no longer names them, and their validation passed), publishes {@code
 * MeshDeleteRequested} naming the clusters left out of the file and follows until each ended with
 * its last part ({@code ClusterDeleted} part {@code kubernetes}), or one of them failed to be
 * deleted ({@code ClusterFailed} stage {@code delete}).
 */
final class Prune {
  private Prune() {}

  /**
   * @return true when every cluster is deleted; false when one failed or the deadline passed (both
   *     said on {@code progress})
   */
  static boolean run(
      String bootstrapServers,
      EventFollower follower,
      String meshId,
      List<String> clusters,
      Instant deadline,
      PrintStream progress)
      throws Exception {
    EventEnvelope request =
        EventEnvelope.create(meshId, null, null, "meshctl", new MeshDeleteRequested(clusters));
    RequestPublisher.publish(bootstrapServers, request);
    progress.println(
        "mesh "
            + meshId
            + ": disconnected "
            + String.join(", ", clusters)
            + "; deleting (event "
            + request.eventId()
            + ")");
    Set<String> left = new LinkedHashSet<>(clusters);
    while (!left.isEmpty() && Instant.now().isBefore(deadline)) {
      for (EventEnvelope event : follower.poll(Duration.ofMillis(250))) {
        if (!meshId.equals(event.meshId()) || !clusters.contains(event.cluster())) {
          continue;
        }
        String line = DownCommand.line(event);
        if (line != null) {
          progress.println(line);
        }
        if (event.payload() instanceof ClusterDeleted d && Stage.KUBERNETES.equals(d.part())) {
          left.remove(event.cluster());
        } else if (event.payload() instanceof ClusterFailed f && Stage.DELETE.equals(f.stage())) {
          progress.println(
              "mesh "
                  + meshId
                  + ": cluster "
                  + event.cluster()
                  + " NOT DELETED: ["
                  + f.code()
                  + "] "
                  + f.reason()
                  + (f.retryable() ? "; running up --prune again may succeed" : ""));
          return false;
        }
      }
    }
    if (!left.isEmpty()) {
      progress.println(
          "mesh " + meshId + ": deletion of " + String.join(", ", left) + " still in progress");
      return false;
    }
    progress.println("mesh " + meshId + ": pruned " + String.join(", ", clusters));
    return true;
  }
}
