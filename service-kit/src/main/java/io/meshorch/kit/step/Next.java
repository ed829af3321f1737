package io.meshorch.kit.step;

import io.meshorch.contracts.MeshEvent;
import java.util.Objects;

/** What a step wants after one {@link Step#advance} call. */
public sealed interface Next {

  /** The step reached its goal: publish {@code outcome} and end. */
  static Next done(MeshEvent outcome) {
    return new Done(outcome);
  }

  /**
   * The step waits for something outside: call it again after the wait's next re-check delay (or at
   * once when nudged). {@code status} says what is awaited now, for logs and the timeout message.
   */
  static Next waitFor(Wait wait, String status) {
    return new Waiting(wait, status);
  }

  /**
   * The step waits for {@code wait} as with {@link #waitFor}, while work of its own on it runs off
   * the step's thread (e.g. checks sent to several nodes at once) and nudges it as it ends. Nothing
   * was found not ready by this call, so it is not counted as a check: the re-check back-off grows
   * only with the calls that found the thing not ready. A re-check after the current pause still
   * comes if no nudge does.
   */
  static Next working(Wait wait, String status) {
    return new Working(wait, status);
  }

  /** The step moved on (e.g. to its next phase): call it again at once. */
  static Next again() {
    return Again.INSTANCE;
  }

  /** See {@link #done}. */
  record Done(MeshEvent outcome) implements Next {
    public Done {
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /** See {@link #waitFor}. */
  record Waiting(Wait until, String status) implements Next {
    public Waiting {
      Objects.requireNonNull(until, "until");
      Objects.requireNonNull(status, "status");
    }
  }

  /** See {@link #working}. */
  record Working(Wait until, String status) implements Next {
    public Working {
      Objects.requireNonNull(until, "until");
      Objects.requireNonNull(status, "status");
    }
  }

  /** See {@link #again()}. */
  enum Again implements Next {
    INSTANCE
  }
}
