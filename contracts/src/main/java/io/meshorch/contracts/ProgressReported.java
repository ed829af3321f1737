package io.meshorch.contracts;

/**
 * A long step made progress. For dashboards and the CLI, with one exception: the service that
 * published it reads back the {@code waitingFor} of its own unfinished steps when it resumes them
 * after a restart, so that a wait's time limit counts from when the wait began, not from the
 * restart.
 *
 * @param stage the step, one of {@link Stage}'s names
 * @param message what happened, for humans (no secrets, no SDK dumps)
 * @param waitingFor set when the step began to wait: the name of what it waits for (e.g. {@code
 *     Heat stack}); the wait began at the envelope's {@code occurredAt}. Null on other progress and
 *     from producers older than the field.
 */
public record ProgressReported(String stage, String message, String waitingFor)
    implements MeshEvent {

  /** Progress that is not the beginning of a wait. */
  public ProgressReported(String stage, String message) {
    this(stage, message, null);
  }
}
