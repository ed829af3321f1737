package io.meshorch.rke.config;

import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.step.CallPools;
import io.meshorch.rke.adapter.rke.RkeProcessDeployer;
import io.meshorch.rke.adapter.rke2.Rke2Settings;
import io.meshorch.rke.adapter.rke2.Rke2SshDeployer;
import io.meshorch.rke.adapter.ssh.SshjRemoteShell;
import io.meshorch.rke.application.DeployersByDistribution;
import io.meshorch.rke.application.RkeStepSettings;
import io.meshorch.rke.application.VmsReadySteps;
import io.meshorch.rke.port.KubernetesDeployerPort;
import io.meshorch.rke.port.RemoteShellPort;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The composition root of rke-service: the SSH and RKE adapters and what the VmsReady steps share.
 * The route table is {@link io.meshorch.rke.messaging.RkeRoutes}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({SshProperties.class, RkeProperties.class, Rke2Properties.class})
public class RkeServiceConfiguration {

  @Bean
  RemoteShellPort remoteShell(SshProperties ssh) {
    return new SshjRemoteShell(ssh.privateKeyPath(), ssh.connectTimeout());
  }

  /** RKE1's {@code rke up} or RKE2 over SSH, per cluster (its {@code kubernetes.distribution}). */
  @Bean
  KubernetesDeployerPort kubernetesDeployer(
      RkeProperties rke,
      Rke2Properties rke2,
      SshProperties ssh,
      RemoteShellPort shell,
      SecretStore secrets,
      ExecutorService rke2Installs) {
    return new DeployersByDistribution(
        new RkeProcessDeployer(rke.executable(), rke.workDir(), rke.failureLines()),
        new Rke2SshDeployer(
            shell,
            secrets,
            new Rke2Settings(
                rke2.version(),
                rke2.installScriptUrl(),
                rke2.artifactPath(),
                ssh.commandTimeout(),
                rke2.installTimeout()),
            Clock.systemUTC(),
            rke2Installs));
  }

  /** Where RKE2 is installed on the nodes (sshj blocks a thread per connection). */
  @Bean(destroyMethod = "shutdownNow")
  ExecutorService rke2Installs(Rke2Properties rke2) {
    return CallPools.fixed("rke-service-rke2-install", rke2.installThreads());
  }

  /** Where the node checks over SSH run (sshj blocks a thread per connection). */
  @Bean(destroyMethod = "shutdownNow")
  ExecutorService sshProbes(SshProperties ssh) {
    return CallPools.fixed("rke-service-ssh-probe", ssh.probeThreads());
  }

  @Bean
  VmsReadySteps vmsReadySteps(
      ExecutorService sshProbes,
      RemoteShellPort shell,
      KubernetesDeployerPort deployer,
      SecretStore secrets,
      SshProperties ssh,
      RkeProperties rke,
      Rke2Properties rke2) {
    RkeStepSettings settings =
        new RkeStepSettings(
            ssh.port(),
            ssh.privateKeyPath(),
            ssh.knownHosts(),
            ssh.commandTimeout(),
            ssh.readyTimeout(),
            rke.timeout(),
            rke.kubernetesVersion(),
            rke.addonJobTimeout(),
            rke2.version());
    return new VmsReadySteps(shell, deployer, secrets, settings, Clock.systemUTC(), sshProbes);
  }
}
