package io.meshorch.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Watchable;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches that wake a waiting step: every change of the watched objects (and the end of the watch)
 * calls {@code onChange}, typically the step's nudge, so the step looks at once instead of at its
 * next scheduled re-check. fabric8 reconnects a dropped watch by itself; one the API server ends
 * (410 Gone: the resource version it resumed from has been compacted away) it closes for good, and
 * such a watch is opened again here (a fresh watch, from the current state), at most {@value
 * #MAX_REOPENS} times. The step still re-checks on its own schedule, so a watch that cannot be
 * (re)opened only slows detection down.
 *
 * <p>A watch that {@linkplain #follow follows} its objects also keeps the latest version of each
 * that its events carried, as an informer's cache does: a step woken by the watch can read what
 * woke it instead of asking the API server again. A real API server resumes a dropped watch from
 * the last version seen, or ends it (then what was kept is dropped), so nothing kept is older than
 * a change the watch missed.
 */
public final class KubeWatches {
  private static final Logger log = LoggerFactory.getLogger(KubeWatches.class);

  /** How many times one waiter's watch is opened again after the server ended it. */
  static final int MAX_REOPENS = 20;

  private KubeWatches() {}

  /**
   * Opens a watch on {@code watchable} calling {@code onChange} on every event and whenever the
   * watch ends, and opens it again when the server ends it.
   *
   * @return what closes the watch (and stops reopening it); the watch is absent when it could not
   *     be opened (the step then relies on its re-checks)
   */
  public static <T> AutoCloseable nudgeOnChange(
      String what, Watchable<T> watchable, Runnable onChange) {
    Reopening<T> watch = new Reopening<>(what, watchable, onChange, false);
    watch.open();
    return watch;
  }

  /**
   * {@link #nudgeOnChange}, keeping the latest version of each object the events carried.
   *
   * @return what the watch has seen, and what closes it
   */
  public static <T extends HasMetadata> Followed<T> follow(
      String what, Watchable<T> watchable, Runnable onChange) {
    Reopening<T> watch = new Reopening<>(what, watchable, onChange, true);
    watch.open();
    return watch;
  }

  /** What a following watch has seen since it was last (re)opened. */
  public interface Followed<T> extends AutoCloseable {
    /**
     * The latest version of the object named {@code name} that an event carried; empty when no
     * event about it came since the watch was last (re)opened, or the last said it was deleted.
     */
    Optional<T> latest(String name);

    /**
     * Whether an event came since the watch was last (re)opened, no longer than {@code fresh} ago.
     */
    boolean heardWithin(Duration fresh);

    @Override
    void close();
  }

  private static final class Reopening<T> implements Watcher<T>, Followed<T> {
    private final String what;
    private final Watchable<T> watchable;
    private final Runnable onChange;

    /** The latest version of each object by name; null when this watch does not follow. */
    private final Map<String, T> latest;

    private volatile long lastEventNanos;
    private volatile boolean anyEvent;
    // guarded by this
    private Watch current;
    private boolean closed;
    private int reopens;

    Reopening(String what, Watchable<T> watchable, Runnable onChange, boolean follow) {
      this.what = what;
      this.watchable = watchable;
      this.onChange = onChange;
      this.latest = follow ? new ConcurrentHashMap<>() : null;
    }

    @Override
    public Optional<T> latest(String name) {
      return latest == null ? Optional.empty() : Optional.ofNullable(latest.get(name));
    }

    @Override
    public boolean heardWithin(Duration fresh) {
      return anyEvent && System.nanoTime() - lastEventNanos <= fresh.toNanos();
    }

    synchronized void open() {
      if (closed) {
        return;
      }
      try {
        current = watchable.watch(this);
      } catch (RuntimeException e) {
        log.warn("cannot watch {} (re-checks continue): {}", what, e.getMessage());
      }
    }

    @Override
    public void eventReceived(Action action, T resource) {
      if (latest != null
          && resource instanceof HasMetadata object
          && object.getMetadata() != null
          && object.getMetadata().getName() != null) {
        if (action == Action.DELETED) {
          latest.remove(object.getMetadata().getName());
        } else {
          latest.put(object.getMetadata().getName(), resource);
        }
      }
      lastEventNanos = System.nanoTime();
      anyEvent = true;
      onChange.run();
    }

    @Override
    public void onClose(WatcherException cause) {
      log.debug("watch of {} closed: {}", what, cause.getMessage());
      forget();
      onChange.run();
      boolean again;
      synchronized (this) {
        again = !closed && reopens < MAX_REOPENS;
        if (again) {
          reopens++;
        }
      }
      if (again) {
        log.info(
            "the API server ended the watch of {} ({}); watching again", what, cause.getMessage());
        open();
      }
    }

    /** Drops what was seen: a new watch starts from the current state, not from the last event. */
    private void forget() {
      anyEvent = false;
      if (latest != null) {
        latest.clear();
      }
    }

    @Override
    public synchronized void close() {
      closed = true;
      forget();
      if (current != null) {
        current.close();
      }
    }
  }
}
