package io.meshorch.sandbox.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * When each external step of the sandbox finished, in the order recorded. Thread-safe: the sandbox
 * appends from its threads while a benchmark reads or listens.
 */
public final class StepLog {
  private final List<StepRecord> records = new ArrayList<>();
  private final List<Consumer<StepRecord>> listeners = new CopyOnWriteArrayList<>();

  /** Appends a record and hands it to the listeners (on the recording thread; keep them fast). */
  public void record(StepRecord record) {
    synchronized (records) {
      records.add(record);
    }
    for (Consumer<StepRecord> listener : listeners) {
      listener.accept(record);
    }
  }

  /** Appends {@code step} of {@code cluster} finished at {@code finishedAt}. */
  public void record(SandboxStep step, ClusterRef cluster, String object, Instant finishedAt) {
    record(new StepRecord(step, cluster, object, finishedAt));
  }

  /** Every record so far, ordered by {@link StepRecord#finishedAt()}. */
  public List<StepRecord> records() {
    List<StepRecord> copy;
    synchronized (records) {
      copy = new ArrayList<>(records);
    }
    copy.sort(Comparator.comparing(StepRecord::finishedAt));
    return copy;
  }

  /** The records of {@code step}, ordered by finish time. */
  public List<StepRecord> records(SandboxStep step) {
    return records().stream().filter(r -> r.step() == step).toList();
  }

  /** The records of {@code step} for the cluster called {@code cluster} (any mesh). */
  public List<StepRecord> records(SandboxStep step, String cluster) {
    return records(step).stream().filter(r -> r.clusterName().equals(cluster)).toList();
  }

  /** How many records there are. */
  public int size() {
    synchronized (records) {
      return records.size();
    }
  }

  /** Calls {@code listener} with every record appended from now on. */
  public void subscribe(Consumer<StepRecord> listener) {
    listeners.add(listener);
  }
}
