package io.meshorch.infra.adapter.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Which redirects the connector follows itself (Heat's 302 of a stack by name, say). */
class JdkHttpExecutorServiceTest {
  @Test
  void followsRedirectsExceptFromHttpsToHttpAsTheJdksNormalPolicy() {
    URI https = URI.create("https://heat.example.org:8004/v1/p/stacks/s");
    URI http = URI.create("http://heat.example.org:8004/v1/p/stacks/s");

    assertThat(JdkHttpExecutorService.follows(https, https.resolve("s/1234"))).isTrue();
    assertThat(JdkHttpExecutorService.follows(http, http.resolve("s/1234"))).isTrue();
    assertThat(JdkHttpExecutorService.follows(http, https)).isTrue();
    assertThat(JdkHttpExecutorService.follows(https, http)).isFalse();
  }
}
