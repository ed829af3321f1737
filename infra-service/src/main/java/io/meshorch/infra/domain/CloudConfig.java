package io.meshorch.infra.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The cloud-config user data that prepares a node as the tutorial does, built as a map and dumped
 * with SnakeYAML (never by pasting strings: the SSH user is a value, not YAML):
 *
 * <ul>
 *   <li>{@code docker.io} from the distribution's archive (signed, no script piped into a shell);
 *       its package creates the {@code docker} group. The version is the image release's (Ubuntu
 *       22.04: 24.0.x), which is why rke-service writes {@code ignore_docker_version: true} (see
 *       its README);
 *   <li>{@code usermod -aG docker <sshUser>} in {@code runcmd}, which runs after the packages are
 *       installed, so the group exists. Not {@code groups:}/{@code users:}: they run before the
 *       packages, and a {@code docker} group created there makes the package's {@code addgroup
 *       --system docker} fail;
 *   <li>bpffs in {@code /etc/fstab} ({@code mounts}, persistent) and, on every boot ({@code
 *       bootcmd}), mounted if it is not and made shared ({@code mount --make-shared /sys/fs/bpf}),
 *       as the tutorial does;
 *   <li>{@code systemctl enable --now docker}.
 * </ul>
 *
 * <p>Nodes of an RKE2 cluster get only the bpffs part: RKE2 brings its own containerd, so neither
 * Docker nor the {@code docker} group is needed (rke-service installs RKE2 over SSH with sudo).
 */
public final class CloudConfig {
  /** The first line cloud-init requires of cloud-config user data. */
  public static final String HEADER = "#cloud-config";

  private CloudConfig() {}

  /** The user data for RKE1 nodes whose login user is {@code sshUser} (a validated POSIX name). */
  public static String render(String sshUser) {
    return render(sshUser, true);
  }

  /**
   * The user data for nodes whose login user is {@code sshUser} (a validated POSIX name), with
   * Docker (RKE1) or without it (RKE2, which brings containerd).
   */
  public static String render(String sshUser, boolean docker) {
    Objects.requireNonNull(sshUser, "sshUser");
    Map<String, Object> config = new LinkedHashMap<>();
    if (docker) {
      config.put("package_update", true);
      config.put("packages", List.of("docker.io"));
    }
    config.put("mounts", List.of(List.of("bpffs", "/sys/fs/bpf", "bpf", "defaults", "0", "0")));
    config.put(
        "bootcmd",
        List.of(
            List.of("sh", "-c", "mountpoint -q /sys/fs/bpf || mount -t bpf bpffs /sys/fs/bpf"),
            List.of("mount", "--make-shared", "/sys/fs/bpf")));
    if (docker) {
      config.put(
          "runcmd",
          List.of(
              List.of("systemctl", "enable", "--now", "docker"),
              List.of("usermod", "-aG", "docker", sshUser)));
    }
    DumperOptions options = new DumperOptions();
    // AUTO: each command on one line, as cloud-init's documentation writes them
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.AUTO);
    options.setIndent(2);
    options.setWidth(120);
    return HEADER + "\n" + new Yaml(options).dump(config);
  }
}
