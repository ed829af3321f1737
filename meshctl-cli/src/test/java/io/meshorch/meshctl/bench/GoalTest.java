package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.meshctl.bench.Goal.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoalTest {
  @ParameterizedTest(name = "{0} <= 1.2: {1}")
  @CsvSource({"1.0, MET", "1.2, MET", "1.21, MISSED", "3.5, MISSED"})
  void atMostGoalsAreMetUpToAndIncludingTheLimit(double value, Verdict expected) {
    assertThat(Goal.atMost("ratio16", 1.2, "").judge(value)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} >= 10: {1}")
  @CsvSource({"10, MET", "14.2, MET", "9.99, MISSED", "0, MISSED"})
  void atLeastGoalsAreMetFromTheLimitUp(double value, Verdict expected) {
    assertThat(Goal.atLeast("sequentialSpeedup", 10, "x").judge(value)).isEqualTo(expected);
  }

  @Test
  void aFigureThatWasNotMeasuredIsNotMet() {
    Goal goal = Goal.atMost("overheadPct", 5, " %");
    assertThat(goal.judge(null)).isEqualTo(Verdict.NOT_MEASURED);
    assertThat(goal.judge(Double.NaN)).isEqualTo(Verdict.NOT_MEASURED);
  }

  @Test
  void printsTheGoalAsTheIssueStatesIt() {
    assertThat(Goal.atMost("ratio16", 1.2, "").text()).isEqualTo("<= 1.2");
    assertThat(Goal.atLeast("sequentialSpeedup", 10, "x").text()).isEqualTo(">= 10x");
    assertThat(Goal.atMost("detectionP95Ms", 1000, " ms").text()).isEqualTo("<= 1000 ms");
  }
}
