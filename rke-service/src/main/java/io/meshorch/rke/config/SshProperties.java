package io.meshorch.rke.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How rke-service reaches the nodes.
 *
 * @param privateKeyPath private key of the Nova keypair the clusters use (a mounted file)
 * @param knownHosts known_hosts for nodes whose console showed no fingerprint (optional)
 * @param port the nodes' SSH port (22)
 * @param connectTimeout TCP and handshake limit (10 s)
 * @param commandTimeout limit of one remote command (2 min)
 * @param readyTimeout how long a node may take to be reachable with cloud-init done (15 min)
 * @param pollInterval pause between readiness checks (5 s)
 */
@Validated
@ConfigurationProperties("mesh.ssh")
public record SshProperties(
    @NotBlank String privateKeyPath,
    String knownHosts,
    @DefaultValue("22") @Min(1) @Max(65535) int port,
    @DefaultValue("10s") @NotNull Duration connectTimeout,
    @DefaultValue("2m") @NotNull Duration commandTimeout,
    @DefaultValue("15m") @NotNull Duration readyTimeout,
    @DefaultValue("5s") @NotNull Duration pollInterval) {}
