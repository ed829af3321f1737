package io.meshorch.kit.config;

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
 * What every service needs to take part in the mesh bus.
 *
 * @param name the service name: producer of its events and Kafka consumer group
 * @param topic the topic this service publishes to
 * @param declaredTopics further topics (each with its {@code .dlt}) this service declares, e.g.
 *     {@code mesh.requests} for the service that consumes requests
 * @param partitions partitions of declared topics (default 3)
 * @param replicationFactor replication of declared topics (default 1; 3 on a real cluster)
 * @param workers threads running handlers, i.e. how many cluster steps run at once (default 16)
 * @param publishTimeout how long to wait for the broker to acknowledge an event (default 15 s)
 * @param replayTimeout how long the start-up replay of the own topic may take (default 60 s)
 * @param secretsDir directory of the file secret store; a shared volume when services run on
 *     different hosts
 */
@Validated
@ConfigurationProperties("mesh.service")
public record MeshServiceProperties(
    @NotBlank String name,
    @NotBlank String topic,
    @DefaultValue List<String> declaredTopics,
    @DefaultValue("3") @Min(1) int partitions,
    @DefaultValue("1") @Min(1) short replicationFactor,
    @DefaultValue("16") @Min(1) int workers,
    @DefaultValue("15s") @NotNull Duration publishTimeout,
    @DefaultValue("60s") @NotNull Duration replayTimeout,
    @NotNull Path secretsDir) {}
