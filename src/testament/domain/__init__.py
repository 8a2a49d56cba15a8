"""Pure domain model: dataclasses, enums and rules. No I/O."""
