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
import io.meshorch.rke.application.RkeSettings;
import io.meshorch.rke.application.VmsReadyHandler;
import io.meshorch.rke.port.KubernetesDeployerPort;
import io.meshorch.rke.port.RemoteShellPort;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires rke-service: sshj for the nodes, the rke executable, the VmsReady route. */
@Configuration
@EnableConfigurationProperties({SshProperties.class, RkeProperties.class})
class RkeServiceConfiguration {

  @Bean
  RemoteShellPort remoteShell(SshProperties ssh) {
    return new SshjRemoteShell(ssh.privateKeyPath(), ssh.connectTimeout());
  }

  @Bean
  KubernetesDeployerPort kubernetesDeployer(RkeProperties rke) {
    return new RkeProcessDeployer(rke.executable(), rke.timeout());
  }

  @Bean(destroyMethod = "shutdownNow")
  ExecutorService nodeChecks() {
    return Executors.newFixedThreadPool(
        16,
        r -> {
          Thread t = new Thread(r, "rke-node-check");
          t.setDaemon(true);
          return t;
        });
  }

  @Bean
  VmsReadyHandler vmsReadyHandler(
      RemoteShellPort shell,
      ExecutorService nodeChecks,
      KubernetesDeployerPort deployer,
      SecretStore secrets,
      EventPublisherPort publisher,
      MeshServiceProperties service,
      SshProperties ssh,
      RkeProperties rke) {
    RkeSettings settings =
        new RkeSettings(
            service.name(),
            ssh.port(),
            ssh.privateKeyPath(),
            ssh.knownHosts(),
            rke.workDir(),
            ssh.readyTimeout(),
            ssh.pollInterval(),
            ssh.commandTimeout(),
            rke.addonJobTimeout(),
            new Backoff(rke.attempts(), rke.retryDelay(), rke.retryDelay().multipliedBy(8), 2.0));
    return new VmsReadyHandler(shell, nodeChecks, deployer, secrets, publisher, settings);
  }

  @Bean
  EventRoute vmsReadyRoute(VmsReadyHandler handler) {
    return new EventRoute(EventType.VMS_READY, Stage.KUBERNETES, handler::handle);
  }
}
