package io.meshorch.sandbox.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** cloud-init's order and its failures, as an Ubuntu image shows them. */
class CloudInitTest {

  @Test
  void usermodBeforeThePackageCreatedTheGroupFailsAndLeavesTheUserOutside() {
    CloudInit.Node node =
        CloudInit.apply(
            "#cloud-config\npackages: [docker.io]\nbootcmd: [[usermod, -aG, docker, ubuntu]]\n");

    assertThat(node.log).contains("usermod: group 'docker' does not exist");
    assertThat(node.dockerAccess("ubuntu")).isFalse();
  }

  @Test
  void usermodInRuncmdRunsAfterThePackagesAndGrantsTheSocket() {
    CloudInit.Node node =
        CloudInit.apply(
            "#cloud-config\nruncmd: [[usermod, -aG, docker, ubuntu]]\npackages: [docker.io]\n");

    assertThat(node.dockerAccess("ubuntu")).isTrue();
    assertThat(node.groupsOf("ubuntu")).contains("docker");
  }

  @Test
  void aUserWhoseGroupDoesNotExistYetIsNotCreated() {
    CloudInit.Node node =
        CloudInit.apply(
            "#cloud-config\nusers: [default, {name: rke, groups: docker}]\npackages: [docker.io]\n");

    assertThat(node.users).containsExactly("ubuntu");
    assertThat(node.log).contains("useradd: group 'docker' does not exist");
  }

  @Test
  void makeSharedNeedsBpffsMountedFirst() {
    CloudInit.Node unmounted =
        CloudInit.apply("#cloud-config\nruncmd: [[mount, --make-shared, /sys/fs/bpf]]\n");
    CloudInit.Node mounted =
        CloudInit.apply(
            "#cloud-config\nbootcmd:\n- [sh, -c, mountpoint -q /sys/fs/bpf || mount -t bpf bpffs"
                + " /sys/fs/bpf]\n- [mount, --make-shared, /sys/fs/bpf]\n");

    assertThat(unmounted.bpfShared).isFalse();
    assertThat(unmounted.log).contains("mount: /sys/fs/bpf: not mount point or bad option.");
    assertThat(mounted.bpfMounted).isTrue();
    assertThat(mounted.bpfShared).isTrue();
    assertThat(mounted.fstab).isEmpty();
  }

  @Test
  void aShellScriptRunsLikeRuncmd() {
    CloudInit.Node node =
        CloudInit.apply("#!/bin/bash\n# prepare\nusermod -aG docker ubuntu\ncurl example | sh\n");

    assertThat(node.docker).isFalse();
    assertThat(node.log)
        .containsExactly(
            "usermod: group 'docker' does not exist",
            "sandbox: runcmd command not run: curl example | sh");
  }
}
