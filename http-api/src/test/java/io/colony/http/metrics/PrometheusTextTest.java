package io.colony.http.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The test parser accepts the text format and refuses anything else, so "every line parses" means something. */
class PrometheusTextTest {

  @Test
  void readsHelpTypeAndSamplesWithEscapedLabels() {
    List<PrometheusText.Sample> samples = PrometheusText.parse("""
        # HELP x_total Things.
        # TYPE x_total counter
        x_total{a="1",b="q\\"uote\\\\"} 3.0
        # TYPE h_seconds histogram
        h_seconds_bucket{le="+Inf"} 2
        h_seconds_count 2
        h_seconds_sum 1.5E-3
        """);

    assertEquals(List.of(
        new PrometheusText.Sample("x_total", Map.of("a", "1", "b", "q\"uote\\"), 3.0),
        new PrometheusText.Sample("h_seconds_bucket", Map.of("le", "+Inf"), 2),
        new PrometheusText.Sample("h_seconds_count", Map.of(), 2),
        new PrometheusText.Sample("h_seconds_sum", Map.of(), 0.0015)), samples);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "x 1\n",                                      // no TYPE before it
      "# TYPE x gauge\nx{a=\"1\"} one\n",           // not a number
      "# TYPE x gauge\nx{a=1} 1\n",                 // unquoted label value
      "# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n",     // repeated label
      "# TYPE x gauge\nx{a=\"1\"}  1\n",            // two spaces
      "# TYPE x gauge\n\nx 1\n",                    // blank line
      "# TYPE x gauge\nx 1",                        // no final newline
      "# TYPE x meter\nx 1\n",                      // unknown type
      "# TYPE x gauge\n# TYPE x gauge\nx 1\n",      // TYPE twice
  })
  void refusesWhatIsNotTheTextFormat(String text) {
    assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(text));
  }
}
