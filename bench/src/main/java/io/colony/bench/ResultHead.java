package io.colony.bench;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.time.Instant;

/** What every result file starts with: when, on what, which store. */
record ResultHead(String measuredAt, String machine, int cores, String java, String store) {

  /** Indented JSON with {@code "name": value}, the shape the files in bench/results have always had. */
  static final ObjectWriter WRITER;

  static {
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
        .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
    printer.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
    WRITER = new ObjectMapper().writer(printer);
  }

  static ResultHead of(Instant startedAt, String store) {
    int cores = Runtime.getRuntime().availableProcessors();
    return new ResultHead(startedAt.toString(), cores + " cores", cores,
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), store);
  }
}
