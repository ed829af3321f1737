package io.meshorch.dashboard.config;

import io.meshorch.dashboard.messaging.EventStreamReader;
import io.meshorch.dashboard.view.MeshBoard;
import io.meshorch.dashboard.web.MeshStream;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** Wires the board, the reader that feeds it and the stream that pushes it. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DashboardProperties.class)
public class DashboardConfiguration {

  @Bean
  MeshBoard meshBoard() {
    return new MeshBoard();
  }

  @Bean
  MeshStream meshStream(MeshBoard board, JsonMapper json, DashboardProperties properties) {
    return new MeshStream(
        board, json, properties.pushInterval(), properties.streamTimeout(), properties.heartbeat());
  }

  @Bean
  EventStreamReader eventStreamReader(
      KafkaProperties kafka, DashboardProperties properties, MeshBoard board, MeshStream stream) {
    return new EventStreamReader(
        kafka.buildConsumerProperties(), properties.groupId(), board, stream::changed);
  }
}
