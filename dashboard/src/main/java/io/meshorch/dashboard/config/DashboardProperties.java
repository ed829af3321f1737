package io.meshorch.dashboard.config;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the dashboard ({@code mesh.dashboard.*}); Kafka's connection is {@code
 * spring.kafka.*}.
 *
 * @param groupId the consumer group the dashboard reads with; it commits no offsets and reads every
 *     topic from the start whenever it gets a partition, so each replica should have its own
 * @param pushInterval how often changed meshes are pushed to the browsers (changes in between are
 *     sent together)
 * @param streamTimeout how long one server-sent event stream stays open; the browser reconnects at
 *     once and gets every mesh again
 * @param heartbeat how often an idle stream gets a comment, so that dead browsers are noticed
 */
@Validated
@ConfigurationProperties("mesh.dashboard")
public record DashboardProperties(
    @NotBlank String groupId,
    @NotNull Duration pushInterval,
    @NotNull Duration streamTimeout,
    @NotNull Duration heartbeat) {}
