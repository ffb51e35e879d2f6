package io.colony.persistence.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * Turns commands into the JSON trees an {@link EntityMessage.Envelope} carries and back, with
 * the ObjectMapper of Pekko's {@code jackson-cbor} serializer. A command's tree holds its
 * {@code "type"} name from its interface's {@code @JsonTypeInfo(use = NAME)}; the receiver reads
 * it as its own type's command interface, so what arrives is one of that type's listed commands
 * or nothing.
 */
public final class CommandCodec {

  private final ObjectMapper mapper;

  private CommandCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The codec of {@code system} (the mapper is created once per system by Pekko). */
  public static CommandCodec get(ActorSystem<?> system) {
    return new CommandCodec(JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", Optional.empty()));
  }

  /** The command as a tree, with its type name. */
  public JsonNode encode(Object command) {
    return mapper.valueToTree(command);
  }

  /** The tree read as one of {@code commandClass}'s commands. */
  public <C> C decode(JsonNode tree, Class<C> commandClass) throws JsonProcessingException {
    return mapper.treeToValue(tree, commandClass);
  }
}
