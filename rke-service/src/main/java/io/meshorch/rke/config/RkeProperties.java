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
 * How rke-service runs RKE1.
 *
 * @param executable the {@code rke} binary, a path or a name on PATH (default {@code rke})
 * @param workDir where {@code <meshId>/<cluster>/cluster.yml}, {@code cluster.rkestate} and {@code
 *     rke-up.log} live; holds admin credentials, keep it private (default /var/lib/meshorch/rke)
 * @param timeout longest one {@code rke up} may run before it is killed (default 30 min)
 * @param attempts how many times {@code rke up} is tried in all (default 3)
 * @param retryInitialDelay pause after the first failed attempt (default 30 s)
 * @param retryMaxDelay longest pause between attempts (default 2 min)
 * @param kubernetesVersion RKE {@code kubernetes_version} to pin, e.g. {@code v1.28.15-rancher1-1};
 *     blank for the rke binary's default
 * @param addonJobTimeout RKE {@code addon_job_timeout}, rounded to seconds (default 120 s; RKE's
 *     own default of 30 s is too short on slow clouds)
 * @param failureLines how many FATA/ERRO lines of the rke output go into ClusterFailed (default 3)
 */
@Validated
@ConfigurationProperties("mesh.rke")
public record RkeProperties(
    @DefaultValue("rke") @NotBlank String executable,
    @DefaultValue("/var/lib/meshorch/rke") @NotNull Path workDir,
    @DefaultValue("30m") @NotNull Duration timeout,
    @DefaultValue("3") @Min(1) int attempts,
    @DefaultValue("30s") @NotNull Duration retryInitialDelay,
    @DefaultValue("2m") @NotNull Duration retryMaxDelay,
    @DefaultValue("") String kubernetesVersion,
    @DefaultValue("120s") @NotNull Duration addonJobTimeout,
    @DefaultValue("3") @Min(1) int failureLines) {}
