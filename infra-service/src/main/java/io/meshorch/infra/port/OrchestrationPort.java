package io.meshorch.infra.port;

import io.meshorch.infra.domain.StackAlreadyExistsException;
import io.meshorch.infra.domain.StackState;
import java.util.List;
import java.util.Optional;

/**
 * Heat stacks. Every method is one bounded call (connect and read timeouts from configuration);
 * failures are {@code TransientFailure} (I/O, 5xx) or {@code TerminalFailure} (401, 403, 400).
 */
public interface OrchestrationPort {

  /**
   * The live stack named {@code name}, with its outputs; empty when there is none (never created,
   * or deleted). Read-only, so safe to repeat.
   */
  Optional<StackState> findStack(String name);

  /**
   * Asks Heat to create a stack; returns at once with the new stack's ID (creation goes on
   * asynchronously: poll {@link #findStack}). Not idempotent by itself: callers look the name up
   * first.
   *
   * @param name the stack name, unique in the project
   * @param template the HOT template text
   * @param tags tags on the stack, e.g. {@code mesh:<meshId>}
   * @throws StackAlreadyExistsException when a stack of that name exists (Heat's 409)
   */
  String createStack(String name, String template, List<String> tags);

  /**
   * Asks Heat to delete the stack {@code name} with ID {@code id}; returns at once (the delete goes
   * on asynchronously: poll {@link #findStack} until it is empty, or the stack turns {@code
   * DELETE_FAILED}). A stack that does not exist (404) is deleted already: success.
   */
  void deleteStack(String name, String id);
}
