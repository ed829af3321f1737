package io.meshorch.kit.step;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread pools for calls that block a thread (an SSH handshake, a command exec'd in a pod) and that
 * a step hands off so that its own calls never wait: daemon threads named {@code <prefix>-<n>}, so
 * a thread dump says whose they are and none of them holds the JVM up at exit.
 */
public final class CallPools {
  private CallPools() {}

  /** {@code threads} threads, the calls beyond them queued in order. */
  public static ExecutorService fixed(String prefix, int threads) {
    return Executors.newFixedThreadPool(threads, named(prefix));
  }

  /** Daemon threads named {@code <prefix>-1}, {@code <prefix>-2}, ... */
  static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
