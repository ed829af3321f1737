package io.meshorch.lb.domain;

import java.util.List;
import java.util.Objects;

/**
 * What became of one write of the cluster's MetalLB configuration ({@code IPAddressPool} and {@code
 * L2Advertisement}).
 */
public sealed interface PoolWrite {

  /**
   * Both objects are written.
   *
   * @param addresses the pool's {@code spec.addresses} as read back from the cluster after the
   *     write
   */
  record Stored(List<String> addresses) implements PoolWrite {
    public Stored {
      addresses = List.copyOf(addresses);
    }
  }

  /**
   * MetalLB's validating webhook could not be called (the API server answered "failed calling
   * webhook"): it does not serve yet, e.g. just after the controller became available. Nothing is
   * wrong with the configuration; the write is to be tried again.
   *
   * @param reason the API server's message, for the step's status
   */
  record NotServedYet(String reason) implements PoolWrite {
    public NotServedYet {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
