package io.colony.sharding.entities;

import java.util.Set;

/**
 * Entity type names a Colony module uses itself, so no user type may take them. A module
 * registers its names by listing an implementation in
 * {@code META-INF/services/io.colony.sharding.entities.ReservedEntityTypes}; the registry
 * finds them with the same class loader as the user types.
 */
public interface ReservedEntityTypes {

  /** The names, and who uses them (for the error message). */
  Set<String> names();

  /** Which module reserves them, e.g. "colony-tasks". */
  String owner();
}
