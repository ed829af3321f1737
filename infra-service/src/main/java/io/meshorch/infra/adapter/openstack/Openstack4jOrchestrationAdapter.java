package io.meshorch.infra.adapter.openstack;

import io.meshorch.infra.domain.StackAlreadyExistsException;
import io.meshorch.infra.domain.StackState;
import io.meshorch.infra.port.OrchestrationPort;
import io.meshorch.kit.failure.StepFailure;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openstack4j.api.Builders;
import org.openstack4j.api.exceptions.ResponseException;
import org.openstack4j.model.common.ActionResponse;
import org.openstack4j.model.heat.Stack;
import org.openstack4j.model.heat.StackCreate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Heat through openstack4j. */
public final class Openstack4jOrchestrationAdapter implements OrchestrationPort {
  /** The service type of the calls, for clouds.yaml's {@code rate_limit}. */
  private static final String SERVICE = "orchestration";

  private static final Logger log = LoggerFactory.getLogger(Openstack4jOrchestrationAdapter.class);

  private final OpenstackSession session;
  private final long stackTimeoutMinutes;

  /**
   * @param session the shared Keystone session
   * @param stackTimeout Heat's own timeout of the create ({@code timeout_mins}), rounded up to
   *     whole minutes
   */
  public Openstack4jOrchestrationAdapter(OpenstackSession session, Duration stackTimeout) {
    this.session = session;
    this.stackTimeoutMinutes = Math.max(1, (stackTimeout.toSeconds() + 59) / 60);
  }

  @Override
  public Optional<StackState> findStack(String name) {
    // GET /stacks/{name} answers 302 to /stacks/{name}/{id}, which openstack4j follows; 404 → null
    Stack stack =
        session.call(SERVICE, "read stack " + name, os -> os.heat().stacks().getStackByName(name));
    return Optional.ofNullable(stack).map(Openstack4jOrchestrationAdapter::toState);
  }

  @Override
  public String createStack(String name, String template, List<String> tags) {
    StackCreate request =
        Builders.stack()
            .name(name)
            .template(template)
            .timeoutMins(stackTimeoutMinutes)
            .disableRollback(true)
            .tags(String.join(",", tags))
            .build();
    try {
      Stack created =
          session.call(SERVICE, "create stack " + name, os -> os.heat().stacks().create(request));
      log.info("asked Heat to create stack {} (id {})", name, created.getId());
      return created.getId();
    } catch (StepFailure e) {
      if (e.getCause() instanceof ResponseException r && r.getStatus() == 409) {
        throw new StackAlreadyExistsException(name);
      }
      throw e;
    }
  }

  @Override
  public void deleteStack(String name, String id) {
    ActionResponse response =
        session.call(SERVICE, "delete stack " + name, os -> os.heat().stacks().delete(name, id));
    if (response.isSuccess() || response.getCode() == 404) {
      log.info(
          "asked Heat to delete stack {} (id {}): {}",
          name,
          id,
          response.isSuccess() ? "accepted" : "not found, deleted already");
      return;
    }
    throw Openstack4jFailures.byStatus(
        "delete stack " + name, response.getCode(), response.getFault(), null);
  }

  private static StackState toState(Stack stack) {
    Map<String, Object> outputs = new HashMap<>();
    if (stack.getOutputs() != null) {
      for (Map<String, Object> output : stack.getOutputs()) {
        outputs.put(String.valueOf(output.get("output_key")), output.get("output_value"));
      }
    }
    return new StackState(
        stack.getId(), stack.getName(), stack.getStatus(), stack.getStackStatusReason(), outputs);
  }
}
