package io.meshorch.sandbox.core;

import java.util.Optional;

/**
 * Commands the sandbox's VMs answer beyond what their image and user data make of them: software
 * that is installed on them over SSH, such as RKE2 (the sandbox's Kubernetes side plugs it in with
 * {@code SandboxCloud.addVmCommands}). Called on the SSH daemons' threads: answer at once, never
 * block.
 */
public interface VmCommands {

  /**
   * One SSH exec request.
   *
   * @param hostname the VM's name
   * @param address the VM's fixed IP (where its SSH daemon listens)
   * @param user the logged-in user
   * @param cloudInitDone whether cloud-init has finished on the VM
   */
  record Login(String hostname, String address, String user, boolean cloudInitDone) {}

  /**
   * What the command printed and its exit status.
   *
   * @param exitStatus the exit status
   * @param stdout standard output
   * @param stderr standard error
   */
  record Answer(int exitStatus, String stdout, String stderr) {}

  /** The answer to {@code command}, or empty when it is not one of these commands. */
  Optional<Answer> answer(Login login, String command);
}
