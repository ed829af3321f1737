package io.meshorch.cni.config;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Calls to the clusters' Kubernetes APIs. Objects are always written by server-side apply (field
 * manager {@code meshorch-cni}).
 *
 * @param connectTimeout TCP/TLS connect timeout (default 10 s)
 * @param requestTimeout timeout of one API request (default 30 s)
 */
@Validated
@ConfigurationProperties("mesh.kube")
public record KubeProperties(
    @DefaultValue("10s") @NotNull Duration connectTimeout,
    @DefaultValue("30s") @NotNull Duration requestTimeout) {}
