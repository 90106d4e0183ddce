/**
 * The seed story {@code regshim demo} tells: a fixed fleet and its plan, built from the kernel database and the
 * planner. May import {@code cpreg}, {@code kernel} and {@code plan}.
 */
package dev.regshim.demo;
