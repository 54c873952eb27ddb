package dev.virtsaga.gateway;

/** One reason a request was refused, tied to the request field it concerns. */
public record FieldError(String field, String message) {}
