package io.meshorch.infra.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Timing of the VM step.
 *
 * @param stackPollInterval pause between reads of a stack in progress (default 5 s)
 * @param stackTimeout longest wait for CREATE_COMPLETE; also Heat's own {@code timeout_mins}
 *     (default 30 min)
 * @param consolePollInterval pause between console reads while waiting for host keys (default 5 s)
 * @param consoleTimeout longest wait for the host keys of a cluster's nodes; then they are reported
 *     without fingerprints (default 10 min)
 * @param parallelism clusters built at the same time (default 8)
 */
@Validated
@ConfigurationProperties("mesh.vms")
public record VmsProperties(
    @DefaultValue("5s") @NotNull Duration stackPollInterval,
    @DefaultValue("30m") @NotNull Duration stackTimeout,
    @DefaultValue("5s") @NotNull Duration consolePollInterval,
    @DefaultValue("10m") @NotNull Duration consoleTimeout,
    @DefaultValue("8") @Min(1) int parallelism) {}
