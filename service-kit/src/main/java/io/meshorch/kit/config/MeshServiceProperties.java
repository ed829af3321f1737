package io.meshorch.kit.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What every service needs to take part in the mesh bus and run its steps.
 *
 * @param name the service name: producer of its events and, unless {@code group} says otherwise,
 *     its Kafka consumer group
 * @param group the consumer group, when it must differ from the name (e.g. a fresh group that
 *     re-reads every topic from the beginning); default: the name
 * @param topic the topic this service publishes to
 * @param declaredTopics further topics (each with its {@code .dlt}) this service declares, e.g.
 *     {@code mesh.requests} for the service that consumes requests
 * @param partitions partitions of declared topics (default 3)
 * @param replicationFactor replication of declared topics (default 1; 3 on a real cluster)
 * @param workers how many step calls (short calls to outside systems) run at once; a limit that
 *     protects the cloud's APIs, not a bound on steps in flight (default 16)
 * @param recheck how waits look again: {@code first} pause, growing by {@code multiplier} up to
 *     {@code max} (default 200 ms, ×1.5, 5 s)
 * @param stepRetry transient failures within one phase of a step (the same wait, or the calls
 *     before the next one) a step survives, and the pauses between them (default 5 attempts, 2 s
 *     doubling up to 1 min); then the step reports a retryable failure
 * @param recordRetry tries of a record whose planning or publishing fails before it goes to the
 *     dead-letter topic (default 3 attempts, 500 ms doubling)
 * @param maxRecordBytes larger input records go to the dead-letter topic unread (default 1 MiB,
 *     Kafka's default record limit)
 * @param stallTimeout health is DOWN when records wait and none finished for this long (default 2
 *     min)
 * @param stopGrace how long a stopping service waits for the step calls in progress (default 10 s)
 * @param publishTimeout how long to wait for the broker to acknowledge an event (default 15 s)
 * @param replayTimeout how long a replay of the own topic may take (default 60 s)
 * @param secretsDir directory of the file secret store; a shared volume when services run on
 *     different hosts
 */
@Validated
@ConfigurationProperties("mesh.service")
public record MeshServiceProperties(
    @NotBlank String name,
    String group,
    @NotBlank String topic,
    @DefaultValue List<String> declaredTopics,
    @DefaultValue("3") @Min(1) int partitions,
    @DefaultValue("1") @Min(1) short replicationFactor,
    @DefaultValue("16") @Min(1) int workers,
    @DefaultValue @Valid Recheck recheck,
    @DefaultValue @Valid Retry stepRetry,
    @DefaultValue @Valid RecordRetry recordRetry,
    @DefaultValue("1048576") @Min(1024) int maxRecordBytes,
    @DefaultValue("2m") @NotNull Duration stallTimeout,
    @DefaultValue("10s") @NotNull Duration stopGrace,
    @DefaultValue("15s") @NotNull Duration publishTimeout,
    @DefaultValue("60s") @NotNull Duration replayTimeout,
    @NotNull Path secretsDir) {

  /** The consumer group: {@code group} when set, else the name. */
  public String consumerGroup() {
    return group == null || group.isBlank() ? name : group;
  }

  /** Re-check back-off of waits. */
  public record Recheck(
      @DefaultValue("200ms") @NotNull Duration first,
      @DefaultValue("5s") @NotNull Duration max,
      @DefaultValue("1.5") @DecimalMin("1.0") double multiplier) {}

  /** Retries of transient step failures. */
  public record Retry(
      @DefaultValue("5") @Min(1) int attempts,
      @DefaultValue("2s") @NotNull Duration initialDelay,
      @DefaultValue("1m") @NotNull Duration maxDelay) {}

  /** Retries of a record before the dead-letter topic. */
  public record RecordRetry(
      @DefaultValue("3") @Min(1) int attempts,
      @DefaultValue("500ms") @NotNull Duration initialDelay) {}
}
