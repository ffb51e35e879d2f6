package io.colony.http.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4, for tests: the library writes it but
 * ships no parser. Every line is {@code # HELP name text}, {@code # TYPE name type} or a sample
 * {@code name{label="value",...} value}; a sample belongs to a family declared by a TYPE line
 * before it (its name, or the name plus {@code _bucket}, {@code _count}, {@code _sum}); anything
 * else throws.
 */
final class PrometheusText {

  /** One sample line. */
  record Sample(String name, Map<String, String> labels, double value) {}

  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{(.*)\\})? (\\S+)(?: -?[0-9]+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
  private static final Pattern VALUE = Pattern.compile("[+-]?Inf|NaN|[+-]?[0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?");
  private static final Set<String> SUFFIXES = Set.of("", "_bucket", "_count", "_sum");

  private PrometheusText() {}

  static List<Sample> parse(String text) {
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("The exposition does not end with a newline");
    }
    Map<String, String> types = new HashMap<>();
    List<Sample> samples = new ArrayList<>();
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String where = "line " + (i + 1) + ": '" + line + "'";
      Matcher m;
      if ((m = HELP.matcher(line)).matches()) {
        continue;
      } else if ((m = TYPE.matcher(line)).matches()) {
        if (types.put(m.group(1), m.group(2)) != null) {
          throw new IllegalArgumentException("second TYPE for a family at " + where);
        }
      } else if ((m = SAMPLE.matcher(line)).matches()) {
        String name = m.group(1);
        if (SUFFIXES.stream().noneMatch(suffix -> name.endsWith(suffix)
            && types.containsKey(name.substring(0, name.length() - suffix.length())))) {
          throw new IllegalArgumentException("sample of an undeclared family at " + where);
        }
        if (!VALUE.matcher(m.group(3)).matches()) {
          throw new IllegalArgumentException("not a number at " + where);
        }
        samples.add(new Sample(name, labels(m.group(2) == null ? "" : m.group(2), where), value(m.group(3))));
      } else {
        throw new IllegalArgumentException("not Prometheus text format at " + where);
      }
    }
    return samples;
  }

  private static Map<String, String> labels(String text, String where) {
    Map<String, String> labels = new LinkedHashMap<>();
    Matcher m = LABEL.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("malformed labels at " + where);
      }
      String value = m.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
      if (labels.put(m.group(1), value) != null) {
        throw new IllegalArgumentException("repeated label at " + where);
      }
      at = m.end();
    }
    return labels;
  }

  private static double value(String text) {
    return switch (text) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }
}
