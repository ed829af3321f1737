package io.meshorch.dashboard.web;

import io.meshorch.dashboard.view.MeshBoard;
import io.meshorch.dashboard.view.MeshView;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pushes the board to browsers as server-sent events. A new stream first gets {@code snapshot}
 * (every mesh); then, every push interval, each mesh that changed goes out as one {@code mesh}
 * event (the whole view of that mesh, so a browser never patches). Changes between two pushes are
 * sent together, so a burst of events costs one message per mesh.
 */
public final class MeshStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MeshStream.class);

  private final MeshBoard board;
  private final JsonMapper json;
  private final Duration streamTimeout;
  private final List<SseEmitter> emitters = new CopyOnWriteArrayList<>();
  private final Set<String> dirty = new LinkedHashSet<>();
  private final ScheduledExecutorService pusher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "dashboard-push");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param board the view to push
   * @param json serializes the views
   * @param pushInterval how often changes are pushed
   * @param streamTimeout how long one stream stays open (the browser then reconnects)
   * @param heartbeat how often every stream gets a comment
   */
  public MeshStream(
      MeshBoard board,
      JsonMapper json,
      Duration pushInterval,
      Duration streamTimeout,
      Duration heartbeat) {
    this.board = board;
    this.json = json;
    this.streamTimeout = streamTimeout;
    long push = pushInterval.toMillis();
    pusher.scheduleWithFixedDelay(this::pushChanges, push, push, TimeUnit.MILLISECONDS);
    long beat = heartbeat.toMillis();
    pusher.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
  }

  /** Marks a mesh as changed; it goes out with the next push. */
  public void changed(String meshId) {
    synchronized (dirty) {
      dirty.add(meshId);
    }
  }

  /** A new stream, starting with every mesh. */
  public SseEmitter open() {
    return open(new SseEmitter(streamTimeout.toMillis()));
  }

  /**
   * Starts {@code emitter} with every mesh. The snapshot is read and the stream joins the pushes on
   * the pusher's own thread, between two pushes: each change is then either in the snapshot or
   * pushed to the stream after it. (Read on the request's thread, a change pushed between the read
   * and the join was in neither, and the page showed the mesh as it was until its next change; for
   * a mesh that had ended, never.)
   */
  SseEmitter open(SseEmitter emitter) {
    emitter.onCompletion(() -> emitters.remove(emitter));
    emitter.onTimeout(emitter::complete);
    emitter.onError(e -> emitters.remove(emitter));
    try {
      pusher.execute(
          () -> {
            String snapshot;
            try {
              snapshot =
                  json.writeValueAsString(
                      Map.of("stages", MeshBoard.STAGES, "meshes", board.meshes()));
            } catch (RuntimeException e) {
              log.error("Could not write the dashboard's snapshot", e);
              emitter.completeWithError(e);
              return;
            }
            if (send(
                emitter,
                SseEmitter.event().name("snapshot").data(snapshot, MediaType.TEXT_PLAIN))) {
              emitters.add(emitter);
            }
          });
    } catch (RejectedExecutionException e) {
      // closing: the browser reconnects to the next dashboard
      emitter.complete();
    }
    return emitter;
  }

  private void pushChanges() {
    List<String> ids;
    synchronized (dirty) {
      ids = new ArrayList<>(dirty);
      dirty.clear();
    }
    for (String id : ids) {
      MeshView view = board.mesh(id).orElse(null);
      if (view == null) {
        continue;
      }
      String data = json.writeValueAsString(view);
      for (SseEmitter emitter : emitters) {
        send(emitter, SseEmitter.event().name("mesh").data(data, MediaType.TEXT_PLAIN));
      }
    }
  }

  private void heartbeat() {
    for (SseEmitter emitter : emitters) {
      send(emitter, SseEmitter.event().comment("keep-alive"));
    }
  }

  private boolean send(SseEmitter emitter, SseEmitter.SseEventBuilder event) {
    try {
      emitter.send(event);
      return true;
    } catch (IOException | IllegalStateException e) {
      log.debug("Dropped a stream: {}", e.getMessage());
      emitters.remove(emitter);
      emitter.completeWithError(e);
      return false;
    }
  }

  /** Number of open streams. */
  public int streams() {
    return emitters.size();
  }

  @Override
  public void close() {
    pusher.shutdownNow();
    emitters.forEach(SseEmitter::complete);
    emitters.clear();
  }
}
