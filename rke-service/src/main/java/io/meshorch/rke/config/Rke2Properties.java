package io.meshorch.rke.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How rke-service installs RKE2 on the nodes of clusters with {@code kubernetes.distribution:
 * rke2}.
 *
 * @param version the RKE2 release installed when a cluster names none (default {@code
 *     v1.32.5+rke2r1}; pin the release you tested)
 * @param installScriptUrl RKE2's install script, fetched by each node (default {@code
 *     https://get.rke2.io})
 * @param artifactPath air-gap: a folder on every node holding {@code install.sh}, the release
 *     tarball and checksums ({@code INSTALL_RKE2_ARTIFACT_PATH}); blank (default): download
 * @param installTimeout longest the install command may run on a node (default 10 min)
 * @param installThreads how many nodes are prepared (config, install script, start) at once, over
 *     all clusters (default 32): all the agents of a cluster at once; each holds a thread for its
 *     SSH commands, up to {@code installTimeout}; more queue
 */
@Validated
@ConfigurationProperties("mesh.rke2")
public record Rke2Properties(
    @DefaultValue("v1.32.5+rke2r1") @NotBlank String version,
    @DefaultValue("https://get.rke2.io") @NotBlank String installScriptUrl,
    @DefaultValue("") String artifactPath,
    @DefaultValue("10m") @NotNull Duration installTimeout,
    @DefaultValue("32") @Min(1) int installThreads) {}
