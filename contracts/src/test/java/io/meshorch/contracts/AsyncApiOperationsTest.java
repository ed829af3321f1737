package io.meshorch.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.AsyncApiDocument.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The operations of {@code asyncapi.yaml} say who sends and who receives what, and say it
 * consistently: every operation's messages are messages of its channel, each topic has one producer
 * that sends all of it, and each of the five services sends on its own topic and receives
 * something.
 */
class AsyncApiOperationsTest {
  static final List<String> SERVICES =
      List.of("infra-service", "rke-service", "cni-service", "lb-service", "mesh-service");

  private static final AsyncApiDocument DOC = AsyncApiDocument.load();

  @Test
  void everyOperationsMessagesAreMessagesOfItsChannel() {
    assertThat(DOC.operationList()).isNotEmpty();
    assertThat(problemsOf(DOC)).isEmpty();
  }

  @Test
  void eachTopicHasOneProducerThatSendsEveryMessageOfItsChannel() {
    for (String channel : DOC.channels().keySet()) {
      List<Operation> senders =
          DOC.operationList().stream()
              .filter(op -> op.action().equals("send") && op.channelKey().equals(channel))
              .toList();
      assertThat(senders).as("send operations on channel %s", channel).hasSize(1);
      assertThat(messageKeys(senders.get(0)))
          .as("messages %s sends", senders.get(0).key())
          .isEqualTo(DOC.channelMessages(channel));
    }
  }

  @Test
  void theFiveServicesEachSendOnTheirOwnTopicAndReceiveSomething() {
    Map<String, List<Operation>> byService =
        DOC.operationList().stream()
            .filter(op -> op.service() != null)
            .collect(Collectors.groupingBy(Operation::service));

    assertThat(byService).containsOnlyKeys(SERVICES);
    for (String service : SERVICES) {
      List<Operation> ops = byService.get(service);
      assertThat(ops.stream().filter(op -> op.action().equals("send")).map(Operation::channelKey))
          .as("channels %s sends on", service)
          .hasSize(1)
          .allMatch(channel -> DOC.address(channel).startsWith("mesh."));
      assertThat(ops)
          .as("receive operations of %s", service)
          .anyMatch(op -> op.action().equals("receive"));
    }
    assertThat(DOC.operationList())
        .filteredOn(op -> op.service() == null)
        .as("operations of no service: the users' requests")
        .extracting(Operation::key)
        .containsExactly("publishRequests");
  }

  @Test
  void aMessageThatIsNotOnTheOperationsChannelIsReported() {
    AsyncApiDocument broken =
        AsyncApiDocument.parse(
            """
            channels:
              infraEvents:
                address: mesh.infra.events
                messages:
                  VmsReady: {}
              lbEvents:
                address: mesh.lb.events
                messages:
                  LbIpAssigned: {}
            operations:
              rkeReceivesInfraEvents:
                action: receive
                channel: {$ref: '#/channels/infraEvents'}
                messages:
                  - $ref: '#/channels/infraEvents/messages/ClusterUp'
                  - $ref: '#/channels/lbEvents/messages/LbIpAssigned'
              lbReceivesNothing:
                action: listen
                channel: {$ref: '#/channels/cniEvents'}
            """);

    assertThat(problemsOf(broken))
        .containsExactlyInAnyOrder(
            "rkeReceivesInfraEvents: message '#/channels/infraEvents/messages/ClusterUp' is not"
                + " a message of channel infraEvents [VmsReady]",
            "rkeReceivesInfraEvents: message '#/channels/lbEvents/messages/LbIpAssigned' is not"
                + " a message of channel infraEvents [VmsReady]",
            "lbReceivesNothing: action 'listen' is neither send nor receive",
            "lbReceivesNothing: channel '#/channels/cniEvents' is not a channel of the document",
            "lbReceivesNothing: lists no messages");
  }

  /** What is wrong with the operations of {@code doc}, one line each. */
  static List<String> problemsOf(AsyncApiDocument doc) {
    List<String> problems = new ArrayList<>();
    for (Operation op : doc.operationList()) {
      if (!Set.of("send", "receive").contains(op.action())) {
        problems.add(op.key() + ": action '" + op.action() + "' is neither send nor receive");
      }
      if (op.messageRefs().isEmpty()) {
        problems.add(op.key() + ": lists no messages");
      }
      if (!op.channelRef().startsWith("#/channels/")
          || !doc.channels().containsKey(op.channelKey())) {
        problems.add(
            op.key() + ": channel '" + op.channelRef() + "' is not a channel of the document");
        continue;
      }
      TreeSet<String> onChannel = doc.channelMessages(op.channelKey());
      String prefix = op.channelRef() + "/messages/";
      for (String ref : op.messageRefs()) {
        if (!ref.startsWith(prefix) || !onChannel.contains(ref.substring(prefix.length()))) {
          problems.add(
              op.key()
                  + ": message '"
                  + ref
                  + "' is not a message of channel "
                  + op.channelKey()
                  + " "
                  + onChannel);
        }
      }
    }
    return problems;
  }

  /** The message keys an operation lists (its refs point into its channel). */
  static TreeSet<String> messageKeys(Operation op) {
    return op.messageRefs().stream()
        .map(ref -> ref.substring(ref.lastIndexOf('/') + 1))
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
