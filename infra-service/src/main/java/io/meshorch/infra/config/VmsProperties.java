package io.meshorch.infra.config;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long the VM step waits. How often it looks again is the kit's re-check back-off ({@code
 * mesh.service.recheck.*}); how many clusters are built at once is not limited (the kit's {@code
 * mesh.service.workers} bounds only the calls to OpenStack in progress).
 *
 * @param stackTimeout longest wait for CREATE_COMPLETE; also Heat's own {@code timeout_mins}
 *     (default 30 min)
 * @param consoleTimeout longest wait for the host keys of a cluster's nodes, from the moment its
 *     stack is complete; then the nodes lacking them are reported without fingerprints (default 10
 *     min)
 * @param userDataFile the operator's own user data for every node, used as is instead of the
 *     product's cloud-config (empty: the product's; see the README for what it must do)
 * @param orchestratorCidrs where the orchestrator (rke-service's SSH, the services' Kubernetes API
 *     calls) connects from when it is outside the mesh's node networks; SSH and 6443 are opened to
 *     them in each cluster's security group (default none)
 */
@Validated
@ConfigurationProperties("mesh.vms")
public record VmsProperties(
    @DefaultValue("30m") @NotNull Duration stackTimeout,
    @DefaultValue("10m") @NotNull Duration consoleTimeout,
    Path userDataFile,
    @DefaultValue("") @NotNull List<String> orchestratorCidrs) {}
