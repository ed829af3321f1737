package io.meshorch.rke.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How rke-service reaches the nodes over SSH. The private key is given by path only (a mounted
 * file); its content is never logged or published. How often a node that is not ready is looked at
 * again is the kit's re-check back-off ({@code mesh.service.recheck.*}).
 *
 * @param port SSH port of every node (default 22)
 * @param privateKeyPath the unencrypted private key (OpenSSH, PKCS#8 or PEM) matching the Nova
 *     keypair named in the clusters' machine spec; RKE uses the same file
 * @param knownHosts an OpenSSH known_hosts file, used only for nodes whose VmsReady carries no
 *     host-key fingerprints (unset: such nodes are refused with HOST_KEY_UNKNOWN)
 * @param connectTimeout TCP connect and SSH handshake timeout (default 10 s)
 * @param commandTimeout longest one node check ({@code cloud-init status}, {@code docker version},
 *     both answer at once) may run (default 30 s)
 * @param readyTimeout longest wait for the nodes of a cluster to become ready (default 15 min)
 * @param probeThreads how many node checks run at once, over all clusters (default 32): a round
 *     checks every node of a cluster that is not ready yet at the same time; each check holds a
 *     thread for its handshake and commands (at most {@code connectTimeout} + twice {@code
 *     commandTimeout}), the rest queue
 */
@Validated
@ConfigurationProperties("mesh.ssh")
public record SshProperties(
    @DefaultValue("22") @Min(1) @Max(65535) int port,
    @NotNull Path privateKeyPath,
    Path knownHosts,
    @DefaultValue("10s") @NotNull Duration connectTimeout,
    @DefaultValue("30s") @NotNull Duration commandTimeout,
    @DefaultValue("15m") @NotNull Duration readyTimeout,
    @DefaultValue("32") @Min(1) int probeThreads) {}
