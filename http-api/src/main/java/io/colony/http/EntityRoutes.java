package io.colony.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.introspect.AnnotatedClass;
import com.fasterxml.jackson.databind.introspect.AnnotatedClassResolver;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.EntityType;
import io.colony.persistence.sdk.UnsupportedCommandException;
import io.colony.sharding.entities.UserEntities;
import io.colony.sharding.listing.IdListing;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.serialization.Serialization;

/**
 * {@code /v1/entities}, matched relative to its prefix: the entity types users add with the SDK.
 * {@code POST /{type}/{id}} sends a JSON command (picked by its {@code "type"} field) and answers
 * with the entity's JSON reply; {@code GET /{type}/{id}} shows its state; {@code GET /v1/entities}
 * lists the types and their commands, {@code GET /{type}?prefix=&after=&limit=} the ids of a type.
 * A refusal by the entity ({@code StatusReply.error}) is a 422 with its reason; a command the
 * entity does not handle in its current state is a 400 {@code unsupported_command}.
 */
public final class EntityRoutes extends AllDirectives {

  /** Longest entity id: {@code <type>|<id>} must fit the journal's 255-character persistence id. */
  static final int MAX_ID_LENGTH = 200;

  /**
   * Room left in an Artery frame for what travels with a serialized command: the envelope with
   * the reply address, the sharding envelope with the entity id, and
   * Artery's own header. Each is a few hundred bytes at most.
   */
  static final long ENVELOPE_ALLOWANCE_BYTES = 8 * 1024;

  /**
   * How large a command may be. The JSON body is capped ({@code colony.http.max-command-bytes});
   * the serialized command must also fit one Artery frame ({@code maximum-frame-size}), because
   * CBOR can be larger than the JSON it came from (a JSON {@code 1} in a {@code double} field is
   * 1 byte of JSON and 9 of CBOR), and a frame too large is dropped on its way to another node
   * after the command was accepted here.
   */
  public record CommandLimits(long maxBodyBytes, long maxFrameBytes, Serialization serialization) {

    long maxSerializedBytes() {
      return maxFrameBytes - ENVELOPE_ALLOWANCE_BYTES;
    }
  }

  /** One entity type in the listing. */
  public record EntityTypeInfo(String name, List<String> commands) {}

  /** The JSON body of {@code GET /v1/entities}. */
  public record EntityTypes(List<EntityTypeInfo> entityTypes) {}

  /** The body of {@code GET /v1/entities/{type}}; {@code next} is the next page's {@code after}, null on the last. */
  public record IdList(List<String> ids, String next) {}

  /** A request body that is not a command of the entity type: a 400 with this code. */
  private static final class BadCommand extends Exception {
    final String code;

    BadCommand(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  private final UserEntities entities;
  private final IdPages pages;
  private final JsonSupport json;
  private final ErrorHandling errors;
  private final CommandLimits limits;
  private final Map<String, EntityTypeInfo> catalogue = new LinkedHashMap<>();
  private final Map<String, ObjectReader> readers = new LinkedHashMap<>();

  public EntityRoutes(UserEntities entities, IdListing listing, JsonSupport json, ErrorHandling errors,
      CommandLimits limits) {
    this.entities = entities;
    this.pages = new IdPages(listing, json, errors);
    this.json = json;
    this.errors = errors;
    this.limits = limits;
    for (EntityType<?> type : entities.registry().types()) {
      catalogue.put(type.name(), new EntityTypeInfo(type.name(), commandNames(json.mapper(), type.commandClass())));
      // Strict about what clients send: a misspelt field is an error, not a silent default.
      readers.put(type.name(), json.mapper().readerFor(type.commandClass())
          .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
              DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT));
    }
  }

  /** Under {@code /v1/entities}. */
  public Route routes() {
    return concat(
        pathEnd(() -> get(() -> complete(json.response(StatusCodes.OK, new EntityTypes(List.copyOf(catalogue.values())))))),
        path(segment(), type -> get(() -> listIds(type))),
        path(segment().slash(segment()), (type, id) -> concat(
            post(() -> known(type, id, info -> commandBody(body -> command(info, id, body)))),
            get(() -> known(type, id, info -> state(info, id))))));
  }

  /** The command names of a type, from its {@code @JsonSubTypes} (and {@code @JsonTypeName}s). */
  static List<String> commandNames(ObjectMapper mapper, Class<?> commandClass) {
    DeserializationConfig config = mapper.getDeserializationConfig();
    AnnotatedClass annotated = AnnotatedClassResolver.resolveWithoutSuperTypes(config, commandClass);
    return mapper.getSubtypeResolver().collectAndResolveSubtypesByTypeId(config, annotated).stream()
        .filter(NamedType::hasName)
        .filter(t -> !t.getType().isInterface() && !Modifier.isAbstract(t.getType().getModifiers()))
        .map(NamedType::getName)
        .sorted()
        .toList();
  }

  private Route known(String type, String id, Function<EntityTypeInfo, Route> inner) {
    EntityTypeInfo info = catalogue.get(type);
    if (info == null) {
      return complete(json.response(StatusCodes.NOT_FOUND, new ApiError("unknown_entity_type",
          "There is no entity type '" + type + "'; the types are " + catalogue.keySet() + ".")));
    }
    if (id.length() > MAX_ID_LENGTH) {
      return complete(invalidId("An entity id is at most " + MAX_ID_LENGTH + " characters; this one has " + id.length() + "."));
    }
    if (id.indexOf('\0') >= 0) {
      return complete(invalidId("An entity id cannot hold NUL (%00): the journal cannot store it."));
    }
    if (id.contains(PersistenceId.DefaultSeparator())) {
      // PersistenceId.of(type, id) refuses it: the entity would fail to start and the request time out.
      return complete(invalidId("An entity id cannot hold '" + PersistenceId.DefaultSeparator()
          + "' (%7C): it separates the type from the id in the journal's persistence id."));
    }
    return inner.apply(info);
  }

  private HttpResponse invalidId(String message) {
    return json.response(StatusCodes.BAD_REQUEST, new ApiError("invalid_id", message));
  }

  /** The body as text, at most {@code limits.maxBodyBytes()} of it: 413 beyond, before or while it is read. */
  private Route commandBody(Function<String, Route> inner) {
    return extractRequestEntity(entity -> {
      OptionalLong declared = entity.getContentLengthOption();
      if (declared.isPresent() && declared.getAsLong() > limits.maxBodyBytes()) {
        return complete(commandTooLarge());
      }
      // Chunked bodies: the limit fails the read, which ErrorHandling answers with the same 413.
      return withSizeLimit(limits.maxBodyBytes(), () -> entity(Unmarshaller.entityToString(), inner));
    });
  }

  private HttpResponse commandTooLarge() {
    return errors.tooLarge(ErrorHandling.code(StatusCodes.PAYLOAD_TOO_LARGE), limits.maxBodyBytes());
  }

  /** The ids of a type, from the listing table in the journal database. */
  private Route listIds(String type) {
    if (!catalogue.containsKey(type)) {
      return complete(json.response(StatusCodes.NOT_FOUND, new ApiError("unknown_entity_type",
          "There is no entity type '" + type + "'; the types are " + catalogue.keySet() + ".")));
    }
    return pages.list(type, page -> new IdList(page.ids(), page.next()));
  }

  private Route command(EntityTypeInfo type, String id, String body) {
    CborSerializable command;
    try {
      command = parse(type, body);
    } catch (BadCommand e) {
      return complete(json.response(StatusCodes.BAD_REQUEST, new ApiError(e.code, e.getMessage())));
    }
    int serialized = limits.serialization().serialize(command).get().length;
    if (serialized > limits.maxSerializedBytes()) {
      return complete(json.response(StatusCodes.PAYLOAD_TOO_LARGE, new ApiError(ErrorHandling.code(StatusCodes.PAYLOAD_TOO_LARGE),
          "The command is " + serialized + " bytes once serialized; at most " + limits.maxSerializedBytes()
              + " fit in one message between nodes. Nothing was sent.")));
    }
    return entity(() -> onSuccess(answer(type, id, entities.command(type.name(), id, command)), this::complete));
  }

  private Route state(EntityTypeInfo type, String id) {
    return entity(() -> onSuccess(answer(type, id, entities.state(type.name(), id)), this::complete));
  }

  /** A timeout says only to retry: whether a command was applied is unknown then. */
  private Route entity(Supplier<Route> inner) {
    return errors.whenUnavailable("The entity did not answer in time; retry later.", inner);
  }

  private CborSerializable parse(EntityTypeInfo type, String body) throws BadCommand {
    if (body.isBlank()) {
      throw new BadCommand("invalid_json", "The body must be a JSON command such as {\"type\": \"" + exampleCommand(type) + "\"}.");
    }
    try {
      Object command = readers.get(type.name()).readValue(body);
      if (command == null) {
        throw new BadCommand("invalid_command", "The body must be a JSON object, not null.");
      }
      return (CborSerializable) command;
    } catch (InvalidTypeIdException e) {
      String known = "; '" + type.name() + "' understands " + type.commands() + ".";
      throw new BadCommand("unknown_command", e.getTypeId() == null
          ? "The command has no \"type\" field" + known
          : "Unknown command type '" + e.getTypeId() + "'" + known);
    } catch (UnrecognizedPropertyException e) {
      throw new BadCommand("invalid_command", "Unknown field '" + e.getPropertyName() + "' in the command.");
    } catch (StreamReadException e) {
      throw new BadCommand("invalid_json", "The body is not valid JSON: " + e.getOriginalMessage());
    } catch (ValueInstantiationException e) {
      throw new BadCommand("invalid_command", "The command is invalid: "
          + (e.getCause() == null ? e.getOriginalMessage() : e.getCause().getMessage()));
    } catch (MismatchedInputException e) {
      String field = e.getPath().stream()
          .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
          .collect(Collectors.joining("."));
      throw new BadCommand("invalid_command", field.isEmpty()
          ? "The body must be a JSON object with a \"type\" field."
          : "Field '" + field + "' must be " + describe(e.getTargetType()) + ".");
    } catch (DatabindException e) {
      throw new BadCommand("invalid_command", "The body is not a valid command: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadCommand("invalid_json", "The body cannot be read: " + e.getMessage());
    }
  }

  /** How a client would call a Java type. */
  private static String describe(Class<?> type) {
    if (type == null) {
      return "valid";
    }
    if (type == long.class || type == int.class || type == short.class || type == byte.class
        || type == Long.class || type == Integer.class || type == Short.class || type == Byte.class) {
      return "a whole number";
    }
    if (type == double.class || type == float.class || type == Double.class || type == Float.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    return "a " + type.getSimpleName();
  }

  private static String exampleCommand(EntityTypeInfo type) {
    return type.commands().isEmpty() ? "…" : type.commands().get(0);
  }

  /**
   * The entity's answer as a response: its value (200, or 404 for a state that does not exist
   * yet), its refusal (422) or a command it does not handle now (400). Any other failure goes on
   * to {@link ErrorHandling} (a timeout is a 503, anything else a 500).
   */
  private CompletionStage<HttpResponse> answer(EntityTypeInfo type, String id, CompletionStage<CborSerializable> reply) {
    return reply.handle((value, failure) -> {
      if (failure == null) {
        return found(type, id, value);
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof StatusReply.ErrorMessage rejected) {
        return json.response(StatusCodes.UNPROCESSABLE_ENTITY, new ApiError("rejected", rejected.getMessage()));
      }
      if (cause instanceof UnsupportedCommandException unsupported) {
        return json.response(StatusCodes.BAD_REQUEST, new ApiError("unsupported_command", unsupported.getMessage()));
      }
      throw failure instanceof CompletionException completion ? completion : new CompletionException(cause);
    });
  }

  private HttpResponse found(EntityTypeInfo type, String id, CborSerializable value) {
    if (value == null) {
      return json.response(StatusCodes.NOT_FOUND,
          new ApiError("not_found", "There is no '" + type.name() + "' entity '" + id + "' yet."));
    }
    return json.response(StatusCodes.OK, value);
  }
}
