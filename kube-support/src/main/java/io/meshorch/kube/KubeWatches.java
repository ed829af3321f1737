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
 * next scheduled re-check. The step still re-checks on its own schedule, so a watch that breaks
 * (API server restart, expired resource version) only slows detection down.
 */
public final class KubeWatches {
  private static final Logger log = LoggerFactory.getLogger(KubeWatches.class);

  private KubeWatches() {}

  /**
   * Opens a watch on {@code watchable} calling {@code onChange} on every event.
   *
   * @return what closes the watch; a no-op when the watch could not be opened (the step then relies
   *     on its re-checks)
   */
  public static <T> AutoCloseable nudgeOnChange(
      String what, Watchable<T> watchable, Runnable onChange) {
    try {
      Watch watch =
          watchable.watch(
              new Watcher<T>() {
                @Override
                public void eventReceived(Action action, T resource) {
                  onChange.run();
                }

                @Override
                public void onClose(WatcherException cause) {
                  log.debug("watch of {} closed: {}", what, cause.getMessage());
                  onChange.run();
                }
              });
      return watch::close;
    } catch (RuntimeException e) {
      log.warn("cannot watch {} (re-checks continue): {}", what, e.getMessage());
      return () -> {};
    }
  }
}
