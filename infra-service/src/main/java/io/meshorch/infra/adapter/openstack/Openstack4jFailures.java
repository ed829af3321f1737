package io.meshorch.infra.adapter.openstack;

import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import org.openstack4j.api.exceptions.AuthenticationException;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.api.exceptions.ResponseException;

/**
 * Turns openstack4j exceptions (and HTTP statuses of the raw calls) into the kit's failures, so
 * that no SDK type leaves the adapters: I/O errors, 5xx, 409 and 429 may pass (transient); 400,
 * 401, 403 and 404 will not (terminal).
 */
final class Openstack4jFailures {
  private Openstack4jFailures() {}

  /** The failure of {@code what}, caused by the SDK exception {@code e}. */
  static StepFailure classify(String what, RuntimeException e) {
    if (e instanceof StepFailure failure) {
      return failure;
    }
    if (e instanceof AuthenticationException) {
      return new TerminalFailure(
          "OPENSTACK_AUTH_FAILED",
          what + ": Keystone refused the credentials (401): " + e.getMessage(),
          e);
    }
    if (e instanceof ConnectionException) {
      return new TransientFailure(
          "OPENSTACK_UNREACHABLE", what + ": cannot reach OpenStack: " + e.getMessage(), e);
    }
    if (e instanceof ResponseException response) {
      return byStatus(what, response.getStatus(), e.getMessage(), e);
    }
    return new TransientFailure(
        "OPENSTACK_ERROR", what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }

  /** The failure of {@code what}, which got HTTP {@code status} with {@code message}. */
  static StepFailure byStatus(String what, int status, String message, Throwable cause) {
    String text = what + " (HTTP " + status + "): " + message;
    if (status == 0) {
      return new TransientFailure("OPENSTACK_UNREACHABLE", text, cause);
    }
    if (status == 429) {
      return new TransientFailure(
          "OPENSTACK_RATE_LIMITED",
          text
              + " (the cloud limits how fast it may be called: keep under it with"
              + " mesh.openstack.rate-limit, or rate_limit in the cloud's clouds.yaml entry)",
          cause);
    }
    if (status >= 500 || status == 409) {
      return new TransientFailure(
          status == 409 ? "OPENSTACK_CONFLICT" : "OPENSTACK_UNAVAILABLE", text, cause);
    }
    return switch (status) {
      case 401 -> new TerminalFailure("OPENSTACK_AUTH_FAILED", text, cause);
      case 403 -> new TerminalFailure("OPENSTACK_FORBIDDEN", text, cause);
      case 404 -> new TerminalFailure("OPENSTACK_NOT_FOUND", text, cause);
      default -> new TerminalFailure("OPENSTACK_REJECTED", text, cause);
    };
  }
}
