package io.meshorch.infra.adapter.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.kit.failure.StepFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openstack4j.api.exceptions.AuthenticationException;
import org.openstack4j.api.exceptions.ClientResponseException;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.api.exceptions.ServerResponseException;

class Openstack4jFailuresTest {

  @ParameterizedTest
  @CsvSource({
    "0, OPENSTACK_UNREACHABLE, true",
    "400, OPENSTACK_REJECTED, false",
    "401, OPENSTACK_AUTH_FAILED, false",
    "403, OPENSTACK_FORBIDDEN, false",
    "404, OPENSTACK_NOT_FOUND, false",
    "409, OPENSTACK_CONFLICT, true",
    "500, OPENSTACK_UNAVAILABLE, true",
    "503, OPENSTACK_UNAVAILABLE, true",
  })
  void classifiesByStatus(int status, String code, boolean retryable) {
    StepFailure failure = Openstack4jFailures.byStatus("update port p1", status, "boom", null);

    assertThat(failure.code()).isEqualTo(code);
    assertThat(failure.retryable()).isEqualTo(retryable);
    assertThat(failure.getMessage()).isEqualTo("update port p1 (HTTP " + status + "): boom");
  }

  @Test
  void aRefusalForTheRateNamesTheSettingThatPacesTheCalls() {
    StepFailure failure =
        Openstack4jFailures.byStatus("read stack s", 429, "Too Many Requests", null);

    assertThat(failure.code()).isEqualTo("OPENSTACK_RATE_LIMITED");
    assertThat(failure.retryable()).isTrue();
    assertThat(failure.getMessage())
        .isEqualTo(
            "read stack s (HTTP 429): Too Many Requests (the cloud limits how fast it may be"
                + " called: keep under it with mesh.openstack.rate-limit, or rate_limit in the"
                + " cloud's clouds.yaml entry)");
  }

  @Test
  void classifiesSdkExceptions() {
    assertThat(
            Openstack4jFailures.classify("x", new AuthenticationException("no", 401)).retryable())
        .isFalse();
    assertThat(
            Openstack4jFailures.classify("x", new ConnectionException("refused", 0, null)).code())
        .isEqualTo("OPENSTACK_UNREACHABLE");
    assertThat(
            Openstack4jFailures.classify("x", new ServerResponseException("down", 502)).retryable())
        .isTrue();
    assertThat(Openstack4jFailures.classify("x", new ClientResponseException("policy", 403)).code())
        .isEqualTo("OPENSTACK_FORBIDDEN");
    assertThat(Openstack4jFailures.classify("x", new IllegalStateException("odd")).retryable())
        .isTrue();
  }
}
