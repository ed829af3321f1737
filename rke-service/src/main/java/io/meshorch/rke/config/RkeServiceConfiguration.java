package io.meshorch.rke.config;

import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.config.MeshServiceProperties;
import io.meshorch.kit.messaging.EventRoute;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.rke.adapter.rke.RkeProcessDeployer;
import io.meshorch.rke.adapter.ssh.SshjRemoteShell;
import io.meshorch.rke.application.NodeReadinessProbe;
import io.meshorch.rke.application.ReadinessTimings;
import io.meshorch.rke.application.RkeStepSettings;
import io.meshorch.rke.application.VmsReadyHandler;
import io.meshorch.rke.port.KubernetesDeployerPort;
import io.meshorch.rke.port.RemoteShellPort;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The composition root of rke-service: SSH and RKE adapters, the VmsReady handler and its route.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({SshProperties.class, RkeProperties.class})
public class RkeServiceConfiguration {

  @Bean
  RemoteShellPort remoteShell(SshProperties ssh) {
    return new SshjRemoteShell(ssh.privateKeyPath(), ssh.connectTimeout());
  }

  @Bean
  KubernetesDeployerPort kubernetesDeployer(RkeProperties rke) {
    return new RkeProcessDeployer(
        rke.executable(),
        rke.workDir(),
        rke.timeout(),
        new Backoff(rke.attempts(), rke.retryInitialDelay(), rke.retryMaxDelay(), 2.0),
        rke.failureLines());
  }

  /** Threads polling nodes; bounded so that a large mesh cannot open unbounded SSH sessions. */
  @Bean(destroyMethod = "shutdownNow")
  ExecutorService nodeCheckExecutor(SshProperties ssh) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads =
        r -> {
          Thread t = new Thread(r, "node-check-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    return Executors.newFixedThreadPool(ssh.parallelism(), threads);
  }

  @Bean
  VmsReadyHandler vmsReadyHandler(
      RemoteShellPort shell,
      KubernetesDeployerPort deployer,
      SecretStore secrets,
      EventPublisherPort publisher,
      ExecutorService nodeCheckExecutor,
      SshProperties ssh,
      RkeProperties rke,
      MeshServiceProperties service) {
    NodeReadinessProbe probe =
        new NodeReadinessProbe(
            shell,
            nodeCheckExecutor,
            new ReadinessTimings(ssh.pollInterval(), ssh.readyTimeout(), ssh.commandTimeout()));
    RkeStepSettings settings =
        new RkeStepSettings(
            ssh.port(),
            ssh.privateKeyPath(),
            ssh.knownHosts(),
            rke.kubernetesVersion(),
            rke.addonJobTimeout());
    return new VmsReadyHandler(probe, deployer, secrets, publisher, settings, service.name());
  }

  @Bean
  EventRoute vmsReadyRoute(VmsReadyHandler handler) {
    return new EventRoute(EventType.VMS_READY, Stage.KUBERNETES, handler::handle);
  }
}
