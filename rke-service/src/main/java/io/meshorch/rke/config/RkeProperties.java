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
 * How rke-service runs RKE1. A failed {@code rke up} is run again by the kit's step retry ({@code
 * mesh.service.step-retry.*}), not by a retry loop of its own.
 *
 * @param executable the {@code rke} binary, a path or a name on PATH (default {@code rke})
 * @param workDir where {@code <meshId>/<cluster>/cluster.yml}, {@code cluster.rkestate}, {@code
 *     rke-up.log} and {@code rke-up.pid} live; holds admin credentials, keep it private and
 *     persistent (default /var/lib/meshorch/rke)
 * @param timeout longest one {@code rke up} may run before it is killed (default 30 min)
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
    @DefaultValue("") String kubernetesVersion,
    @DefaultValue("120s") @NotNull Duration addonJobTimeout,
    @DefaultValue("3") @Min(1) int failureLines) {}
