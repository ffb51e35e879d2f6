package io.colony.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The steps a reader of a markdown file carries out, in document order: files to create and shell
 * commands to run, each with the output the document shows for it. The conventions (README,
 * "The docs are tested"):
 * <ul>
 *   <li>every non-comment line of a {@code bash} block is a command (a trailing {@code \} goes on);
 *   <li>{@code # => TEXT} under a command: its output contains TEXT ({@code …} is any text, a run
 *       of spaces any white space); {@code # => exit N}: it exits with N (else it must exit 0);
 *   <li>{@code # => TEXT  (note)}: the note is not checked; a note starting with {@code eventually}
 *       makes the check repeat the command until it matches;
 *   <li>{@code `path`:} alone before a fenced block: create that file with the block's content;
 *   <li>{@code <!-- doc-test: not run (reason) -->} before a {@code bash} block: not run, counted.
 * </ul>
 */
final class DocsTour {

  private static final Pattern FENCE = Pattern.compile("^```(\\S*).*$");
  private static final Pattern FILE_LABEL = Pattern.compile("^`([^`\\s]+)`:$");
  private static final Pattern NOT_RUN = Pattern.compile("^<!-- doc-test: not run \\((.+)\\) -->$");
  private static final Pattern EXPECT = Pattern.compile("^# => (.*)$");
  private static final Pattern NOTE = Pattern.compile("^(.*?\\S)\\s{2,}\\((.*)\\)\\s*$");
  private static final Pattern EXIT = Pattern.compile("^exit (\\d+)$");
  private static final List<String> SHELL = List.of("bash", "sh", "shell");

  private DocsTour() {}

  sealed interface Step permits CreateFile, Command, NotRun {}

  /** The reader creates {@code path} (relative to the checkout) with {@code content}. */
  record CreateFile(String document, int line, String path, String content) implements Step {}

  /** A command and what the document says it prints; {@code exitCode} is 0 unless a {@code # => exit N} says otherwise. */
  record Command(String document, int line, String text, int exitCode, List<Expectation> expectations)
      implements Step {

    boolean eventually() {
      return expectations.stream().anyMatch(Expectation::eventually);
    }

    String where() {
      return document + ":" + line;
    }
  }

  /** A shell block the document marks as not run, with the reason and how many commands it holds. */
  record NotRun(String document, int line, String reason, int commands) implements Step {}

  /** One {@code # => } line: text that the output contains ({@code …} = any text). */
  record Expectation(String text, boolean eventually) {

    Pattern pattern() {
      StringBuilder regex = new StringBuilder("(?s)");
      String[] parts = text.split("…", -1);
      for (int i = 0; i < parts.length; i++) {
        if (i > 0) {
          regex.append(".*?");
        }
        String[] words = parts[i].split(" +", -1);
        for (int w = 0; w < words.length; w++) {
          if (w > 0) {
            regex.append("\\s+");
          }
          if (!words[w].isEmpty()) {
            regex.append(Pattern.quote(words[w]));
          }
        }
      }
      return Pattern.compile(regex.toString());
    }

    boolean matches(String output) {
      return pattern().matcher(output).find();
    }
  }

  /** The steps of {@code markdown}, named {@code document} in messages. */
  static List<Step> parse(String document, String markdown) {
    List<String> lines = markdown.lines().toList();
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher fence = FENCE.matcher(lines.get(i));
      if (!fence.matches()) {
        continue;
      }
      int end = i + 1;
      while (end < lines.size() && !lines.get(end).startsWith("```")) {
        end++;
      }
      if (end == lines.size()) {
        throw new IllegalArgumentException(document + ":" + (i + 1) + ": a code block that never ends");
      }
      List<String> body = lines.subList(i + 1, end);
      String before = previousNonBlank(lines, i);
      Matcher label = FILE_LABEL.matcher(before);
      Matcher notRun = NOT_RUN.matcher(before);
      if (label.matches()) {
        steps.add(new CreateFile(document, i + 1, label.group(1), String.join("\n", body) + "\n"));
      } else if (SHELL.contains(fence.group(1))) {
        List<Command> commands = commands(document, i + 2, body);
        if (notRun.matches()) {
          steps.add(new NotRun(document, i + 1, notRun.group(1), commands.size()));
        } else {
          steps.addAll(commands);
        }
      }
      i = end;
    }
    return steps;
  }

  private static String previousNonBlank(List<String> lines, int index) {
    for (int i = index - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank()) {
        return lines.get(i).trim();
      }
    }
    return "";
  }

  private static List<Command> commands(String document, int firstLine, List<String> body) {
    List<Command> commands = new ArrayList<>();
    StringBuilder text = null;
    int start = 0;
    int exit = 0;
    List<Expectation> expectations = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) {
      String line = body.get(i);
      String trimmed = line.trim();
      boolean continued = text != null && text.toString().endsWith("\\");
      if (continued) {
        text.append('\n').append(line);
        continue;
      }
      if (trimmed.isEmpty()) {
        continue;
      }
      Matcher expect = EXPECT.matcher(trimmed);
      if (expect.matches()) {
        if (text == null) {
          throw new IllegalArgumentException(document + ":" + (firstLine + i) + ": '# =>' under no command");
        }
        Optional<Integer> code = exitCode(expect.group(1));
        if (code.isPresent()) {
          exit = code.get();
        } else {
          expectations.add(expectation(expect.group(1)));
        }
        continue;
      }
      if (trimmed.startsWith("#")) {
        continue;
      }
      if (text != null) {
        commands.add(new Command(document, start, text.toString(), exit, List.copyOf(expectations)));
      }
      text = new StringBuilder(line);
      start = firstLine + i;
      exit = 0;
      expectations.clear();
    }
    if (text != null) {
      commands.add(new Command(document, start, text.toString(), exit, List.copyOf(expectations)));
    }
    return commands;
  }

  private static Optional<Integer> exitCode(String text) {
    Matcher exit = EXIT.matcher(text.trim());
    return exit.matches() ? Optional.of(Integer.parseInt(exit.group(1))) : Optional.empty();
  }

  private static Expectation expectation(String line) {
    Matcher note = NOTE.matcher(line);
    if (note.matches()) {
      return new Expectation(note.group(1), note.group(2).startsWith("eventually"));
    }
    return new Expectation(line.strip(), false);
  }
}
