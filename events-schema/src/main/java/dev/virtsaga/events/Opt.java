package dev.virtsaga.events;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record component as optional (may be absent or null on the wire). Every component without
 * it is required by the event's JSON Schema. A minor version of an event may only add {@code @Opt}
 * components.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.METHOD})
public @interface Opt {}
