package io.meshorch.kit.step;

import java.util.Objects;

/**
 * Where the record that triggered a step is: enough to read it again when the step is resumed, and
 * to know which partition's owner runs the step.
 *
 * @param topic the record's topic
 * @param partition its partition
 * @param offset its offset
 */
public record TriggerRef(String topic, int partition, long offset) {
  public TriggerRef {
    Objects.requireNonNull(topic, "topic");
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
