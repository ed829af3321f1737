package io.meshorch.rke.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How rke-service runs RKE.
 *
 * @param executable the {@code rke} binary (path or name on PATH)
 * @param workDir folder of the clusters' cluster.yml and RKE state (keep it: rke needs the state
 *     for later runs)
 * @param timeout limit of one {@code rke up} (20 min)
 * @param attempts runs of {@code rke up} before giving up (3)
 * @param retryDelay pause before the second run, doubled after each failure (10 s)
 * @param addonJobTimeout RKE's {@code addon_job_timeout} in seconds (120)
 */
@Validated
@ConfigurationProperties("mesh.rke")
public record RkeProperties(
    @DefaultValue("rke") @NotBlank String executable,
    @NotNull Path workDir,
    @DefaultValue("20m") @NotNull Duration timeout,
    @DefaultValue("3") @Min(1) int attempts,
    @DefaultValue("10s") @NotNull Duration retryDelay,
    @DefaultValue("120") @Min(30) int addonJobTimeout) {}
