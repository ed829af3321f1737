package io.meshorch.kube;

import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Watchable;
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
    Reopening<T> watch = new Reopening<>(what, watchable, onChange);
    watch.open();
    return watch;
  }

  private static final class Reopening<T> implements Watcher<T>, AutoCloseable {
    private final String what;
    private final Watchable<T> watchable;
    private final Runnable onChange;
    // guarded by this
    private Watch current;
    private boolean closed;
    private int reopens;

    Reopening(String what, Watchable<T> watchable, Runnable onChange) {
      this.what = what;
      this.watchable = watchable;
      this.onChange = onChange;
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
      onChange.run();
    }

    @Override
    public void onClose(WatcherException cause) {
      log.debug("watch of {} closed: {}", what, cause.getMessage());
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

    @Override
    public synchronized void close() {
      closed = true;
      if (current != null) {
        current.close();
      }
    }
  }
}
