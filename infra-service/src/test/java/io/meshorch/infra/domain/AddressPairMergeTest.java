package io.meshorch.infra.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AddressPairMergeTest {
  private static final String IP = "192.168.51.10";

  static Stream<Arguments> alreadyAllowed() {
    return Stream.of(
        Arguments.of(List.of(AddressPair.of(IP))),
        Arguments.of(List.of(AddressPair.of("10.0.0.1"), new AddressPair(IP, "fa:16:3e:00:00:01"))),
        Arguments.of(List.of(AddressPair.of(IP + "/32"))),
        Arguments.of(List.of(AddressPair.of("192.168.51.0/28"))));
  }

  @ParameterizedTest
  @MethodSource("alreadyAllowed")
  void leavesAPortAloneWhenTheAddressIsAlreadyAllowed(List<AddressPair> existing) {
    assertThat(AddressPairMerge.decide(existing, IP, 10))
        .isInstanceOf(AddressPairMerge.AlreadyAllowed.class);
  }

  @Test
  void keepsExistingPairsAndAppendsTheAddress() {
    List<AddressPair> existing =
        List.of(
            new AddressPair("10.195.197.192/28", "fa:16:3e:00:00:01"),
            AddressPair.of("192.168.51.0/30"));

    assertThat(AddressPairMerge.decide(existing, IP, 10))
        .isEqualTo(
            new AddressPairMerge.Replace(
                List.of(existing.get(0), existing.get(1), AddressPair.of(IP))));
  }

  static Stream<Arguments> counts() {
    return Stream.of(
        Arguments.of(0, 10, true),
        Arguments.of(9, 10, true),
        Arguments.of(10, 10, false),
        Arguments.of(3, 3, false),
        Arguments.of(2, 3, true));
  }

  @ParameterizedTest
  @MethodSource("counts")
  void refusesToGoBeyondTheLimit(int existingCount, int limit, boolean fits) {
    List<AddressPair> existing = new ArrayList<>();
    for (int i = 0; i < existingCount; i++) {
      existing.add(AddressPair.of("10.9.0." + (i + 1)));
    }

    AddressPairMerge.Decision decision = AddressPairMerge.decide(existing, IP, limit);

    if (fits) {
      assertThat(decision).isInstanceOf(AddressPairMerge.Replace.class);
      assertThat(((AddressPairMerge.Replace) decision).pairs()).hasSize(existingCount + 1);
    } else {
      assertThat(decision).isEqualTo(new AddressPairMerge.LimitReached(limit, existingCount));
    }
  }
}
