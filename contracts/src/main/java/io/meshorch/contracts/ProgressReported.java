package io.meshorch.contracts;

/**
 * A long step made progress. For dashboards and the CLI only: no service acts on it.
 *
 * @param stage the step, one of {@link Stage}'s names
 * @param message what happened, for humans (no secrets, no SDK dumps)
 */
public record ProgressReported(String stage, String message) implements MeshEvent {}
