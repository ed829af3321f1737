package io.meshorch.meshctl.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Utils;

/**
 * Which partition a mesh's events land on: every event is keyed by mesh ID, and Kafka's default
 * partitioner puts a keyed record on {@code toPositive(murmur2(key bytes)) % partitions}. Meshes
 * whose IDs hash alike share a partition on every topic (all topics have the same partition count),
 * which is what the interference figure needs.
 */
public final class Partitions {
  private Partitions() {}

  /** The partition of a record keyed {@code key} (UTF-8) among {@code partitions}. */
  public static int of(String key, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, found " + partitions);
    }
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /**
   * The first {@code count} IDs {@code prefix + i} (i = 1, 2, ...) whose partition is that of
   * {@code anchor}, excluding {@code anchor} itself.
   */
  public static List<String> sameAs(String anchor, String prefix, int count, int partitions) {
    int target = of(anchor, partitions);
    List<String> out = new ArrayList<>();
    for (int i = 1; out.size() < count; i++) {
      if (i > 1_000_000) {
        throw new IllegalStateException(
            "no " + count + " IDs " + prefix + "N on partition " + target);
      }
      String id = prefix + i;
      if (!id.equals(anchor) && of(id, partitions) == target) {
        out.add(id);
      }
    }
    return out;
  }
}
