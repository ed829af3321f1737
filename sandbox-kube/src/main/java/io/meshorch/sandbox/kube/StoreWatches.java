package io.meshorch.sandbox.kube;

import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The watches of one sandbox API server: each is told the objects it matches as they are stored
 * ({@code ADDED}), then every change of its store in the order the store made them, as a real API
 * server's watch without a resourceVersion is.
 *
 * <p>In place of fabric8's mock watches, which had two faults a real API server has not:
 *
 * <ul>
 *   <li>A client closing its watch while an event was on its way stopped one of the server's event
 *       loops, and every connection it served, for 30 s: fabric8 waited on the loop for the watch's
 *       sender thread, which was waiting for that loop to write the event ({@code WatchCloseIT}).
 *       The services close their watches when a step ends.
 *   <li>A write stored while a watch was ending was answered with an error: fabric8's listener
 *       refused the write's event once its sender was shut down, and the refusal ended the write.
 * </ul>
 *
 * <p>Here a watch's end costs the loop nothing (the watch stops taking events, its queue is
 * dropped, and the socket closes), and the events queued for a watch are written by one thread of a
 * shared pool at a time, in order, only while there are some: no thread per watch. An event is the
 * stored JSON as it is, not parsed and printed again per watch.
 */
final class StoreWatches {
  private static final ExecutorService SENDERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "sandbox-kube-watch-send");
            t.setDaemon(true);
            return t;
          });

  private final Set<Watch> watches = ConcurrentHashMap.newKeySet();

  /**
   * A new watch of the objects {@code query} matches, to be told first of {@code stored} (the
   * objects it matches now). The caller holds the store still between reading {@code stored} and
   * this call, so that no change falls between the two.
   */
  WebSocketListener open(AttributeSet query, List<String> stored) {
    Watch watch = new Watch(query);
    stored.forEach(json -> watch.offer("ADDED", json));
    watches.add(watch);
    return watch;
  }

  /**
   * Tells every watch of a stored change: an object stored under {@code oldKey} as {@code before}
   * (null: created) is now stored under {@code newKey} as {@code after} (null: deleted). Called
   * with the store's writes held still, so that every watch sees the changes in the store's order.
   */
  void changed(AttributeSet oldKey, String before, AttributeSet newKey, String after) {
    if (Objects.equals(before, after)) {
      return;
    }
    for (Watch w : watches) {
      boolean was = oldKey != null && before != null && oldKey.matches(w.query);
      boolean is = newKey != null && after != null && newKey.matches(w.query);
      if (was && is) {
        w.offer("MODIFIED", after);
      } else if (was) {
        w.offer("DELETED", before);
      } else if (is) {
        w.offer("ADDED", after);
      }
    }
  }

  /** How many watches are open: for tests. */
  int count() {
    return watches.size();
  }

  private final class Watch extends WebSocketListener {
    final AttributeSet query;
    private final Queue<String> events = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();
    private volatile WebSocket socket;
    private volatile boolean ended;

    Watch(AttributeSet query) {
      this.query = query;
    }

    void offer(String type, String object) {
      if (ended) {
        return;
      }
      events.add("{\"type\":\"" + type + "\",\"object\":" + object + "}");
      send();
    }

    @Override
    public void onOpen(WebSocket ws, Response response) {
      socket = ws;
      send();
    }

    /** Starts a sender unless one is at work or the socket is not open yet. */
    private void send() {
      if (socket != null && !ended && !events.isEmpty() && sending.compareAndSet(false, true)) {
        SENDERS.execute(this::sendQueued);
      }
    }

    /**
     * Writes what is queued. A write from outside the server's event loop waits until the loop has
     * written it; a socket closing fails it at once.
     */
    private void sendQueued() {
      try {
        String event;
        while (!ended && (event = events.poll()) != null) {
          if (!socket.send(event)) {
            end();
          }
        }
      } finally {
        sending.set(false);
      }
      // An event queued after the loop found the queue empty, before the flag was cleared.
      send();
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      end();
      ws.close(code, reason);
    }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
      end();
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, Response response) {
      end();
      ws.close(1000, t.getMessage());
    }

    private void end() {
      ended = true;
      watches.remove(this);
      events.clear();
    }
  }
}
