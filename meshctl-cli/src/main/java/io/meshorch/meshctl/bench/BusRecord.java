package io.meshorch.meshctl.bench;

import io.meshorch.contracts.EventEnvelope;
import java.time.Instant;

/**
 * One event as it sat on the bus.
 *
 * @param topic the topic
 * @param partition the partition
 * @param offset the offset
 * @param timestamp the Kafka record timestamp (CreateTime: stamped by the producer at send)
 * @param event the decoded event
 */
public record BusRecord(
    String topic, int partition, long offset, Instant timestamp, EventEnvelope event) {

  /** The mesh ID (the record key). */
  public String meshId() {
    return event.meshId();
  }
}
